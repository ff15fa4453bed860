/**
 * Refunds (issue 16 item 5): every refund recorded on its order (`order.refunds`), one per payment
 * (out_refund_no "RF" + its transaction_id), moved only by lifecycle/refund.ts, and asked of WeChat
 * Pay by an outbox job written in the same commit as the record (messages/job-rows.ts) — so nothing
 * is asked before the record holds, a retried job asks for the same refund, and none is asked twice.
 *
 * Who asks: settlement, automatically, for a payment that cannot be applied (a second payment of an
 * order already paid; a payment whose order was closed or whose purpose moved on), and the operator
 * (payment-refund, scripts/refund.ts) for customer service. WeChat Pay's answer and its verified
 * 《退款结果通知》 move the record (applyRefundResult); the payer sees it in contract-get.
 */
import { AppError } from '../errors';
import { applyRecord, decideRecord, newRecord, REFUND_TABLE, type RefundAction, type RefundStatus } from '../lifecycle';
import type { OutboxRow } from '../messages/outbox';
import { jobAppend, refundJobRow } from '../messages/job-rows';
import type { Deps } from '../ports/operation';
import type { ProviderRefund, ProviderRefundStatus } from '../ports/payments';
import type { Order } from './orders';
import { collectionName } from '../store/collections';

// Named here, not imported from orders.ts, which imports this module (markPaid records refunds).
const ORDERS = collectionName('orders');

/** Why the money goes back. */
export type RefundCause = 'duplicate_payment' | 'not_applied' | 'operator';

export interface RefundRecord {
  status: RefundStatus;
  /** "RF" + transactionId: one refund per payment, the same at WeChat Pay however often asked. */
  outRefundNo: string;
  /** The payment refunded (an order paid twice has two). */
  transactionId: string;
  amountFen: number;
  cause: RefundCause;
  /** The operator's reference for a customer-service refund (never sent anywhere); null otherwise. */
  ticket: string | null;
  requestedAt: string;
  refundId: string | null;
  succeededAt: string | null;
  /** Where the money went (user_received_account, e.g. 支付用户零钱). */
  account: string | null;
  /** WeChat Pay's last word: PROCESSING, SUCCESS, CLOSED, ABNORMAL. */
  providerStatus: ProviderRefundStatus | null;
}

/** The payer's words for a refund (contract-get). */
export const REFUND_LABELS: Record<RefundStatus, string> = {
  requested: '退款申请中',
  processing: '退款处理中',
  succeeded: '已退款',
  closed: '退款关闭，请联系客服',
  abnormal: '退款异常，请联系客服',
};
const CAUSE_LABELS: Record<RefundCause, string> = {
  duplicate_payment: '重复支付',
  not_applied: '订单已关闭或已失效',
  operator: '客服退款',
};
/** The reason WeChat Pay shows the payer with the refund: our words only. */
export const refundReason = (cause: RefundCause): string => CAUSE_LABELS[cause];

export const outRefundNoOf = (transactionId: string): string => `RF${transactionId}`;

/** The order with a new refund of `transactionId` and its job row; null when that payment has one already. */
export const withRefund = (
  deps: Deps,
  order: Order,
  ask: { transactionId: string; amountFen: number; cause: RefundCause; ticket?: string | null },
): { order: Order; row: OutboxRow; refund: RefundRecord } | null => {
  const outRefundNo = outRefundNoOf(ask.transactionId);
  if ((order.refunds ?? []).some((r) => r.outRefundNo === outRefundNo)) return null;
  const refund = newRecord(REFUND_TABLE, {
    outRefundNo, transactionId: ask.transactionId, amountFen: ask.amountFen, cause: ask.cause, ticket: ask.ticket ?? null,
    requestedAt: deps.clock.now().toISOString(), refundId: null, succeededAt: null, account: null, providerStatus: null,
  }) as RefundRecord;
  return { order: { ...order, refunds: [...(order.refunds ?? []), refund] }, row: refundJobRow(deps, order.contractId, order._id, outRefundNo), refund };
};

