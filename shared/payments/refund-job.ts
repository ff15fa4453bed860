/**
 * The outbox's runner for a refund job (issue 16 item 5): asks WeChat Pay for the refund recorded
 * on the order, under its one out_refund_no, and records the answer by lifecycle/refund.ts. Apart
 * from payments/refunds.ts so that what only reads refunds (contract-get) carries no payments client.
 */
import type { JobOutcome, RefundJob } from '../messages/outbox';
import type { Deps } from '../ports/operation';
import { ORDERS, type Order } from './orders';
import { applyRefundResult, refundReason } from './refunds';

/** The outbox's runner for a refund job: ask WeChat Pay (same out_refund_no every time), record the answer. */
export const runRefundJob = async (deps: Deps, job: RefundJob): Promise<JobOutcome> => {
  const order = await deps.store.get<Order>(ORDERS, job.orderId);
  const refund = order?.refunds?.find((r) => r.outRefundNo === job.outRefundNo);
  if (!order || !refund) return { ok: false, code: 'REFUND_NOT_RECORDED', message: 'no such refund on the order', retryable: false };
  if (refund.status !== 'requested') return { ok: true, providerId: refund.refundId };
  // The payment's own amount: every payment of an order is for the order's amount.
  const said = await deps.payments.refund({ outRefundNo: refund.outRefundNo, transactionId: refund.transactionId, amountFen: refund.amountFen, totalFen: order.amountFen, reason: refundReason(refund.cause) });
  const r = await applyRefundResult(deps, order._id, said);
  if (!r.ok) return { ok: false, code: `REFUND_${r.reason.toUpperCase()}`, message: 'WeChat Pay answered about another refund', retryable: false };
  return { ok: true, providerId: said.refundId };
};

