/**
 * The outbox's runner for a paid evidence report (issue 16 item 4): the payment webhook only
 * marks the order paid and writes a `report` job row in that commit (payments/orders.ts
 * markPaid); timer-outbox runs the job here — produce, sign, store, email, event, SMS — through
 * the order's own once-only claim (report-delivery.ts deliverReport). This module brings the PDF
 * code: only timer-outbox imports it.
 *
 * The report order keeps its own retry schedule (lifecycle/report-order.ts, the reconcile timer,
 * the party asking again), so a failed send ends the job row `failed` with the order's code
 * rather than retrying it a second way: the paid request stays owed on the order, never lost.
 */
import type { JobOutcome, JobRunners, ReportJob } from '../messages/outbox';
import type { Deps } from '../ports/operation';
import { deliverReport } from './report-delivery';

export const runReportJob = async (deps: Deps, job: ReportJob): Promise<JobOutcome> => {
  const r = await deliverReport(deps, job.orderId, 'notified');
  switch (r.status) {
    case 'sent':
      return { ok: true, providerId: r.reportNo };
    case 'failed':
      return { ok: false, code: 'REPORT_NOT_SENT', message: 'kept owed on the order: the reconcile timer retries it', retryable: false };
    case 'sending':
      // Another call (the reconcile timer, the party asking) holds the claim and delivers it.
      return { ok: true, providerId: r.reportNo };
    case 'due':
    case 'not_owed':
      // Nothing this job may claim: not paid-and-applied, or left for the order's own retries.
      return { ok: false, code: r.status === 'due' ? 'REPORT_NOT_CLAIMED' : 'REPORT_NOT_OWED', message: 'nothing for this job to deliver', retryable: false };
  }
};

export const REPORT_JOBS: Required<Pick<JobRunners, 'report'>> = { report: runReportJob };
