/**
 * The outbox (SPEC M1): every SMS and email the platform sends is first a row here, written in the
 * same store commit as the change that caused it, and only then delivered. Delivery is one attempt
 * right after the commit and then the `timer-outbox` function, every minute, for what failed with an
 * error the provider marks retryable. A row moves only by lifecycle/message.ts:
 *
 *   pending ─claim─▶ sending ─succeed─▶ sent
 *                      │ fail_retryable ─▶ retry_wait ─claim (when due)─▶ sending …
 *                      │ fail_final (not retryable, or the last attempt) ─▶ failed
 *                      └ abandon (a claim older than its lease: a crashed call) ─▶ failed
 *
 * Never twice: a deliverer claims a row by compare-and-set before calling the provider, so two
 * timers, or the timer and the post-commit attempt, cannot both send it; a claim that outlived its
 * lease is not sent again (its first send may have gone out) but ends `failed`, visible, with
 * CLAIM_EXPIRED. A provider failure never fails the user's call that caused the message.
 *
 * Rows hold what the provider needs (the phone or address, the template and its parameters); the
 * emulator and logs show destinations masked. Email attachments are stored files (keys made here
 * from the row's own random id, never from caller input), so a row stays small.
 *
 * A `report` row is a job (issue 16 item 4): the paid evidence report, written by the payment
 * webhook in the commit that marks the order paid and run by timer-outbox, which passes the runner
 * (evidence/report-job.ts) — the webhook answers WeChat Pay without building a PDF.
 *
 * Imports ports, lifecycle and the store's collection names only.
 */
