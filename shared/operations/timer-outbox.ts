import type { TimerOutboxInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { deliverDue, type OutboxRun } from '../messages/outbox';
import { REPORT_JOBS } from '../evidence/report-job';
import { runRefundJob } from '../payments/refund-job';

/** Upper bound on batches per run, so one run ends even while new messages keep arriving. */
const MAX_BATCHES = 20;
const BATCH = 100;

/**
 * M1/S1: delivers the outbox's due messages — retryable failures past their backoff, pending rows
 * the post-commit attempt never reached — and ends claims that outlived their lease as failed.
 * Every row is claimed by compare-and-set before it is sent, so concurrent runs never send twice.
 * It also runs the jobs the payment webhook queued: paid evidence reports (evidence/report-job.ts)
 * and refunds (payments/refunds.ts, asked of WeChat Pay under their fixed out_refund_no).
 */
export const timerOutbox: Operation<TimerOutboxInput> = async (_input, ctx) => {
  const total: OutboxRun = { delivered: 0, retrying: 0, failed: 0, abandoned: 0 };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const run = await deliverDue(ctx.deps, BATCH, { ...REPORT_JOBS, refund: runRefundJob });
    for (const k of Object.keys(total) as Array<keyof OutboxRun>) total[k] += run[k];
    if (run.delivered + run.retrying + run.failed + run.abandoned < BATCH) break;
  }
  return total;
};
