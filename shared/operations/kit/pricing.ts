/**
 * Gathers the facts a price depends on — free initiations used this China month, the saver card,
 * the coupon picked — and asks the rules (rules/fees.ts). The caller's openid is the buyer: a
 * coupon that is not theirs reads exactly like one that does not exist.
 */
import { AppError } from '../../errors';
import type { Contract } from '../../domain/contract';
import { chinaMonth, quote as priceQuote, type FeeItem, type PriceFacts, type Quote } from '../../rules/fees';
import type { Deps } from '../../runtime/container';
import { cardActive, loadCard, type SaverCard } from './cards';
import { COUPONS, couponTerms, type Coupon, type CouponHolder } from './coupons';
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
}

export interface PriceRequest {
  item: FeeItem;
  buyer: string;
  /** The contract paid for (initiation, evidence report). */
  contract: Contract | null;
  couponId?: string | undefined;
  /** Who would hold the coupon: its own hold does not make it "in use". */
  holder: CouponHolder;
}

export const loadOwnCoupon = async (deps: Deps, id: string, openid: string): Promise<Coupon> => {
  const coupon = await deps.store.get<Coupon>(COUPONS, id);
  if (!coupon || coupon.openid !== openid) throw new AppError('COUPON_UNAVAILABLE', undefined, { couponId: id, reason: 'not_found' });
  return coupon;
};

export const priceFor = async (deps: Deps, req: PriceRequest): Promise<Priced> => {
  const now = deps.clock.now().toISOString();
  const month = chinaMonth(now);
  const [used, card, coupon] = await Promise.all([
    req.item === 'initiation' ? freeQuotaUsed(deps, req.buyer, month) : Promise.resolve(0),
    loadCard(deps, req.buyer),
    req.couponId ? loadOwnCoupon(deps, req.couponId, req.buyer) : Promise.resolve(null),
  ]);
  const facts: PriceFacts = {
    item: req.item,
    ...(req.contract ? { kind: req.contract.kind, flow: req.contract.flow } : {}),
    buyer: req.buyer,
    now,
    freeQuotaUsed: used,
    cardActive: cardActive(card, now),
    coupon: coupon ? couponTerms(coupon, req.holder) : null,
  };
  return { quote: priceQuote(deps.config.fees, facts), coupon, card, month, now, facts };
};