import { MESSAGE_RETRY, MESSAGE_TABLE, applyRecord, decideRecord, newRecord, retryDelaySeconds, type MessageAction, type MessageStatus } from '../lifecycle';
import type { Deps } from '../ports/operation';
import type { MailMessage, MailResult } from '../ports/mailer';
import type { SmsMessage, SmsResult } from '../ports/sms';
import type { SubscribeMessage } from '../ports/wechat';
import type { Append, Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import { SUBSCRIPTIONS_COLLECTION, clearCredits, subscriptionId, type SubscriptionDoc } from './subscriptions';

export const MESSAGES = collectionName('messages');

export interface StoredAttachment {
  filename: string;
  contentType: string;
  key: string;
}

export interface OutboxRow extends Doc {
  _id: string;
  /**
   * 'subscribe': a WeChat subscription message (N1's first channel, the recipient accepted one —
   * its credit was spent in this row's commit); `sms` then holds the fallback, sent in the same
   * delivery when WeChat refuses (43101: no subscription left) or fails for good.
   */
  kind: 'sms' | 'email' | 'subscribe' | 'report' | 'refund';
  status: MessageStatus;
  /** The contract the message is about (null for account messages). */
  contractId: string | null;
  sms: SmsMessage | null;
  subscribe?: SubscribeMessage | null;
  /** Which channel delivered it (a subscription message may have gone by its SMS fallback). */
  deliveredBy?: 'subscribe' | 'sms' | null;
  email: (Omit<MailMessage, 'attachments'> & { attachments: StoredAttachment[] }) | null;
  /**
   * 'report' (issue 16 item 4): a job, not a message — the paid evidence report an order owes,
   * produced, signed and emailed by the worker (timer-outbox) rather than inside the payment
   * webhook. Only a deliverer given a `report` runner (JobRunners) claims such a row.
   */
  job?: ReportJob | RefundJob | null;
  attempts: number;
  createdAt: string;
  /** When a deliverer may claim it next (pending: at once; retry_wait: after the backoff). */
  nextAttemptAt: string;
  claimedAt: string | null;
  leaseUntil: string | null;
  sentAt: string | null;
  providerId: string | null;
  /** The provider's code and message of the last failed attempt (never the destination). */
  lastError: { code: string; message: string; retryable: boolean } | null;
}

/** The paid evidence report of an order (payments/orders.ts): the worker delivers it once. */
export interface ReportJob {
  type: 'evidence_report';
  orderId: string;
}

/** A refund recorded on an order (payments/refunds.ts): the worker asks WeChat Pay for it, under its fixed out_refund_no. */
export interface RefundJob {
  type: 'refund';
  orderId: string;
  outRefundNo: string;
}

/**
 * What runs a job row, given by the deliverer that carries the code for it (timer-outbox: the PDF
 * code), so the functions that only write such rows (the payment webhook) never bundle it.
 * Answers like a provider: ok with an id for the record, or a failure and whether to retry.
 */
export interface JobRunners {
  report?(deps: Deps, job: ReportJob): Promise<JobOutcome>;
  refund?(deps: Deps, job: RefundJob): Promise<JobOutcome>;
}
export type JobOutcome = { ok: true; providerId: string | null } | { ok: false; code: string; message: string; retryable: boolean };

/** The fields every new row starts with (job rows: messages/job-rows.ts, which carries no sender). */
const rowBase = (deps: Deps, contractId: string | null, kind: OutboxRow['kind']) => {
  const now = deps.clock.now().toISOString();
  return {
    _id: deps.ids.id('msg'), kind, contractId, attempts: 0, createdAt: now, nextAttemptAt: now,
    claimedAt: null, leaseUntil: null, sentAt: null, providerId: null, lastError: null,
  };
};

/** An SMS as an outbox row, for the caller's commit. */
export const smsRow = (deps: Deps, contractId: string | null, sms: SmsMessage): OutboxRow =>
  newRecord(MESSAGE_TABLE, { ...rowBase(deps, contractId, 'sms'), sms, email: null });

/** A subscription message with its SMS fallback as an outbox row, for the caller's commit. */
export const subscribeRow = (deps: Deps, contractId: string | null, message: SubscribeMessage, fallback: SmsMessage | null): OutboxRow =>
  newRecord(MESSAGE_TABLE, { ...rowBase(deps, contractId, 'subscribe'), subscribe: message, sms: fallback, email: null });

/** An email as an outbox row; its attachments are stored first (an unused file is harmless, a lost one is not). */
export const emailRow = async (deps: Deps, contractId: string | null, mail: MailMessage): Promise<OutboxRow> => {
  const b = rowBase(deps, contractId, 'email');
  const attachments: StoredAttachment[] = [];
  for (const [i, a] of (mail.attachments ?? []).entries()) {
    const key = `outbox/${b._id}/${i}`;
    await deps.files.put(key, a.content, a.contentType);
    attachments.push({ filename: a.filename, contentType: a.contentType, key });
  }
  const { attachments: _dropped, ...rest } = mail;
  return newRecord(MESSAGE_TABLE, { ...b, sms: null, email: { ...rest, attachments } });
};

/** An email whose attachments are files already stored (a contract's PDF): the row names their keys. */
export const storedEmailRow = (deps: Deps, contractId: string | null, mail: Omit<MailMessage, 'attachments'>, attachments: StoredAttachment[]): OutboxRow =>
  newRecord(MESSAGE_TABLE, { ...rowBase(deps, contractId, 'email'), sms: null, email: { ...mail, attachments } });

/** The rows as the append of a commit. */
export const outboxAppend = (rows: readonly OutboxRow[]): Append[] => (rows.length ? [{ collection: MESSAGES, docs: [...rows] }] : []);

type Outcome = { ok: true; providerId: string | null; by?: 'subscribe' | 'sms' } | { ok: false; code: string; message: string; retryable: boolean };

const sendSms = async (deps: Deps, sms: SmsMessage): Promise<Outcome> => {
  const r: SmsResult = await deps.sms.send(sms);
  return r.ok ? { ok: true, providerId: r.serialNo ?? null, by: 'sms' } : { ok: false, code: r.code ?? 'UNKNOWN', message: r.message ?? '', retryable: r.retryable === true };
};

/** WeChat holds no subscription of this template for the user (43101): neither does our mirror. Best effort. */
const forgetCredits = async (deps: Deps, openid: string, templateId: string): Promise<void> => {
  const doc = await deps.store.get<SubscriptionDoc>(SUBSCRIPTIONS_COLLECTION, subscriptionId(openid));
  if (doc) await deps.store.compareAndSet(SUBSCRIPTIONS_COLLECTION, clearCredits(doc, templateId, deps.clock.now()), doc.version ?? 0);
};

const callProvider = async (deps: Deps, row: OutboxRow, jobs?: JobRunners): Promise<Outcome> => {
  try {
    if (row.kind === 'report' && row.job?.type === 'evidence_report' && jobs?.report) return await jobs.report(deps, row.job);
    if (row.kind === 'refund' && row.job?.type === 'refund' && jobs?.refund) return await jobs.refund(deps, row.job);
    if (row.kind === 'sms' && row.sms) return await sendSms(deps, row.sms);
    if (row.kind === 'subscribe' && row.subscribe) {
      const r = await deps.wechat.sendSubscribeMessage(row.subscribe);
      if (r.ok) return { ok: true, providerId: null, by: 'subscribe' };
      // Busy or throttled: the same channel later. Refused (no subscription left) or wrong for good: by SMS now.
      if (r.retryable && !r.refused) return { ok: false, code: `WECHAT_${r.errcode}`, message: r.errmsg.slice(0, 200), retryable: true };
      deps.log.info({ messageId: row._id, errcode: r.errcode }, 'subscription message refused: sent by SMS');
      if (r.refused) await forgetCredits(deps, row.subscribe.toOpenid, row.subscribe.templateId);
      if (!row.sms) return { ok: false, code: `WECHAT_${r.errcode}`, message: r.errmsg.slice(0, 200), retryable: false };
      return await sendSms(deps, row.sms);
    }
    if (row.kind === 'email' && row.email) {
      const attachments = [];
      for (const a of row.email.attachments) {
        const content = await deps.files.get(a.key);
        if (!content) return { ok: false, code: 'ATTACHMENT_MISSING', message: `stored attachment ${a.filename} is gone`, retryable: false };
        attachments.push({ filename: a.filename, contentType: a.contentType, content });
      }
      const { attachments: _stored, ...mail } = row.email;
      const r: MailResult = await deps.mailer.send({ ...mail, ...(attachments.length ? { attachments } : {}) });
      return r.ok ? { ok: true, providerId: r.messageId ?? null } : { ok: false, code: r.code ?? 'UNKNOWN', message: r.message ?? '', retryable: r.retryable === true };
    }
    return { ok: false, code: 'MALFORMED_ROW', message: `a ${row.kind} row without its message`, retryable: false };
  } catch (e) {
    // A thrown adapter error is an outage as far as we know: worth another try.
    return { ok: false, code: 'PROVIDER_THREW', message: (e as Error).message.slice(0, 200), retryable: true };
  }
};

/** Moves a row by the table and stores it by compare-and-set; null when someone else moved it first. */
const move = async (deps: Deps, row: OutboxRow, action: MessageAction, patch: Partial<Omit<OutboxRow, 'status'>>): Promise<OutboxRow | null> => {
  const d = decideRecord(MESSAGE_TABLE, row.status, action);
  const next = applyRecord(row, d, patch);
  const ok = await deps.store.compareAndSet(MESSAGES, next, row.version ?? 0);
  return ok ? { ...next, version: (row.version ?? 0) + 1 } : null;
};

/**
 * One delivery attempt of a row this call claims: claim, send, record. Answers the row as stored
 * afterwards, or null when another deliverer holds it. Never throws for a provider's failure.
 */
export const deliverRow = async (deps: Deps, row: OutboxRow, jobs?: JobRunners): Promise<OutboxRow | null> => {
  const now = deps.clock.now();
  // A job is left for the deliverer that carries its code (timer-outbox; payment-refund for its own).
  if ((row.kind === 'report' && !jobs?.report) || (row.kind === 'refund' && !jobs?.refund)) return null;
  if (row.status !== 'pending' && row.status !== 'retry_wait') return null;
  if (Date.parse(row.nextAttemptAt) > now.getTime()) return null;
  const claimed = await move(deps, row, 'claim', {
    attempts: row.attempts + 1, claimedAt: now.toISOString(), leaseUntil: new Date(now.getTime() + MESSAGE_RETRY.leaseSeconds * 1000).toISOString(),
  });
  if (!claimed) return null;
  const outcome = await callProvider(deps, claimed, jobs);
  const at = deps.clock.now();
  if (outcome.ok) return move(deps, claimed, 'succeed', { sentAt: at.toISOString(), providerId: outcome.providerId, leaseUntil: null, ...(claimed.kind === 'subscribe' ? { deliveredBy: outcome.by ?? null } : {}) });
  const lastError = { code: outcome.code, message: outcome.message, retryable: outcome.retryable };
  const delay = outcome.retryable ? retryDelaySeconds(MESSAGE_RETRY, claimed.attempts) : null;
  deps.log.warn({ messageId: claimed._id, kind: claimed.kind, code: outcome.code, attempts: claimed.attempts, willRetry: delay !== null }, 'message not delivered');
  if (delay === null) {
    // A refund or a paid report that will not be retried is money or a promise left with us: an
    // alarm for the operator (payment-refund / the order), not a warning among deliveries.
    if (claimed.kind === 'refund' || claimed.kind === 'report') deps.log.error({ messageId: claimed._id, kind: claimed.kind, code: outcome.code, attempts: claimed.attempts }, 'job failed for good: the operator must act');
    return move(deps, claimed, 'fail_final', { lastError, leaseUntil: null });
  }
  return move(deps, claimed, 'fail_retryable', { lastError, leaseUntil: null, nextAttemptAt: new Date(at.getTime() + delay * 1000).toISOString() });
};

/** The attempt right after a commit: every row it wrote, in order; what fails waits for the timer. */
export const deliverNow = async (deps: Deps, rows: readonly OutboxRow[], jobs?: JobRunners): Promise<void> => {
  for (const row of rows) {
    try {
      await deliverRow(deps, { ...row, version: row.version ?? 1 }, jobs);
    } catch (e) {
      // The store itself failed: the row stays pending and the timer takes it.
      deps.log.warn({ messageId: row._id, err: e }, 'message delivery deferred');
    }
  }
};

/** Inserts rows outside a contract commit (timers, account messages) and tries them at once. */
export const enqueueAndDeliver = async (deps: Deps, rows: readonly OutboxRow[]): Promise<OutboxRow[]> => {
  const out: OutboxRow[] = [];
  for (const row of rows) {
    await deps.store.insert(MESSAGES, row);
    out.push((await deliverRow(deps, { ...row, version: 1 })) ?? row);
  }
  return out;
};

export interface OutboxRun {
  delivered: number;
  retrying: number;
  failed: number;
  abandoned: number;
}

/**
 * The timer's pass (S1: idempotent, batched, safe to run concurrently): abandon claims past their
 * lease, then deliver what is due — pending rows the post-commit attempt never reached, and
 * retryable failures whose backoff has passed. Cost grows with the due set only (index status_next).
 */
export const deliverDue = async (deps: Deps, batch = 100, jobs?: JobRunners): Promise<OutboxRun> => {
  const now = deps.clock.now();
  const run: OutboxRun = { delivered: 0, retrying: 0, failed: 0, abandoned: 0 };
  const stale = await deps.store.find<OutboxRow>(MESSAGES, { status: 'sending', leaseUntil: { $lt: now.toISOString() } }, { limit: batch });
  for (const row of stale) {
    // A refund is asked under its one out_refund_no, which WeChat Pay answers alike however often:
    // asking again is safe, and leaving it would strand the payer's money. Anything else is not resent.
    if (row.kind === 'refund' && row.attempts < MESSAGE_RETRY.maxAttempts) {
      if (await move(deps, row, 'fail_retryable', { lastError: { code: 'CLAIM_EXPIRED', message: 'the refund call did not finish within its lease; asked again (same out_refund_no)', retryable: true }, leaseUntil: null, nextAttemptAt: now.toISOString() })) run.retrying++;
      continue;
    }
    if (await move(deps, row, 'abandon', { lastError: { code: 'CLAIM_EXPIRED', message: 'the sending call did not finish within its lease; not sent again', retryable: false }, leaseUntil: null })) run.abandoned++;
  }
  const due = await deps.store.find<OutboxRow>(
    MESSAGES,
    { status: { $in: ['pending', 'retry_wait'] }, nextAttemptAt: { $lte: now.toISOString() } },
    { orderBy: [['nextAttemptAt', 'asc']], limit: batch },
  );
  for (const row of due) {
    const after = await deliverRow(deps, row, jobs);
    if (!after) continue;
    if (after.status === 'sent') run.delivered++;
    else if (after.status === 'retry_wait') run.retrying++;
    else if (after.status === 'failed') run.failed++;
  }
  return run;
};
