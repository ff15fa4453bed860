/**
 * Settling an order from what the payment provider says — a verified notification, or the answer
 * to an order query by the reconcile timer; both go through here, so both make the same checks and
 * both are idempotent. The checks (F2, 《支付通知》 "校验通知的信息是否与商户侧的信息一致"): our
 * merchant and app, paid (SUCCESS, with a transaction id), amount.total in CNY equal to the order's
 * amount, and the payer being the user the order was made for. Then, in this order, each step
 * safe to repeat: the payment's effect (initiate the contract / extend the card / check that the
 * contract can still be reported), the coupon used (or given back when the payment did not apply
 * and is to be refunded), the order marked paid — so an order marked paid
 * has had everything done, except an evidence report's delivery: marking it paid makes the report
 * due, and the webhook delivers it (evidence/lazy-delivery.ts), or the reconcile timer does.
 */
import type { ProviderTransaction } from '../ports/payments';
import type { Deps } from '../ports/operation';
import { grantCard } from './cards';
import { releaseCoupon, useCoupon } from './coupons';
import { markPaid, orderHolder, type Order } from './orders';
import { confirmInitiation } from './payment-gate';
import { reportPayable } from '../evidence/report-orders';
import { decideRecord, ORDER_TABLE } from '../lifecycle';
import { requestRefund } from './refunds';

export type SettleRefusal = 'merchant_mismatch' | 'not_paid' | 'amount_mismatch' | 'payer_mismatch';

export type SettleOutcome =
  | { ok: true; order: Order; applied: boolean; duplicate: boolean }
  | { ok: false; reason: SettleRefusal };

/** Why a provider's word about this order cannot be taken (null: it can). Pure. */
export const settleRefusal = (order: Order, tx: ProviderTransaction, merchant: { mchid: string; appid: string }): SettleRefusal | null => {
  if (tx.mchid !== merchant.mchid || (tx.appid !== undefined && tx.appid !== merchant.appid) || tx.outTradeNo !== order._id) return 'merchant_mismatch';
  if (tx.tradeState !== 'SUCCESS' || !tx.transactionId) return 'not_paid';
  if (tx.amount.total !== order.amountFen || (tx.amount.currency !== undefined && tx.amount.currency !== 'CNY')) return 'amount_mismatch';
  if (tx.payerOpenid !== undefined && tx.payerOpenid !== order.openid) return 'payer_mismatch';
  return null;
};

/**
 * A payment with another transaction id for an order already paid (`pay_duplicate`: the payer paid
 * twice) is refunded automatically: its refund and job recorded once (payments/refunds.ts).
 */
const refundIfSecondPayment = async (deps: Deps, order: Order, transactionId: string): Promise<Order> => {
  if (!order.transactionId || order.transactionId === transactionId) return order;
  if (!decideRecord(ORDER_TABLE, order.status, 'pay_duplicate').effects.includes('recordRefundDue')) return order;
  deps.log.warn({ orderId: order._id }, 'a second payment for an order already paid: refunded');
  return (await requestRefund(deps, order._id, { transactionId, amountFen: order.amountFen, cause: 'duplicate_payment' })).order;
};

export const settleOrder = async (deps: Deps, order: Order, tx: ProviderTransaction): Promise<SettleOutcome> => {
  const refusal = settleRefusal(order, tx, deps.payments.notificationKeys());
  if (refusal) return { ok: false, reason: refusal };
  const transactionId = tx.transactionId as string; // settleRefusal checked it
  if (decideRecord(ORDER_TABLE, order.status, 'pay').noop) return { ok: true, order: await refundIfSecondPayment(deps, order, transactionId), applied: order.applied ?? false, duplicate: true };

  const applied =
    order.purpose === 'initiation' ? await confirmInitiation(deps, order, transactionId)
    : order.purpose === 'evidence_report' ? await reportPayable(deps, order)
    : (await grantCard(deps, order.openid, order._id), true);
  // A payment that did not apply is refunded by hand: its coupon comes back rather than being spent.
  const d = decideRecord(ORDER_TABLE, order.status, applied ? 'pay' : 'pay_unapplied');
  if (order.couponId && d.effects.includes('useCoupon')) await useCoupon(deps, order.couponId, orderHolder(order));
  if (order.couponId && d.effects.includes('releaseCoupon')) await releaseCoupon(deps, order.couponId, orderHolder(order));
  const { order: after, changed } = await markPaid(deps, order, transactionId, applied);
  return { ok: true, order: changed ? after : await refundIfSecondPayment(deps, after, transactionId), applied: after.applied ?? applied, duplicate: !changed };
};

/** Asks the provider about an order and settles it when it was paid. null: the provider does not say SUCCESS. */
export const settleFromProvider = async (deps: Deps, order: Order): Promise<SettleOutcome | null> => {
  const tx = await deps.payments.queryOrder(order._id);
  if (!tx || tx.tradeState !== 'SUCCESS') return null;
  return settleOrder(deps, order, tx);
};
