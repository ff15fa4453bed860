import type { CouponListInput } from '../generated/schema-types';
import type { Filter } from '../ports/store';
import { requireCaller, type Operation } from '../ports/operation';
import { COUPONS, type Coupon } from '../payments/coupons';

/** What the user sees of a coupon's state: held by an unpaid payment reads as 锁定 (it comes back if that is not paid). */
const stateOf = (c: Coupon, now: string): 'available' | 'held' | 'used' | 'expired' =>
  c.status === 'used' ? 'used' : now >= c.expiresAt ? 'expired' : c.status;

const LABELS = { available: '可使用', held: '支付中锁定', used: '已使用', expired: '已过期' } as const;

/**
 * 我的优惠券 (F1): the caller's coupons, soonest to lapse first, through the (openid, expiresAt)
 * index. `filter`: usable now (default: available or held by a payment under way), used, expired,
 * or all; paged like 我的合同 (`page`, `pageSize`).
 */
export const couponList: Operation<CouponListInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const now = deps.clock.now().toISOString();
  const filter = input.filter ?? 'usable';
  const where: Filter = { openid };
  if (filter === 'usable') Object.assign(where, { expiresAt: { $gt: now }, status: { $in: ['available', 'held'] } });
  else if (filter === 'used') Object.assign(where, { status: 'used' });
  else if (filter === 'expired') Object.assign(where, { expiresAt: { $lte: now }, status: { $ne: 'used' } });
  const limit = input.pageSize ?? 20;
  const page = input.page ?? 1;
  const rows = await deps.store.find<Coupon>(COUPONS, where, { orderBy: [['expiresAt', 'asc']], limit: limit + 1, skip: (page - 1) * limit });
  return {
    items: rows.slice(0, limit).map((c) => {
      const state = stateOf(c, now);
      return {
        id: c._id, title: c.title, type: c.type,
        ...(c.type === 'amount_off' ? { amountOffFen: c.amountOffFen } : { percentOff: c.percentOff }),
        minPriceFen: c.minPriceFen, items: c.items, kinds: c.kinds,
        issuedAt: c.issuedAt, expiresAt: c.expiresAt, usedAt: c.usedAt,
        state, stateLabel: LABELS[state],
      };
    }),
    hasMore: rows.length > limit,
  };
};
