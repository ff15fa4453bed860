import { AppError, isAppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { FeeQuoteInput } from '../generated/schema-types';
import { quote as priceQuote, type PriceStep } from '../rules/fees';
import { formatYuan } from '../rules/money';
import { requireCaller, type Operation } from '../ports/operation';
import { cardActive } from '../payments/cards';
import { loadAsParty } from '../contracts/repository';
import { COUPONS, couponTerms, type Coupon } from '../payments/coupons';
import { priceFor, type Priced } from '../payments/pricing';
import { reportSubject } from '../evidence/report-orders';

/** How each step reads on the payment page. */
const STEP_LABELS: Record<PriceStep['rule'], string> = {
  list_price: '标准价格',
  no_fee: '付款方确认开具，无需付费',
  free_quota: '本月免费额度',
  saver_card: '省钱月卡',
  coupon: '优惠券',
};

/** A quote as the mini-program shows it: the price, each step that made it, the quota and the card. */
export const quoteView = (p: Priced) => {
  const q = p.quote;
  return {
    item: q.item,
    kind: q.kind,
    listFen: q.listFen,
    amountFen: q.amountFen,
    amountYuan: formatYuan(q.amountFen),
    why: q.steps.map((s) => ({ ...s, label: STEP_LABELS[s.rule] })),
    usesFreeQuota: q.usesFreeQuota,
    couponId: q.couponId,
    couponNotNeeded: q.couponNotNeeded,
    freeQuota: q.freeQuota ? { ...q.freeQuota, month: p.month } : null,
    card: p.card ? { active: cardActive(p.card, p.now), validUntil: p.card.validUntil } : null,
  };
};

/** The price shown is the price charged: PRICE_CHANGED when the page's `quotedAmountFen` is not the price any more. */
export const expectQuoted = (priced: Priced, quotedAmountFen: number | undefined): void => {
  if (quotedAmountFen !== undefined && quotedAmountFen !== priced.quote.amountFen) {
    throw new AppError('PRICE_CHANGED', undefined, { amountFen: priced.quote.amountFen, quote: quoteView(priced) });
  }
};

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
    const { contract: c, role } = await loadAsParty(deps, input.contractId, openid);
    if (item === 'initiation' && role !== 'initiator') throw new AppError('FORBIDDEN', '仅发起人需要支付发起费用');
    if (item === 'initiation' && c.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
    contract = c;
    subject = item === 'evidence_report' ? reportSubject(c._id, role) : c._id;
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
