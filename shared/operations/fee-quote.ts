import { AppError, isAppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { FeeQuoteInput } from '../generated/schema-types';
import { quote as priceQuote } from '../rules/fees';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { COUPONS, couponTerms, type Coupon } from '../payments/coupons';
import { priceFor } from '../payments/pricing';
import { quoteView } from '../payments/quote-view';
import { reportSubject } from '../evidence/report-orders';

/**
 * What something will cost now and why (F1, F3): a contract's initiation (its initiator), an
 * evidence report (either party), or the saver card — with the free quota, the card and the
 * coupon picked applied exactly as contract-pay / card-buy will apply them, and every coupon the
 * caller holds priced alike (or the reason it does not apply) so the page can offer the best.
 */
export const feeQuote: Operation<FeeQuoteInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const item = input.item ?? 'initiation';
  let contract: Contract | null = null;
  let subject = openid;
  if (item !== 'saver_card') {
    if (!input.contractId) throw new AppError('VALIDATION_FAILED', '请指定合同', { fields: [{ field: '/contractId', rule: 'required' }] });
    const { contract: c, index } = await loadAsParty(deps, input.contractId, openid);
    if (item === 'initiation' && index !== 0) throw new AppError('FORBIDDEN', '仅发起人需要支付发起费用');
    if (item === 'initiation' && c.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
    contract = c;
    subject = item === 'evidence_report' ? reportSubject(c._id, c.parties[index]!.side) : c._id;
  }
  const priced = await priceFor(deps, { item, buyer: openid, contract, couponId: input.couponId, subject });

  const held = await deps.store.find<Coupon>(COUPONS, { openid, expiresAt: { $gt: priced.now } }, { orderBy: [['expiresAt', 'asc']], limit: 100 });
  const coupons = held
    .filter((c) => c.status !== 'used')
    .map((c) => {
      const row = { couponId: c._id, title: c.title, expiresAt: c.expiresAt };
      try {
        const q = priceQuote(deps.config.fees, { ...priced.facts, coupon: couponTerms(c, priced.holder) });
        return q.couponId === c._id ? { ...row, usable: true, amountFen: q.amountFen } : { ...row, usable: false, reason: 'not_needed' };
      } catch (e) {
        if (isAppError(e) && e.code === 'COUPON_UNAVAILABLE') return { ...row, usable: false, reason: String(e.details?.reason) };
        throw e;
      }
    });
  return { ...quoteView(priced), coupons };
};
