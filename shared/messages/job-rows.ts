/**
 * Job rows of the outbox (issue 16 item 4), for the commits that queue them: the paid evidence
 * report a settled order owes. Kept apart from messages/outbox.ts so that the modules writing a
 * job (payments/orders.ts, reached by fee-quote and every payment function) do not bring the
 * SMS, email and WeChat senders into their bundles. outbox.ts delivers these rows.
 */
import { MESSAGE_TABLE, newRecord } from '../lifecycle';
import type { Deps } from '../ports/operation';
import type { Append } from '../ports/store';
import { collectionName } from '../store/collections';
import type { OutboxRow } from './outbox';

const MESSAGES = collectionName('messages');

/** The report job of a paid evidence-report order, for the commit that marks the order paid. */
export const reportJobRow = (deps: Deps, contractId: string | null, orderId: string): OutboxRow => {
  const now = deps.clock.now().toISOString();
  return newRecord(MESSAGE_TABLE, {
    _id: deps.ids.id('msg'), kind: 'report' as const, contractId, attempts: 0, createdAt: now, nextAttemptAt: now,
    claimedAt: null, leaseUntil: null, sentAt: null, providerId: null, lastError: null,
    sms: null, email: null, job: { type: 'evidence_report' as const, orderId },
  });
};

export const jobAppend = (rows: readonly OutboxRow[]): Append[] => (rows.length ? [{ collection: MESSAGES, docs: [...rows] }] : []);
