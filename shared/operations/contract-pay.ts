import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { ContractPayInput } from '../generated/schema-types';
import { requireCaller, type Operation, type OpContext } from '../ports/operation';
import { placeOrder, renewOrder, withdrawOrder, type PlacedOrder } from '../payments/checkout';
import { loadAsParty, loadContract } from '../contracts/repository';
import { withdrawDraftOrder } from '../payments/draft-orders';
import { sameTerms } from '../payments/orders';
import { waiveInitiation } from '../payments/payment-gate';
import { priceFor, type Priced } from '../payments/pricing';
import { INVITATION_TEMPLATES, preview } from '../contracts/transition';
import { expectAllowed } from '../messages/limits';
import { contractView } from '../contracts/views';
import { expectQuoted, quoteView } from '../payments/quote-view';

/** Tries at a price of 0 before answering CONFLICT: a lost race for the last free slot is re-priced. */
const MAX_PRICINGS = 3;

/**
 * Pays the initiation fee (I6, F1, F2). The price is the server's: quota, saver card and the
 * coupon picked are applied here (rules/fees.ts); a `quotedAmountFen` the page showed is never
 * charged — when it is not the price any more the call is refused (PRICE_CHANGED), so the price
 * shown is the price charged. A price of 0 passes the gate at once, with no order. Otherwise the
 * answer is the order and the wx.requestPayment parameters; the contract stays a draft until WeChat
 * Pay's notification (or the reconcile timer) confirms the payment.
 *
 * One open order per contract: paying again for the same price and coupon renews that order's
 * parameters; a different price or coupon closes it first. The order is created only when the
 * contract could be initiated once paid, so nobody pays for a contract the table would refuse.
 */
export const contractPay: Operation<ContractPayInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  if (index !== 0) throw new AppError('FORBIDDEN', '仅发起人可支付');
  if (contract.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
  const decision = preview({ ...contract, payment: { ...contract.payment, status: 'paid' } }, 'initiate', 'system', deps.clock.now().toISOString());
  // M2: nothing is charged for an initiation whose invitation the limit would not let out.
  for (const n of decision.notify) {
    const phone = contract.parties[n.party]?.details?.phone;
    if (phone && INVITATION_TEMPLATES.includes(n.sms)) await expectAllowed(deps, 'invite', { contractId: contract._id, caller: openid, destination: phone });
  }

  for (let attempt = 1; ; attempt++) {
    const priced = await priceFor(deps, { item: 'initiation', buyer: openid, contract, couponId: input.couponId, subject: contract._id });
    const { quote, open } = priced;
    expectQuoted(priced, input.quotedAmountFen);
    const description = `电子签-${contract.title}`;
    if (open && sameTerms(open, quote)) {
      const renewed = await renewOrder(deps, open, description);
      return renewed === 'paid' ? settled(ctx, contract._id, open._id) : answer(ctx, contract, priced, await stillPayable(ctx, contract._id, renewed));
    }
    if (open && (await withdrawOrder(deps, open, 'superseded')) === 'paid') return settled(ctx, contract._id, open._id);
    if (quote.amountFen > 0) {
      const placed = await placeOrder(deps, { purpose: 'initiation', subject: contract._id, contractId: contract._id, openid, quote, description });
      return answer(ctx, contract, priced, await stillPayable(ctx, contract._id, placed));
    }
    try {
      const after = await waiveInitiation(deps, contract, openid, priced);
      return { orderId: null, amountFen: 0, paid: true, quote: quoteView(priced), contract: contractView(after, 0, deps.clock.now().toISOString()) };
    } catch (e) {
      // Another initiation took the free slot this price counted on: price again.
      if (!(e instanceof AppError && e.code === 'CONFLICT' && quote.usesFreeQuota && attempt < MAX_PRICINGS)) throw e;
    }
  }
};

/**
 * The order is at WeChat Pay now; is its contract still a draft waiting for it? A revoke (or any
 * end of the draft) that committed while the order was being placed may have looked for an open
 * order to close before ours existed. Looking again here, after the order exists at both ends,
 * closes that gap: either the draft's end found the order, or we find the draft ended. Then the
 * order is withdrawn (closed there and here, its coupon back; left to the reconcile timer if WeChat
 * Pay is unreachable) and the caller refused as it would have been a moment later — it never gets
 * the parameters to pay with.
 */
const stillPayable = async (ctx: OpContext, contractId: string, placed: PlacedOrder): Promise<PlacedOrder> => {
  const { deps } = ctx;
  const fresh = await loadContract(deps, contractId);
  if (fresh?.state === 'draft' && fresh.payment.status === 'unpaid') return placed;
  await withdrawDraftOrder(deps, contractId, placed.order);
  if (!fresh) throw new AppError('NOT_FOUND');
  if (fresh.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
  preview({ ...fresh, payment: { ...fresh.payment, status: 'paid' } }, 'initiate', 'system', deps.clock.now().toISOString());
  throw new AppError('INVALID_TRANSITION'); // unreachable: a draft the table would initiate once paid is still payable
};

/** An order to pay: the contract is still the draft it was, until the payment is confirmed. */
const answer = (ctx: OpContext, contract: Contract, priced: Priced, placed: PlacedOrder) => ({
  orderId: placed.order._id,
  amountFen: placed.order.amountFen,
  paid: false,
  requestPayment: placed.requestPayment,
  quote: quoteView(priced),
  contract: contractView(contract, 0, ctx.deps.clock.now().toISOString()),
});

/** The order being replaced turned out paid: the contract passed the gate with it. */
const settled = async (ctx: OpContext, contractId: string, orderId: string) => {
  const c = (await loadContract(ctx.deps, contractId)) as Contract;
  return { orderId, amountFen: c.payment.amountFen, paid: c.payment.status !== 'unpaid', contract: contractView(c, 0, ctx.deps.clock.now().toISOString()) };
};
