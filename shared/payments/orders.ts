/**
 * Orders (F2): one document per WeChat Pay order, `_id` = out_trade_no. Every change is a
 * compare-and-set on the order's version, retried on a fresh read, and each change says which
 * statuses it may start from — so two deliveries of one notification, or a notification racing
 * the reconcile timer, move an order created → paid exactly once.
 *
 *   created ──paid──▶ paid            (notification or reconcile: the provider says SUCCESS)
 *   created ──close─▶ closed          (superseded by a new order, abandoned, or refused by the provider)
 *   closed  ──paid──▶ paid            (money arrived for an order we had closed: recorded, never lost)
 *
 * While an order is `created` its `openFor` names what it pays for; a unique index on it keeps
 * one open order per contract initiation, card purchase or party's evidence report, so a double
 * tap cannot charge twice.
 */
import { AppError } from '../errors';
import type { PartySide } from '../domain/contract';
import type { Doc } from '../ports/store';
import type { FeeItem, PriceStep, Quote } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';
import { updateDoc } from '../store/update-doc';
import { applyRecord, decideRecord, ORDER_TABLE, REPORT_ORDER_TABLE, type OrderStatus, type ReportOrderStatus } from '../lifecycle';
import type { CouponHolder } from './coupons';
import { jobAppend, reportJobRow } from '../messages/job-rows';
import { withRefund, type RefundRecord } from './refunds';

export const ORDERS = collectionName('orders');

/** What an order pays for: a contract's initiation, the saver card, or an evidence report (C9, F3). */
export type OrderPurpose = Extract<FeeItem, 'initiation' | 'saver_card' | 'evidence_report'>;

/**
 * What a paid evidence-report order still owes (evidence/report-delivery.ts): the report produced,
 * emailed, recorded and the SMS sent, once. `email` is personal data: never logged unmasked.
 *   due ──claim──▶ sending ──▶ sent
 *                     └──────▶ failed ──claim (timer at retryAt, or a re-request)──▶ sending
 * A claim left `sending` by a crash expires at its retryAt and may be taken again.
 */
export interface ReportRequest {
  /** The party who asked and pays: the SMS goes to them, the event names them. */
  role: PartySide;
  email: string;
  status: ReportOrderStatus;
  /** Fixed when the order is placed, so every retry sends the same report number. */
  reportNo: string;
  sha256: string | null;
  attempts: number;
  claimedAt: string | null;
  /** When the reconcile timer may (re)try the delivery; null once sent or given up. Indexed. */
  retryAt: string | null;
  sentAt: string | null;
  lastError: string | null;
}

export interface Order extends Doc {
  _id: string;
  purpose: OrderPurpose;
  /** The contract whose initiation or evidence report this pays for; null for a card. */
  contractId: string | null;
  /** The payer (WeChat's payer.openid must be this user). */
  openid: string;
  listFen: number;
  /** amount.total WeChat must report. */
  amountFen: number;
  couponId: string | null;
  /** How the price came about (the quote's steps), kept for the record. */
  steps: PriceStep[];
  status: OrderStatus;
  /** Set while `created`; unique. */
  openFor: string | null;
  prepayId: string | null;
  transactionId: string | null;
  /**
   * Once paid: whether the payment did what it was for. False when the contract had moved on
   * (revoked, or paid by another order) — a case for a manual refund, logged when it happens.
   */
  applied: boolean | null;
  createdAt: string;
  paidAt: string | null;
  closedAt: string | null;
  closedWhy: 'superseded' | 'abandoned' | 'provider_refused' | 'unknown_at_provider' | null;
  /** Evidence-report orders only: who asked, where to send it, and the delivery. */
  report?: ReportRequest | null;
  /** Refunds of its payments (payments/refunds.ts), each with its own status (lifecycle/refund.ts). */
  refunds?: RefundRecord[];
}

/** The holder of the coupon an order was priced with. */
export const orderHolder = (o: Pick<Order, '_id' | 'contractId' | 'purpose'>): CouponHolder => ({ orderId: o._id, contractId: o.contractId, item: o.purpose });

