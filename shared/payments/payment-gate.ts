/**
 * The payment gate (I6, F2): a contract is initiated exactly once, by a paid order or by a price of
 * 0. The contract's own compare-and-set is what makes it exactly-once — its payment status moves
 * from unpaid to paid (or waived) in the same commit as the initiation and its events — so a
 * notification delivered twice, or ten times at once, finds the contract paid by that very order
 * and changes nothing. The lifecycle table stays the only place that moves the state: this is the
 * `initiate` action by `system`, whose `paid` guard the new payment status satisfies.
 */
import { AppError, isAppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { Append } from '../ports/store';
import type { Quote } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { loadContract } from '../contracts/repository';
import { payWithCoupon, type CouponHolder } from './coupons';
import type { Order } from './orders';
import type { Priced } from './pricing';
import { QUOTA_USES, quotaUse } from './quota';
import { recordChange } from '../contracts/record-change';
import { runTransition } from '../contracts/transition';
import { allowsRecord, applyRecord, CONTRACT_PAYMENT_TABLE, decideRecord, type ContractPaymentAction } from '../lifecycle';

const SYSTEM = { role: 'system' as const, openid: null };

/** What the fee rules decided, kept on the contract with the other rule facts (for the record). */
type FeeTerms = Pick<Quote, 'listFen' | 'amountFen' | 'steps' | 'couponId'>;
const feeFacts = (q: FeeTerms, orderId: string | null) => ({
  fee: { listFen: q.listFen, amountFen: q.amountFen, steps: q.steps, couponId: q.couponId, orderId },
});

/** Thrown inside the commit cycle when the fresh read shows the gate already passed. */
class GatePassed extends Error {
  constructor(readonly byThisOrder: boolean) {
    super('payment gate already passed');
  }
}

/**
 * Passing the gate: the `initiate` action by the system, whose commit also sets the payment status
 * that satisfies its `paid` guard, keeps the fee facts and records payment_confirmed. A fresh read
 * that finds the gate already passed throws `passed(c)` and writes nothing.
 */
const passGate = (
  deps: Deps,
  contract: Contract,
  pass: { action: ContractPaymentAction; payment: Omit<Contract['payment'], 'status'>; fee: FeeTerms; event: Record<string, unknown>; passed: (c: Contract) => Error; appends?: Append[] },
) =>
  runTransition(deps, {
    contractId: contract._id,
    action: 'initiate',
    by: 'system',
    current: contract,
    prepare: (c) => {
      if (!allowsRecord(CONTRACT_PAYMENT_TABLE, c.payment.status, pass.action)) throw pass.passed(c);
      return { ...c, payment: applyRecord(c.payment, decideRecord(CONTRACT_PAYMENT_TABLE, c.payment.status, pass.action), pass.payment), ruleFacts: { ...c.ruleFacts, ...feeFacts(pass.fee, pass.payment.orderId) } };
    },
    preEvents: [{ type: 'payment_confirmed', actor: SYSTEM, data: pass.event }],
    ...(pass.appends ? { appends: pass.appends } : {}),
  });

/**
 * Money that arrived for a contract that had moved on — revoked or invalidated before its order
 * could be closed, or paid by another order — is never lost: it is kept on the contract
 * (payment.refundsDue), recorded in its audit trail and logged, once per order, to be refunded by
 * hand. The order itself is marked paid with applied: false by the caller (payments/settlement.ts).
 */
const recordRefundDue = async (deps: Deps, contractId: string, order: Order, transactionId: string): Promise<void> => {
  const recorded: { state?: Contract['state'] } = {};
  await recordChange(deps, () => loadContract(deps, contractId), (c, now) => {
    recorded.state = c.state;
    if ((c.payment.refundsDue ?? []).some((r) => r.orderId === order._id)) {
      delete recorded.state; // already recorded (by another delivery): nothing to write or log
      return null;
    }
    return {
      contract: { ...c, payment: { ...c.payment, refundsDue: [...(c.payment.refundsDue ?? []), { orderId: order._id, transactionId, amountFen: order.amountFen, at: now }] } },
      events: [{ type: 'payment_refund_due', actor: SYSTEM, data: { orderId: order._id, amountFen: order.amountFen, transactionId, state: c.state } }],
    };
  });
  if (recorded.state) deps.log.warn({ orderId: order._id, contractId, amountFen: order.amountFen, state: recorded.state }, 'paid, but the contract had moved on: recorded for refund by hand');
};

/**
 * A paid initiation order initiates its contract. Returns whether the payment did what it was for
 * (now or on an earlier delivery); false when the contract had moved on — revoked, invalidated,
 * paid by another order — and the money is recorded for refund (recordRefundDue).
 * CONFLICT is thrown (the webhook answers 5xx and WeChat redelivers).
 */
export const confirmInitiation = async (deps: Deps, order: Order, transactionId: string): Promise<boolean> => {
  if (!order.contractId) return false;
  const contractId = order.contractId;
  const contract = await loadContract(deps, contractId);
  if (!contract) return false;
  const byThis = (c: Contract) => c.payment.status === 'paid' && c.payment.orderId === order._id;
  if (byThis(contract)) return true;
  const notApplied = async () => {
    await recordRefundDue(deps, contractId, order, transactionId);
    return false;
  };
  if (contract.payment.status !== 'unpaid') return notApplied();
  const now = deps.clock.now().toISOString();
  try {
    await passGate(deps, contract, {
      action: 'pay',
      payment: { amountFen: order.amountFen, orderId: order._id, paidAt: now },
      fee: order,
      event: { orderId: order._id, amountFen: order.amountFen, listFen: order.listFen, couponId: order.couponId, transactionId },
      passed: (c) => new GatePassed(byThis(c)),
    });
    return true;
  } catch (e) {
    if (e instanceof GatePassed) return e.byThisOrder || notApplied();
    if (isAppError(e) && e.code !== 'CONFLICT') return notApplied(); // the table refuses: the contract is no longer a draft
    throw e;
  }
};

/**
 * A price of 0 (free quota, saver card, coupon, or no fee) passes the gate with no order: payment
 * 'waived'. The free-quota slot is appended in the initiation's own commit; a coupon that made the
 * price 0 is held first and used after, or released if the initiation did not happen (a double tap
 * holds it twice under this one holder; each tap gives back only its own part: payments/coupons.ts).
 */
export const waiveInitiation = async (deps: Deps, contract: Contract, openid: string, priced: Priced): Promise<Contract> => {
  const { quote, month, now } = priced;
  const holder: CouponHolder = { orderId: null, contractId: contract._id, item: 'initiation' };
  const slot = quote.usesFreeQuota && quote.freeQuota ? quotaUse(openid, month, quote.freeQuota.used + 1, contract._id, now) : null;
  const { contract: after } = await payWithCoupon(deps, quote.couponId, holder, () =>
    passGate(deps, contract, {
      action: 'waive',
      payment: { amountFen: 0, orderId: null, paidAt: now },
      fee: quote,
      event: { amountFen: 0, waived: true, listFen: quote.listFen, rule: quote.steps.at(-1)?.rule ?? 'list_price', couponId: quote.couponId, ...(slot ? { freeQuotaSlot: slot.slot, month } : {}) },
      passed: () => new AppError('INVALID_TRANSITION', '合同已支付'),
      ...(slot ? { appends: [{ collection: QUOTA_USES, docs: [slot] }] } : {}),
    }),
  );
  return after;
};
