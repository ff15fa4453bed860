/**
 * A price as the payment page shows it (F1, F3) — the amount, each step that made it, the quota and
 * the card — and the rule that the price shown is the price charged (PRICE_CHANGED). fee-quote
 * shows it; contract-pay, card-buy and evidence-report-request check it before charging.
 */
import { AppError } from '../errors';
import type { PriceStep } from '../rules/fees';
import { formatYuan } from '../rules/money';
import { cardActive } from './cards';
import type { Priced } from './pricing';

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
