/**
 * Refunds (issue 16 item 5): one record per refunded payment, kept on its order (`order.refunds[]`,
 * payments/refunds.ts), `outRefundNo` = "RF" + the payment's transaction_id — so a payment is refunded
 * at most once, and asking WeChat Pay again (a retried outbox job, a second operator command) is the
 * same refund there ("同一退款单号多次请求只退一笔"). Data only; records.ts reads it.
 *
 * When does a refund become …
 * - requested: when we decide the money goes back — automatically for a payment that cannot be
 *   applied (a second payment of an order already paid, a payment for an order closed or whose
 *   purpose moved on), or by the operator's command (payment-refund, scripts/refund.ts). The
 *   record and its outbox job (messages/job-rows.ts refundJobRow) are one commit.
 * - processing: when WeChat Pay accepted the request (《申请退款》 answered status PROCESSING).
 * - succeeded: when WeChat Pay says SUCCESS (the answer itself, or the verified 《退款结果通知》
 *   REFUND.SUCCESS) — shown to the payer with the account it went to.
 * - closed / abnormal: when WeChat Pay says CLOSED / ABNORMAL (e.g. the payer's card was
 *   cancelled): the money is still to be returned, by the operator through 商户平台; logged as an alarm.
 * A notification delivered again, or an answer after the notification, changes nothing.
 */
import { stays, type RecordTable } from './records';

export const REFUND_STATES = ['requested', 'processing', 'succeeded', 'closed', 'abnormal'] as const;
export type RefundStatus = (typeof REFUND_STATES)[number];

export const REFUND_ACTIONS = [
  'accept', //   《申请退款》 answered PROCESSING
  'succeed', //  SUCCESS: the answer or the notification
  'close', //    CLOSED
  'abnormal', // ABNORMAL
] as const;
export type RefundAction = (typeof REFUND_ACTIONS)[number];

export const REFUND_EFFECTS = [
  'recordRefundId', // refundId = WeChat's refund_id
  'recordSuccess', //  succeededAt, the account it went to; shown to the payer
  'alarm', //          an error log line for the operator: the money is not back yet
] as const;
export type RefundEffect = (typeof REFUND_EFFECTS)[number];

const OPEN: readonly RefundStatus[] = ['requested', 'processing'];

export const REFUND_TABLE: RecordTable<RefundStatus, RefundAction, RefundEffect> = {
  kind: 'refund',
  label: '退款',
  states: REFUND_STATES,
  actions: REFUND_ACTIONS,
  initial: 'requested',
  terminal: ['succeeded', 'closed', 'abnormal'],
  rows: [
    { from: 'requested', action: 'accept', to: 'processing', effects: ['recordRefundId'] },
    ...stays(['processing'], 'accept', 'the same refund asked again (a retried job): still processing'),
    ...stays(['succeeded', 'closed', 'abnormal'], 'accept', 'the answer came after the notification: the notification stands'),
    { from: OPEN, action: 'succeed', to: 'succeeded', effects: ['recordRefundId', 'recordSuccess'] },
    ...stays(['succeeded'], 'succeed', 'the refund notification delivered again: nothing changes'),
    { from: OPEN, action: 'close', to: 'closed', effects: ['recordRefundId', 'alarm'] },
    ...stays(['closed'], 'close', 'delivered again: nothing changes'),
    { from: OPEN, action: 'abnormal', to: 'abnormal', effects: ['recordRefundId', 'alarm'] },
    ...stays(['abnormal'], 'abnormal', 'delivered again: nothing changes'),
  ],
};
