/**
 * Coupons (优惠券, F1): issued to one user by a campaign (config/fees.json), used once. Data only;
 * records.ts reads it.
 *
 * When does a coupon become …
 * - available: when it is issued, and again when the payment it was held for does not happen
 *   (`release`: the order closed, the price-0 initiation failed, the reconcile timer finding a
 *   stale hold whose payment never completed). Then its holder is cleared.
 * - held: when a payment picks it (`hold`, compare-and-set available → held), so two payments
 *   cannot count on it. A price-0 payment with no order may be counted on by several attempts at
 *   once (a double tap: same holder): each `join`s the hold and `leave`s it when it gives up; the
 *   hold is released only when the last attempt gives up. A hold by another holder refuses `hold`
 *   and `join` — the caller answers COUPON_UNAVAILABLE, and decides which of the two by the holder.
 * - used: when its payment completes (`use`: the order paid and applied, or initiated at price 0).
 *   Then usedAt. A coupon given back while its order was closed, and then used by that order's
 *   late payment that still applied, goes available → used. Used is final: using or releasing it
 *   again changes nothing.
 *
 * Expiry is not a status: a coupon past expiresAt is void wherever the fee rules look at it, and
 * the coupon list labels it 已过期 (a view of expiresAt, not a stored value).
 */
import { stays, type RecordTable } from './records';

export const COUPON_STATES = ['available', 'held', 'used'] as const;
export type CouponStatus = (typeof COUPON_STATES)[number];

export const COUPON_ACTIONS = ['hold', 'join', 'leave', 'release', 'use'] as const;
export type CouponAction = (typeof COUPON_ACTIONS)[number];

export const COUPON_EFFECTS = [
  'recordHolder', // holder, heldAt = now, attempts = [this attempt]
  'addAttempt', //   attempts + this attempt
  'dropAttempt', //  attempts − this attempt (others remain)
  'clearHolder', //  holder = null, heldAt = null, attempts = []
  'recordUse', //    holder, usedAt = now, attempts = []
] as const;
export type CouponEffect = (typeof COUPON_EFFECTS)[number];

export const COUPON_TABLE: RecordTable<CouponStatus, CouponAction, CouponEffect> = {
  kind: 'coupon',
  label: '优惠券',
  states: COUPON_STATES,
  actions: COUPON_ACTIONS,
  initial: 'available',
  terminal: ['used'],
  rows: [
    { from: 'available', action: 'hold', to: 'held', effects: ['recordHolder'] },
    { from: 'held', action: 'join', to: 'held', effects: ['addAttempt'], note: 'same holder only: another attempt of the same price-0 payment' },
    { from: 'held', action: 'leave', to: 'held', effects: ['dropAttempt'], note: 'one attempt gives up while another still counts on the hold' },
    { from: 'held', action: 'release', to: 'available', effects: ['clearHolder'] },
    ...stays(['available'], 'release', 'nothing held: nothing to give back'),
    ...stays(['used'], 'release', 'a used coupon is never given back'),
    { from: 'held', action: 'use', to: 'used', effects: ['recordUse'] },
    { from: 'available', action: 'use', to: 'used', effects: ['recordUse'], note: "the late payment of an order closed meanwhile (its hold given back) that still applied spends it" },
    ...stays(['used'], 'use', 'used once: a repeat changes nothing'),
  ],
};
