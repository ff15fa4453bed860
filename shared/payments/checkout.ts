/**
 * Placing and withdrawing orders at the payment provider. Our order document is written first
 * (with the coupon held for it), then the provider's order: a provider failure closes ours and
 * gives the coupon back, so nothing is left half-made for the user to stumble on.
 */
import { AppError } from '../errors';
import { StoreDuplicateError } from '../ports/store';
import type { Quote } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { holdCoupon, releaseCoupon } from './coupons';
import { markClosed, ORDERS, openKey, orderHolder, updateOrder, type Order, type OrderPurpose, type ReportRequest } from './orders';
import { settleFromProvider } from './settlement';
import { newRecord, ORDER_TABLE } from '../lifecycle';

export interface OrderRequest {
  purpose: OrderPurpose;
  /** The contract id (initiation), the buyer's openid (card), contract and party (report): one open order per subject. */
  subject: string;
  contractId: string | null;
  openid: string;
  quote: Quote;
  /** The payer's bill line (≤ 127 characters). */
  description: string;
  /** An evidence report's request (who asked, the email), delivered once the order is paid. */
  report?: ReportRequest;
}

export interface PlacedOrder {
  order: Order;
  requestPayment: Record<string, string>;
}

/** created → closed here, and its coupon given back: the order can no longer be paid (or never was placed). */
export const closeAndRelease = async (deps: Deps, order: Order, why: NonNullable<Order['closedWhy']>): Promise<void> => {
  await markClosed(deps, order, why);
  if (order.couponId) await releaseCoupon(deps, order.couponId, orderHolder(order));
};

const providerFailed = (deps: Deps, e: unknown, orderId: string): AppError => {
  deps.log.warn({ err: e, orderId }, 'payment provider refused the order');
  return new AppError('PROVIDER_ERROR', '支付服务暂时不可用，请稍后再试');
};

export const placeOrder = async (deps: Deps, r: OrderRequest): Promise<PlacedOrder> => {
  const now = deps.clock.now().toISOString();
  const order: Order = newRecord(ORDER_TABLE, {
    _id: deps.ids.id('po'), // ≤ 32 characters of [a-z0-9_]: a valid out_trade_no
    purpose: r.purpose, contractId: r.contractId, openid: r.openid,
    listFen: r.quote.listFen, amountFen: r.quote.amountFen, couponId: r.quote.couponId, steps: r.quote.steps,
    openFor: openKey(r.purpose, r.subject),
    prepayId: null, transactionId: null, applied: null,
    createdAt: now, paidAt: null, closedAt: null, closedWhy: null,
    ...(r.report ? { report: r.report } : {}),
  });
  if (order.couponId) await holdCoupon(deps, order.couponId, orderHolder(order));
  try {
    await deps.store.insert(ORDERS, order);
  } catch (e) {
    if (order.couponId) await releaseCoupon(deps, order.couponId, orderHolder(order));
    if (e instanceof StoreDuplicateError) throw new AppError('CONFLICT', '另一笔支付正在创建，请稍后重试');
    throw e;
  }
  let created;
  try {
    created = await deps.payments.createOrder({ orderId: order._id, description: r.description, amountFen: order.amountFen, payerOpenid: r.openid });
  } catch (e) {
    await closeAndRelease(deps, order, 'provider_refused');
    throw providerFailed(deps, e, order._id);
  }
  const prepayId = created.prepayId;
  const { order: saved } = await updateOrder(deps, order._id, (o) => (o.prepayId === prepayId ? null : { ...o, prepayId }));
  return { order: saved, requestPayment: created.requestPayment };
};

/**
 * The same order again (the user came back to pay): WeChat answers an identical JSAPI order with
 * a fresh prepay_id, so the mini-program gets new wx.requestPayment parameters for the same
 * out_trade_no — never a second order that could be paid too. When WeChat refuses because the
 * order was paid meanwhile (its notification still on the way), it is settled now: 'paid'.
 */
export const renewOrder = async (deps: Deps, order: Order, description: string): Promise<PlacedOrder | 'paid'> => {
  let created;
  try {
    created = await deps.payments.createOrder({ orderId: order._id, description, amountFen: order.amountFen, payerOpenid: order.openid });
  } catch (e) {
    const settled = await settleFromProvider(deps, order).catch(() => null);
    if (settled?.ok) return 'paid';
    throw providerFailed(deps, e, order._id);
  }
  const prepayId = created.prepayId;
  const { order: saved } = await updateOrder(deps, order._id, (o) => (o.status !== 'created' || o.prepayId === prepayId ? null : { ...o, prepayId }));
  return { order: saved, requestPayment: created.requestPayment };
};

/**
 * Closes an unpaid order at the provider, then ours, and gives its coupon back. When the provider
 * says it was paid meanwhile, it is settled instead: 'paid'.
 */
export const withdrawOrder = async (deps: Deps, order: Order, why: 'superseded' | 'abandoned'): Promise<'closed' | 'paid'> => {
  let answer;
  try {
    answer = await deps.payments.closeOrder(order._id);
  } catch (e) {
    throw providerFailed(deps, e, order._id);
  }
  if (answer === 'already_paid') {
    const settled = await settleFromProvider(deps, order);
    if (settled?.ok) return 'paid';
    throw new AppError('PROVIDER_ERROR', '支付状态核对中，请稍后再试');
  }
  await closeAndRelease(deps, order, answer === 'not_found' ? 'unknown_at_provider' : why);
  return 'closed';
};