export const openKey = (purpose: OrderPurpose, subject: string): string => `${purpose}:${subject}`;

/** An open order at this price and coupon is the one to pay again (renewed), not to replace. */
export const sameTerms = (open: Order, quote: Pick<Quote, 'amountFen' | 'couponId'>): boolean =>
  open.amountFen === quote.amountFen && open.couponId === quote.couponId;

/** One order by its id (out_trade_no), null when there is none. */
export const loadOrder = (deps: Deps, id: string): Promise<Order | null> => deps.store.get<Order>(ORDERS, id);

export const findOpenOrder = async (deps: Deps, key: string): Promise<Order | null> =>
  (await deps.store.find<Order>(ORDERS, { openFor: key }, { limit: 1 }))[0] ?? null;

/**
 * Applies `change` to the order with a compare-and-set, retried on a fresh read (store/update-doc.ts); the
 * first attempt may start from the order as the caller just read it. `change` returns null when
 * the order is already as wanted (a duplicate): nothing is written. Returns the order as stored
 * afterwards and whether this call changed it.
 */
export const updateOrder = async (
  deps: Deps,
  order: string | Order,
  change: (o: Order) => Order | null,
): Promise<{ order: Order; changed: boolean }> => {
  const { doc, changed } = await updateDoc(deps, ORDERS, order, change);
  if (!doc) throw new AppError('NOT_FOUND', '订单不存在');
  return { order: doc, changed };
};

/**
 * created|closed → paid, once. An evidence report it paid for becomes due now, and its job row
 * (messages/outbox.ts reportJobRow) is written in the same commit: the outbox worker produces and
 * emails it, the webhook that called this never does (issue 16 item 4). A payment that did not
 * apply is refunded: its refund record and job are in this commit too (payments/refunds.ts).
 */
export const markPaid = async (deps: Deps, order: string | Order, transactionId: string, applied: boolean): Promise<{ order: Order; changed: boolean }> => {
  const id = typeof order === 'string' ? order : order._id;
  for (let attempt = 0; attempt < 5; attempt++) {
    const fresh = attempt === 0 && typeof order !== 'string' ? order : await deps.store.get<Order>(ORDERS, id);
    if (!fresh) throw new AppError('NOT_FOUND', '订单不存在');
    const d = decideRecord(ORDER_TABLE, fresh.status, applied ? 'pay' : 'pay_unapplied');
    if (d.noop) {
      if (fresh === order) continue; // the caller's copy may be stale: decide on the stored one
      return { order: fresh, changed: false };
    }
    const now = deps.clock.now().toISOString();
    const reportDue = !!fresh.report && d.effects.includes('reportDue');
    const report = reportDue ? { report: applyRecord(fresh.report!, decideRecord(REPORT_ORDER_TABLE, fresh.report!.status, 'pay'), { retryAt: now }) } : {};
    let next = applyRecord(fresh, d, { openFor: null, transactionId, applied, paidAt: now, ...report });
    const expected = fresh.version ?? 0;
    const rows = reportDue ? [reportJobRow(deps, fresh.contractId, fresh._id)] : [];
    // A payment that cannot be applied goes back at once (issue 16 item 5): the refund and its job in this commit.
    const refund = d.effects.includes('recordRefundDue') ? withRefund(deps, next, { transactionId, amountFen: fresh.amountFen, cause: 'not_applied' }) : null;
    if (refund) {
      next = refund.order;
      rows.push(refund.row);
    }
    const jobs = jobAppend(rows);
    const r = await deps.store.commit([{ collection: ORDERS, doc: next, expectedVersion: expected }], jobs);
    if (r.ok) return { order: { ...next, version: r.version }, changed: true };
  }
  throw new AppError('CONFLICT');
};

/** created → closed, once; a paid order stays paid. */
export const markClosed = (deps: Deps, order: string | Order, why: NonNullable<Order['closedWhy']>) =>
  updateOrder(deps, order, (o) => {
    const d = decideRecord(ORDER_TABLE, o.status, 'close');
    return d.noop ? null : applyRecord(o, d, { openFor: null, closedAt: deps.clock.now().toISOString(), closedWhy: why });
  });
