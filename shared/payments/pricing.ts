/**
 * Gathers the facts a price depends on — free initiations used this China month, the saver card,
 * the coupon picked and the open order that may already hold it, read at once — and asks the
 * rules (rules/fees.ts). The caller's openid is the buyer: a
 * coupon that is not theirs reads exactly like one that does not exist.
 */
import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import { chinaMonth, quote as priceQuote, type FeeItem, type PriceFacts, type Quote } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { cardActive, loadCard, type SaverCard } from './cards';
import { COUPONS, couponTerms, type Coupon, type CouponHolder } from './coupons';
import { findOpenOrder, openKey, type Order } from './orders';
import { freeQuotaUsed } from './quota';

export interface Priced {
  quote: Quote;
  coupon: Coupon | null;
  card: SaverCard | null;
  /** The China month the free quota was counted in. */
  month: string;
  now: string;
  /** The facts the quote was made from, to price other coupons alike (fee-quote's list). */
  facts: PriceFacts;
  /** The open order for this item and subject, if any (one at a time: payments/orders.ts openKey). */
  open: Order | null;
  /** Who would hold the coupon: the open order, or no order yet. Its own hold does not make a coupon "in use". */
  holder: CouponHolder;
}

export interface PriceRequest {
  item: FeeItem;
  buyer: string;
  /** The contract paid for (initiation, evidence report). */
  contract: Contract | null;
  couponId?: string | undefined;
  /** What is paid for, one open order at a time: the contract (initiation), the buyer (card), contract and party (report). */
  subject: string;
}

export const loadOwnCoupon = async (deps: Deps, id: string, openid: string): Promise<Coupon> => {
  const coupon = await deps.store.get<Coupon>(COUPONS, id);
  if (!coupon || coupon.openid !== openid) throw new AppError('COUPON_UNAVAILABLE', undefined, { couponId: id, reason: 'not_found' });
  return coupon;
};

/** Prices an item for a buyer; the open order for it is looked up alongside the other facts. */
export const priceFor = async (deps: Deps, req: PriceRequest): Promise<Priced> => {
  const now = deps.clock.now().toISOString();
  const month = chinaMonth(now);
  const [used, card, coupon, open] = await Promise.all([
    req.item === 'initiation' ? freeQuotaUsed(deps, req.buyer, month) : Promise.resolve(0),
    loadCard(deps, req.buyer),
    req.couponId ? loadOwnCoupon(deps, req.couponId, req.buyer) : Promise.resolve(null),
    findOpenOrder(deps, openKey(req.item, req.subject)),
  ]);
  const holder: CouponHolder = { orderId: open?._id ?? null, contractId: req.contract?._id ?? null, item: req.item };
  const facts: PriceFacts = {
    item: req.item,
    ...(req.contract ? { kind: req.contract.kind, flow: req.contract.flow } : {}),
    buyer: req.buyer,
    now,
    freeQuotaUsed: used,
    cardActive: cardActive(card, now),
    coupon: coupon ? couponTerms(coupon, holder) : null,
  };
  return { quote: priceQuote(deps.config.fees, facts), coupon, card, month, now, facts, open, holder };
};
