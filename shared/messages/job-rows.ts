/**
 * Job rows of the outbox (issue 16 item 4), for the commits that queue them: the paid evidence
 * report a settled order owes, and a refund to ask WeChat Pay for. Kept apart from messages/outbox.ts so that the modules writing a
 * job (payments/orders.ts, payments/refunds.ts, reached by fee-quote and every payment function) do not bring the
 * SMS, email and WeChat senders into their bundles. outbox.ts delivers these rows.
 */
import { MESSAGE_TABLE, newRecord } from '../lifecycle';
import type { Deps } from '../ports/operation';
import type { Append } from '../ports/store';
import { collectionName } from '../store/collections';
import type { OutboxRow } from './outbox';

const MESSAGES = collectionName('messages');

const jobRow = (deps: Deps, contractId: string | null, kind: 'report' | 'refund', job: NonNullable<OutboxRow['job']>): OutboxRow => {
  const now = deps.clock.now().toISOString();
  return newRecord(MESSAGE_TABLE, {
    _id: deps.ids.id('msg'), kind, contractId, attempts: 0, createdAt: now, nextAttemptAt: now,
    claimedAt: null, leaseUntil: null, sentAt: null, providerId: null, lastError: null,
    sms: null, email: null, job,
  });
};

/** The report job of a paid evidence-report order, for the commit that marks the order paid. */
export const reportJobRow = (deps: Deps, contractId: string | null, orderId: string): OutboxRow =>
  jobRow(deps, contractId, 'report', { type: 'evidence_report', orderId });

/** The refund job of a refund recorded on an order, for the commit that records it. */
export const refundJobRow = (deps: Deps, contractId: string | null, orderId: string, outRefundNo: string): OutboxRow =>
  jobRow(deps, contractId, 'refund', { type: 'refund', orderId, outRefundNo });

export const jobAppend = (rows: readonly OutboxRow[]): Append[] => (rows.length ? [{ collection: MESSAGES, docs: [...rows] }] : []);
