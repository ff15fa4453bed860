import type { CardBuyInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import type { Deps } from '../ports/operation';
import { cardActive, grantCard, loadCard, type SaverCard } from '../payments/cards';
import { placeOrder, renewOrder, withdrawOrder, type PlacedOrder } from '../payments/checkout';
import { payWithCoupon } from '../payments/coupons';
import { sameTerms } from '../payments/orders';
import { priceFor, type Priced } from '../payments/pricing';
import { expectQuoted, quoteView } from '../payments/quote-view';

const DESCRIPTION = '电子签-省钱月卡';

const cardView = (card: SaverCard | null, now: string) =>
  card ? { active: cardActive(card, now), validFrom: card.validFrom, validUntil: card.validUntil } : null;

/**
 * Buys the saver card (省钱月卡, F1): one month from where the current card ends (rules/fees.ts).
 * Priced on the server like everything else (a coupon for the card may lower it; PRICE_CHANGED
 * when the page showed another price). The card is granted when WeChat Pay confirms the payment;
 * a coupon that makes it free grants it at once. One open card order per user, as for contracts.
 */
export const cardBuy: Operation<CardBuyInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const priced = await priceFor(deps, { item: 'saver_card', buyer: openid, contract: null, couponId: input.couponId, subject: openid });
  const { quote, open } = priced;
  expectQuoted(priced, input.quotedAmountFen);
  // The earlier purchase, paid meanwhile: that is the card bought.
  const boughtBefore = async () => ({ orderId: open!._id, amountFen: open!.amountFen, paid: true, quote: quoteView(priced), card: cardView(await loadCard(deps, openid), deps.clock.now().toISOString()) });
  if (open && sameTerms(open, quote)) {
    const renewed = await renewOrder(deps, open, DESCRIPTION);
    return renewed === 'paid' ? boughtBefore() : ordered(deps, priced, renewed);
  }
  if (open && (await withdrawOrder(deps, open, 'superseded')) === 'paid') return boughtBefore();
  if (quote.amountFen > 0) {
    return ordered(deps, priced, await placeOrder(deps, { purpose: 'saver_card', subject: openid, contractId: null, openid, quote, description: DESCRIPTION }));
  }
  // Free with a coupon: no order; the coupon's id names the purchase, so a retry grants nothing more.
  const couponId = quote.couponId as string; // the card is never free without one (its price is ≥ 1 fen)
  const card = await payWithCoupon(deps, couponId, { orderId: null, contractId: null, item: 'saver_card' }, () => grantCard(deps, openid, `coupon:${couponId}`));
  return { orderId: null, amountFen: 0, paid: true, quote: quoteView(priced), card: cardView(card, deps.clock.now().toISOString()) };
};

/** An order to pay: the card stays as priced (read just now by priceFor) until the payment is confirmed. */
const ordered = (deps: Deps, priced: Priced, placed: PlacedOrder) => ({
  orderId: placed.order._id,
  amountFen: placed.order.amountFen,
  paid: false,
  requestPayment: placed.requestPayment,
  quote: quoteView(priced),
  card: cardView(priced.card, deps.clock.now().toISOString()),
});
