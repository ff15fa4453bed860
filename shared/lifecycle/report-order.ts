/**
 * The delivery of a paid evidence report (C9, F3): the `report` part of an order whose purpose is
 * `evidence_report` (`order.report.status`). The order itself moves by order.ts; this table moves
 * what the paid order still owes — the report produced, emailed, recorded (report_sent event) and
 * the SMS sent, once. Data only; records.ts reads it.
 *
 * When does a report become …
 * - due: when the order is placed (owed once paid: nobody may claim it before the order is paid
 *   and applied), and again when the order is paid with its payment applied (`pay`): then it is
 *   due now — retryAt = now, so the reconcile timer finds it if the webhook stops.
 * - sending: when a call claims it by compare-and-set — `claim` from due (the webhook that settled
 *   the order, the timer, the party asking), `retry` from failed (the timer at retryAt, or the party
 *   asking again at any time, with the same or a corrected address, without paying again),
 *   `take_over` of a claim older than its lease (a crashed call). Each claim counts an attempt and
 *   holds a lease; only the claimant produces and emails.
 * - sent: when the email went out (`succeed`). Then, only for the call that marked it: the
 *   report_sent event and the SMS. A claim that had been taken over may still succeed from failed;
 *   marking a report sent twice records nothing twice.
 * - failed: when producing or emailing failed (`fail`, by the claimant). Then a retry time:
 *   REPORT_RETRY below — attempt n failed → the next one n × 10 minutes later, none after the 5th
 *   (retryAt = null: left for the party to ask again). The paid request is never lost.
 *
 * `take_over` is the one case an email may go out twice (a crash between the email and marking
 * it sent); the outbox (message.ts) never retries an abandoned claim. Since issue 16 item 4 the
 * first claim is the outbox's: the webhook writes a `report` job row in the commit that pays the
 * order, and timer-outbox runs it (evidence/report-job.ts); this table still decides every claim.
 */
import type { RecordTable, RetryPolicy } from './records';

export const REPORT_ORDER_STATES = ['due', 'sending', 'sent', 'failed'] as const;
export type ReportOrderStatus = (typeof REPORT_ORDER_STATES)[number];

export const REPORT_ORDER_ACTIONS = [
  'pay', //       the order was paid and the payment applied
  'claim', //     a first attempt (webhook, timer, the party)
  'retry', //     another attempt after a failure (timer at retryAt, or the party)
  'take_over', // a claim past its lease, taken to be abandoned
  'succeed', //   the email went out
  'fail', //      producing or emailing failed
] as const;
export type ReportOrderAction = (typeof REPORT_ORDER_ACTIONS)[number];

export const REPORT_ORDER_EFFECTS = [
  'dueNow', //           retryAt = now
  'countAttempt', //     attempts + 1, claimedAt = now, retryAt = now + lease (the claim's expiry)
  'recordReportSent', // sha256, sentAt; the report_sent event and the SMS (only the call that marked it)
  'scheduleRetry', //    lastError = the code; retryAt = now + REPORT_RETRY delay, or null after the last attempt
] as const;
export type ReportOrderEffect = (typeof REPORT_ORDER_EFFECTS)[number];

/** Today's numbers (evidence/report-delivery: CLAIM_MINUTES 5, MAX_ATTEMPTS 5, RETRY_MINUTES 10). */
export const REPORT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelaySeconds: 600, growth: 'linear', maxDelaySeconds: 2400, leaseSeconds: 300 };

const CLAIM: readonly ReportOrderEffect[] = ['countAttempt'];

export const REPORT_ORDER_TABLE: RecordTable<ReportOrderStatus, ReportOrderAction, ReportOrderEffect> = {
  kind: 'report_order',
  label: '签署报告',
  states: REPORT_ORDER_STATES,
  actions: REPORT_ORDER_ACTIONS,
  initial: 'due',
  terminal: ['sent'],
  rows: [
    { from: 'due', action: 'pay', to: 'due', effects: ['dueNow'] },
    { from: 'due', action: 'claim', to: 'sending', effects: CLAIM },
    { from: 'failed', action: 'retry', to: 'sending', effects: CLAIM },
    { from: 'sending', action: 'take_over', to: 'sending', effects: CLAIM, note: 'the claim is older than its lease: its call is taken to have crashed' },
    { from: ['sending', 'failed'], action: 'succeed', to: 'sent', effects: ['recordReportSent'] },
    { from: 'sent', action: 'succeed', to: 'sent', note: 'marked sent by another call already: no second event, no second SMS' },
    { from: 'sending', action: 'fail', to: 'failed', effects: ['scheduleRetry'] },
  ],
};
