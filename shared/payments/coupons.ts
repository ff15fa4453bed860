/**
 * Coupons (优惠券, F1): issued to one user by a marketing campaign (config/fees.json), used once,
 * void after their expiry. A coupon picked for a payment is first HELD for it (compare-and-set
 * available → held), so two payments cannot both count on it; it becomes USED when that payment
 * completes (paid, or initiated at price 0) and goes back to AVAILABLE when the payment does not
 * happen (order closed). A hold left behind by a crash is resolved by the reconcile timer.
 *
 * A hold with no order (an initiation or card grant at price 0) may be counted on by several
 * attempts at once — a double tap prices both taps with the same holder — so each attempt joins
 * the hold and gives back only its own part: the coupon becomes available again when the last
 * attempt gives up, never while another may still complete with it. (Otherwise the losing tap's
 * release would let a third payment take the coupon the winning tap is about to use.)
 */
import { AppError } from '../errors';
import type { Doc } from '../ports/store';
import { couponExpiresAt, type CouponCampaign, type CouponTerms, type FeeItem } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';
import { updateDoc } from '../store/update-doc';
import { allowsRecord, applyRecord, COUPON_TABLE, decideRecord, newRecord, type CouponStatus } from '../lifecycle';

export const COUPONS = collectionName('coupons');

/** Who holds a coupon: an order, or an initiation / card grant made at price 0 with no order. */
export interface CouponHolder {
  orderId: string | null;
  contractId: string | null;
  item: FeeItem;
}

export interface Coupon extends Doc {
  _id: string;
  openid: string;
  campaign: string;
  title: string;
  type: CouponCampaign['type'];
  amountOffFen: number;
  percentOff: number;
  minPriceFen: number;
  items: FeeItem[];
  kinds: string[] | null;
  issuedAt: string;
  expiresAt: string;
  status: CouponStatus;
  holder: CouponHolder | null;
  heldAt: string | null;
  usedAt: string | null;
  /** While held: the attempts counting on the hold (see above); absent on coupons held before it existed. */
  attempts?: string[];
}

const sameHolder = (a: CouponHolder | null, b: CouponHolder): boolean =>
  a !== null && a.orderId === b.orderId && a.contractId === b.contractId && a.item === b.item;

/** The rules' view of a coupon, for a payment by `holder` (its own hold does not count against it). */
export const couponTerms = (c: Coupon, holder: CouponHolder): CouponTerms => ({
  id: c._id, openid: c.openid, type: c.type, amountOffFen: c.amountOffFen, percentOff: c.percentOff,
  minPriceFen: c.minPriceFen, items: c.items, kinds: c.kinds, expiresAt: c.expiresAt,
  used: c.status === 'used',
  heldElsewhere: c.status === 'held' && !sameHolder(c.holder, holder),
});

/** Issues one coupon of a campaign to a user (marketing; the emulator's /_emulator/coupons). */
export const issueCoupon = async (deps: Deps, openid: string, campaign: string): Promise<Coupon> => {
  const terms = deps.config.fees.campaigns[campaign];
  if (!terms) throw new AppError('VALIDATION_FAILED', '没有这个优惠券活动', { fields: [{ field: '/campaign', rule: 'enum', allowed: Object.keys(deps.config.fees.campaigns) }] });
  const now = deps.clock.now().toISOString();
  const coupon: Coupon = newRecord(COUPON_TABLE, {
    _id: deps.ids.id('cp'), openid, campaign, title: terms.title, type: terms.type,
    amountOffFen: terms.amountOffFen, percentOff: terms.percentOff, minPriceFen: terms.minPriceFen,
    items: [...terms.items], kinds: terms.kinds ? [...terms.kinds] : null,
    issuedAt: now, expiresAt: couponExpiresAt(now, terms.validDays),
    holder: null, heldAt: null, usedAt: null,
  });
  await deps.store.insert(COUPONS, coupon);
  return { ...coupon, version: 1 };
};

/** One compare-and-set step on a coupon (store/update-doc.ts); `change` returns null for "nothing to do". */
const updateCoupon = async (deps: Deps, id: string, change: (c: Coupon) => Coupon | null): Promise<Coupon | null> =>
  (await updateDoc(deps, COUPONS, id, change)).doc;

/**
 * available → held by `holder`, or joins `holder`'s hold; COUPON_UNAVAILABLE when another payment
 * got it first. Returns this attempt's id, for `releaseCoupon` to give back only this attempt's part.
 */
export const holdCoupon = async (deps: Deps, id: string, holder: CouponHolder): Promise<string> => {
  const attempt = deps.ids.id('ca');
  let refused = false;
  await updateCoupon(deps, id, (c) => {
    const action = c.status === 'held' && sameHolder(c.holder, holder) ? 'join' : 'hold';
    if (!allowsRecord(COUPON_TABLE, c.status, action)) {
      refused = true;
      return null;
    }
    const d = decideRecord(COUPON_TABLE, c.status, action);
    return applyRecord(c, d, action === 'join' ? { attempts: [...(c.attempts ?? []), attempt] } : { holder, heldAt: deps.clock.now().toISOString(), attempts: [attempt] });
  });
  if (refused) throw new AppError('COUPON_UNAVAILABLE', undefined, { couponId: id, reason: 'in_use' });
  return attempt;
};

/** held by `holder` → used (once; a coupon already used stays as it was). */
export const useCoupon = (deps: Deps, id: string, holder: CouponHolder): Promise<Coupon | null> =>
  updateCoupon(deps, id, (c) => {
    if (c.status === 'held' && !sameHolder(c.holder, holder)) return null; // held for another payment: not this one's to use
    const d = decideRecord(COUPON_TABLE, c.status, 'use');
    return d.noop ? null : applyRecord(c, d, { holder, usedAt: deps.clock.now().toISOString(), attempts: [] });
  });

/**
 * held by `holder` → available again (the payment did not happen). With `attempt`, only that
 * attempt's part is given back: the coupon stays held while another attempt still counts on it.
 * Without it (an order's hold, or the reconcile timer resolving a stale one), the whole hold.
 */
export const releaseCoupon = (deps: Deps, id: string, holder: CouponHolder, attempt?: string): Promise<Coupon | null> =>
  updateCoupon(deps, id, (c) => {
    if (c.status === 'held' && !sameHolder(c.holder, holder)) return null; // another payment's hold
    const others = c.status !== 'held' || attempt === undefined ? [] : (c.attempts ?? []).filter((a) => a !== attempt);
    if (others.length > 0) return others.length === c.attempts?.length ? null : applyRecord(c, decideRecord(COUPON_TABLE, c.status, 'leave'), { attempts: others });
    const d = decideRecord(COUPON_TABLE, c.status, 'release');
    return d.noop ? null : applyRecord(c, d, { holder: null, heldAt: null, attempts: [] });
  });

/**
 * A payment made with no order (at price 0): `pay` runs with the coupon held for `holder` — joining
 * the hold on a double tap — then the coupon is used, or, when `pay` throws, this attempt's part of
 * the hold is given back (never a hold another attempt still counts on). No coupon: just `pay`.
 */
export const payWithCoupon = async <T>(deps: Deps, couponId: string | null, holder: CouponHolder, pay: () => Promise<T>): Promise<T> => {
  if (!couponId) return pay();
  const attempt = await holdCoupon(deps, couponId, holder);
  let out: T;
  try {
    out = await pay();
  } catch (e) {
    await releaseCoupon(deps, couponId, holder, attempt);
    throw e;
  }
  await useCoupon(deps, couponId, holder);
  return out;
};
