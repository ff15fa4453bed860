/**
 * Payment orders (F2): one record per WeChat Pay order (`_id` = out_trade_no), for a contract's
 * initiation, the saver card, or an evidence report. Data only; records.ts reads it. Imports nothing
 * but the record-machine types.
 *
 * When does an order become …
 * - created: when it is placed (our record first, its coupon held; then WeChat Pay's order). While
 *   created it holds the `openFor` slot — one open order per initiation, card or party's report.
 * - paid: when WeChat Pay says SUCCESS (a verified notification, or the reconcile timer's query)
 *   and the amount, merchant and payer check out (payments/settlement). The caller first does what
 *   the payment is for — the payment gate initiates the contract, the card is extended, the report
 *   is checked reportable — and that answer picks the action: `pay` when it did what it was for,
 *   `pay_unapplied` when the thing it paid for had moved on (revoked, invalidated, paid by another
 *   order). Then: the open slot is freed; the coupon is used (`pay`) or given back
 *   (`pay_unapplied`); a paid report becomes due for delivery (report-order.ts `pay`); money that
 *   did not apply is recorded for refund on the contract (payment.refundsDue, an audit event, a log
 *   line) — it is never lost. The order stays `paid` with `applied: false` for that case today.
 * - closed: when it can no longer be paid — superseded by an order at another price or coupon,
 *   abandoned (a draft revoked or invalidated, or the reconcile timer finding it unpaid), refused
 *   by the provider when placed, or unknown there (`closedWhy` says which). Then: its slot is freed
 *   and its coupon given back. Closing an order already paid changes nothing: the payment wins.
 * - paid after closed: money that arrives for an order we had closed is settled like any other
 *   (recorded for refund when its purpose had moved on), never dropped.
 * - a second payment: the same transaction delivered again (webhook retries, the timer) is
 *   nothing to do, whichever of `pay` / `pay_unapplied` the late delivery computed; a payment with another transaction id for an order already paid is
 *   `pay_duplicate` — recorded for refund, the order's first payment stands.
 * - refund_pending → refunded: reserved. Refunds (issue 16) are records of their own, one per
 *   payment, kept on the order (`order.refunds`, lifecycle/refund.ts, payments/refunds.ts) — an
 *   order paid twice has one payment applied and one refunded, so the order's own status stays
 *   `paid` and each refund carries its status. `recordRefundDue` now also records that refund and
 *   its outbox job in the commit (payments/orders.ts markPaid, payments/settlement.ts). No code moves
 *   an order to refund_pending or refunded.
 */
import { stays, type RecordTable } from './records';

export const ORDER_STATES = ['created', 'paid', 'closed', 'refund_pending', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATES)[number];

export const ORDER_ACTIONS = [
  'pay', //              SUCCESS at WeChat Pay, and the payment did what it was for
  'pay_unapplied', //    SUCCESS, but what it paid for had moved on
  'pay_duplicate', //    SUCCESS with another transaction id for an order already paid
  'close', //            can no longer be paid (closedWhy: superseded | abandoned | provider_refused | unknown_at_provider)
  'refund', //           ask WeChat Pay to refund the payment (issue 16)
  'refund_succeeded', // the refund notification / query: SUCCESS
  'refund_failed', //    the refund notification / query: CLOSED or ABNORMAL
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const ORDER_EFFECTS = [
  'freeOpenSlot', //    openFor = null: the unique slot is free for the next order
  'useCoupon', //       the coupon held for the order becomes used (coupon.ts `use`)
  'releaseCoupon', //   the coupon held for the order comes back (coupon.ts `release`)
  'reportDue', //       an evidence report it paid for is owed now (report-order.ts `pay`)
  'recordRefundDue', // contract.payment.refundsDue + payment_refund_due event + a warning log, once per order
  'requestRefund', //   WeChat Pay /v3/refund/domestic/refunds (issue 16)
  'showRefund', //      the refund recorded on the order and shown to the payer (issue 16)
] as const;
export type OrderEffect = (typeof ORDER_EFFECTS)[number];

const AFTER_PAYMENT: readonly OrderStatus[] = ['paid', 'refund_pending', 'refunded'];

export const ORDER_TABLE: RecordTable<OrderStatus, OrderAction, OrderEffect> = {
  kind: 'order',
  label: '订单',
  states: ORDER_STATES,
  actions: ORDER_ACTIONS,
  initial: 'created',
  terminal: ['refunded'],
  rows: [
    // ── paying ────────────────────────────────────────────────────────────────────────────────
    { from: 'created', action: 'pay', to: 'paid', effects: ['freeOpenSlot', 'useCoupon', 'reportDue'] },
    { from: 'closed', action: 'pay', to: 'paid', effects: ['useCoupon', 'reportDue'], note: 'money for an order we had closed whose purpose still stands (e.g. refused or unknown at the provider when placed): applied, never lost' },
    { from: 'created', action: 'pay_unapplied', to: 'paid', effects: ['freeOpenSlot', 'releaseCoupon', 'recordRefundDue'] },
    { from: 'closed', action: 'pay_unapplied', to: 'paid', effects: ['recordRefundDue'], note: 'money for an order we had closed (its coupon came back when it closed): kept for refund' },
    ...stays(AFTER_PAYMENT, 'pay', 'the same payment delivered again (webhook retry, reconcile timer): nothing changes'),
    ...stays(AFTER_PAYMENT, 'pay_unapplied', 'the same payment, settled meanwhile by another delivery: nothing changes'),
    ...stays<OrderStatus, OrderAction, OrderEffect>(AFTER_PAYMENT, 'pay_duplicate', 'a second payment for an order already paid: the first stands, this one is kept for refund', ['recordRefundDue']),

    // ── closing ───────────────────────────────────────────────────────────────────────────────
    { from: 'created', action: 'close', to: 'closed', effects: ['freeOpenSlot', 'releaseCoupon'] },
    ...stays(['closed', ...AFTER_PAYMENT], 'close', 'already closed, or paid meanwhile: the payment wins, closing comes too late'),

    // ── refunds (issue 16) ────────────────────────────────────────────────────────────────────
    { from: 'paid', action: 'refund', to: 'refund_pending', effects: ['requestRefund'] },
    ...stays(['refund_pending'], 'refund', 'a refund asked for already: nothing more to ask'),
    { from: 'refund_pending', action: 'refund_succeeded', to: 'refunded', effects: ['showRefund'] },
    ...stays(['refunded'], 'refund_succeeded', 'the refund notification delivered again: nothing changes'),
    { from: 'refund_pending', action: 'refund_failed', to: 'paid', note: 'CLOSED or ABNORMAL at WeChat Pay: the money is still ours to return; the refund stays due for the operator' },
  ],
};