/**
 * Records a refund of one payment of the order and its job, in one commit, once. Answers the
 * order as stored, the refund, and whether this call recorded it (false: it was already).
 */
export const requestRefund = async (
  deps: Deps,
  orderId: string,
  ask: { transactionId: string; amountFen: number; cause: RefundCause; ticket?: string | null },
): Promise<{ order: Order; refund: RefundRecord; created: boolean; row: OutboxRow | null }> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const fresh = await deps.store.get<Order>(ORDERS, orderId);
    if (!fresh) throw new AppError('NOT_FOUND', '订单不存在');
    const next = withRefund(deps, fresh, ask);
    if (!next) return { order: fresh, refund: fresh.refunds!.find((r) => r.outRefundNo === outRefundNoOf(ask.transactionId))!, created: false, row: null };
    const r = await deps.store.commit([{ collection: ORDERS, doc: next.order, expectedVersion: fresh.version ?? 0 }], jobAppend([next.row]));
    if (r.ok) {
      deps.log.warn({ orderId, outRefundNo: next.refund.outRefundNo, amountFen: ask.amountFen, cause: ask.cause }, 'refund requested');
      return { order: { ...next.order, version: r.version }, refund: next.refund, created: true, row: next.row };
    }
  }
  throw new AppError('CONFLICT');
};

const ACTION_OF: Record<ProviderRefundStatus, RefundAction> = { PROCESSING: 'accept', SUCCESS: 'succeed', CLOSED: 'close', ABNORMAL: 'abnormal' };

export type RefundResult = { ok: true; refund: RefundRecord; changed: boolean } | { ok: false; reason: 'unknown_refund' | 'amount_mismatch' };

/**
 * WeChat Pay's word on a refund (the answer to our request, or a verified notification) moves its
 * record by the table, once; a word about a refund we never asked for, or for another amount, is
 * refused and changes nothing.
 */
export const applyRefundResult = async (deps: Deps, orderId: string, said: ProviderRefund): Promise<RefundResult> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const fresh = await deps.store.get<Order>(ORDERS, orderId);
    const i = fresh?.refunds?.findIndex((r) => r.outRefundNo === said.outRefundNo) ?? -1;
    if (!fresh || i < 0) return { ok: false, reason: 'unknown_refund' };
    const current = fresh.refunds![i]!;
    if (current.transactionId !== said.transactionId || said.amount.refund !== current.amountFen || said.outTradeNo !== fresh._id) return { ok: false, reason: 'amount_mismatch' };
    const d = decideRecord(REFUND_TABLE, current.status, ACTION_OF[said.status]);
    if (d.noop) return { ok: true, refund: current, changed: false };
    const moved = applyRecord(current, d, {
      refundId: said.refundId, providerStatus: said.status,
      ...(d.effects.includes('recordSuccess') ? { succeededAt: said.successTime ?? deps.clock.now().toISOString(), account: said.userReceivedAccount ?? null } : {}),
    });
    const refunds = fresh.refunds!.map((r, k) => (k === i ? moved : r));
    if (await deps.store.compareAndSet(ORDERS, { ...fresh, refunds }, fresh.version ?? 0)) {
      const ref = { orderId, outRefundNo: said.outRefundNo, status: moved.status };
      if (d.effects.includes('alarm')) deps.log.error(ref, 'refund not completed at WeChat Pay: return the money by hand');
      else deps.log.info(ref, 'refund moved');
      return { ok: true, refund: moved, changed: true };
    }
  }
  throw new AppError('CONFLICT');
};

/** What the payer sees of an order's refunds. */
export const refundView = (o: Order) =>
  (o.refunds ?? []).map((r) => ({
    orderId: o._id, purpose: o.purpose, amountFen: r.amountFen, status: r.status, statusLabel: REFUND_LABELS[r.status],
    reason: CAUSE_LABELS[r.cause], requestedAt: r.requestedAt, succeededAt: r.succeededAt, account: r.account,
  }));
