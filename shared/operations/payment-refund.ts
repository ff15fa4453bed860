import { AppError } from '../errors';
import type { PaymentRefundInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { deliverNow } from '../messages/outbox';
import { ORDERS, type Order } from '../payments/orders';
import { REFUND_LABELS, requestRefund } from '../payments/refunds';
import { runRefundJob } from '../payments/refund-job';

/**
 * The operator's refund (issue 16 item 5), for customer service: the whole payment of a paid order
 * goes back to the payer. Only the platform's operators call it — through the Tencent Cloud API
 * (scripts/refund.ts), never a mini-program: the wrapper refuses any caller (registry kind
 * 'operator'). The refund and its outbox job are one commit; WeChat Pay is asked right after it
 * (and by timer-outbox if that fails), always under the payment's one out_refund_no, so a second
 * command — or one for a payment refunded automatically — is the same refund, never a second one.
 */
export const paymentRefund: Operation<PaymentRefundInput> = async (input, { deps }) => {
  const order = await deps.store.get<Order>(ORDERS, input.orderId);
  if (!order) throw new AppError('NOT_FOUND', '订单不存在');
  if (!order.transactionId || !['paid', 'refund_pending', 'refunded'].includes(order.status)) throw new AppError('INVALID_TRANSITION', '订单未支付，无法退款');
  const asked = await requestRefund(deps, order._id, { transactionId: order.transactionId, amountFen: order.amountFen, cause: 'operator', ticket: input.ticket ?? null });
  if (asked.row) await deliverNow(deps, [asked.row], { refund: runRefundJob });
  const stored = (await deps.store.get<Order>(ORDERS, order._id))!;
  const refund = stored.refunds!.find((r) => r.outRefundNo === asked.refund.outRefundNo)!;
  return {
    orderId: order._id, created: asked.created, outRefundNo: refund.outRefundNo, amountFen: refund.amountFen,
    cause: refund.cause, status: refund.status, statusLabel: REFUND_LABELS[refund.status], refundId: refund.refundId,
  };
};
