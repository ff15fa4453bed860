/**
 * Producing and sending the evidence report (C9): the platform-signed PDF, the email with it
 * attached, the `report_sent` event in the audit trail, the SMS to the party who asked.
 *
 * A free report is sent by the request itself (`sendReport` + `recordReportSent`). A paid one is
 * sent after WeChat Pay confirms the order, by `deliverReport`, exactly once however often it is
 * called and by whom (the webhook's duplicate deliveries, the reconcile timer, the party asking
 * again): the caller first CLAIMS the order's report (compare-and-set due|failed → sending on the
 * order), and only the winner produces and emails. Then the order is marked sent, and only the call
 * that marked it records the event and sends the SMS — so ten deliveries of one notification,
 * concurrent or not, give one email, one event, one SMS.
 *
 * A failed email never loses the paid request: the order keeps it as `failed` with a retry time
 * (the reconcile timer tries again, backing off, up to MAX_ATTEMPTS), and the party may ask again
 * at any time — with the same or a corrected address — and it is sent without paying again. A
 * claim abandoned by a crash expires after CLAIM_MINUTES and is taken again by the timer (the one
 * case in which an email may go out twice: a crash between the email and marking the order sent).
 *
 * Who calls it: the outbox worker for a report the payment webhook queued (evidence/report-job.ts,
 * issue 16 item 4 — the webhook itself only marks the order paid: building and emailing took up to
 * 1.4 s in a fresh process, too much of WeChat Pay's 5 s), the reconcile timer, the party asking.
 */
import { AppError, isAppError } from '../errors';
import { partyIndexOf, type Contract, type PartySide } from '../domain/contract';
import type { Deps } from '../ports/operation';
import { loadContract } from '../contracts/repository';
import { evidenceData, produceEvidenceReport } from './report';
import { sendSms } from '../messages/contract-sms';
import { updateOrder, type Order, type ReportRequest } from '../payments/orders';
import { recordChange } from '../contracts/record-change';
import { maskEmail, reportable } from './report-orders';
import { allowsRecord, applyRecord, decideRecord, REPORT_ORDER_TABLE, REPORT_RETRY, retryDelaySeconds, type ReportOrderAction } from '../lifecycle';

/** A claim not finished within this long is taken to be abandoned (a crashed or timed-out call). */
export const CLAIM_MINUTES = REPORT_RETRY.leaseSeconds / 60;
/** Failed sends retried by the timer, each after attempts × RETRY_MINUTES; then left for the party to ask again. */
export const MAX_ATTEMPTS = REPORT_RETRY.maxAttempts;
export const RETRY_MINUTES = REPORT_RETRY.baseDelaySeconds / 60;

/**
 * Who may claim a paid report:
 * - `notified`: a payment just settled (webhook, or the request finding its order paid) — only a
 *   report never tried;
 * - `retry`: the reconcile timer — also a failed one whose retry time came, or an abandoned claim;
 * - `requested`: the party asking again — also a failed one at any time, or an abandoned claim.
 */
export type DeliveryMode = 'notified' | 'retry' | 'requested';

export type DeliveryOutcome =
  | { status: 'sent'; reportNo: string; sha256: string; sentTo: string; byThisCall: boolean }
  | { status: 'due' | 'sending' | 'failed' | 'not_owed'; reportNo: string | null };

export const newReportNo = (deps: Deps, contract: Pick<Contract, 'contractNo'>): string =>
  `BG${contract.contractNo.slice(2)}${deps.ids.token(4).replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 4)}`;

/** An error for the log, with the address masked wherever a provider may have echoed it. */
const safeError = (e: unknown, email: string) => {
  const hide = (s: string) => s.split(email).join(maskEmail(email));
  if (isAppError(e)) return { code: e.code, ...(e.details?.providerCode ? { providerCode: String(e.details.providerCode) } : {}) };
  if (e instanceof Error) return { name: e.name, message: hide(e.message), stack: hide(e.stack ?? '') };
  return { message: hide(String(e)) };
};

/** Renders and signs the report, stores it, emails it. PROVIDER_ERROR when the email is refused. */
export const sendReport = async (deps: Deps, contract: Contract, email: string, reportNo: string): Promise<{ sha256: string }> => {
  const report = await produceEvidenceReport(deps, await evidenceData(deps, contract, reportNo));
  await deps.files.put(`reports/${contract._id}/${reportNo}.pdf`, report.bytes, 'application/pdf');
  const mail = await deps.mailer.send({
    to: email,
    subject: `《${contract.title}》${contract.contractNo} 签署报告 ${reportNo}`,
    text: `您好，附件为《${contract.title}》（合同编号 ${contract.contractNo}）的签署报告（报告编号 ${reportNo}）。\n报告 SHA-256：${report.sha256}\n报告由平台数字签名，可使用 Adobe Acrobat 等工具校验。`,
    attachments: [{ filename: `签署报告-report-${reportNo}.pdf`, contentType: 'application/pdf', content: report.bytes }],
  });
  if (!mail.ok) throw new AppError('PROVIDER_ERROR', '邮件发送失败，请稍后再试', mail.code ? { providerCode: mail.code } : undefined);
  return { sha256: report.sha256 };
};

/** The report_sent event, then the SMS telling the party (N1: a failed SMS is logged, never fatal). */
export const recordReportSent = async (
  deps: Deps,
  contractId: string,
  by: { role: PartySide; openid: string },
  sent: { reportNo: string; sha256: string; email: string; amountFen: number; orderId: string | null },
): Promise<void> => {
  const after = await recordChange(deps, () => loadContract(deps, contractId), (c) => ({
    contract: c,
    events: [{
      type: 'report_sent', actor: by,
      data: { reportNo: sent.reportNo, reportSha256: sent.sha256, documentSha256: c.document!.currentSha256, amountFen: sent.amountFen, ...(sent.orderId ? { orderId: sent.orderId } : {}) },
    }],
  }));
  const to = partyIndexOf(after, by.openid);
  if (to !== null) await sendSms(deps, after, to, 'report_sent');
};

/** The report-order action this call may take (null: none): the table says what each one does. */
const claimAction = (o: Order, now: string, mode: DeliveryMode): ReportOrderAction | null => {
  const r = o.report;
  if (o.status !== 'paid' || o.applied !== true || !r) return null;
  if (r.status === 'due') return 'claim';
  if (mode === 'notified') return null;
  const timeCame = r.retryAt !== null && r.retryAt <= now; // a failed send's retry time, or an abandoned claim's expiry
  if (r.status === 'failed' && (mode === 'requested' || timeCame)) return 'retry';
  if (r.status === 'sending' && timeCame) return 'take_over';
  return null;
};

const minutesAfter = (now: string, minutes: number): string => new Date(Date.parse(now) + minutes * 60_000).toISOString();

/**
 * Delivers the report a paid order owes, once. `email` (a re-request) replaces the address the
 * order was placed with. Never throws for a failed production or email — that is recorded on the
 * order for a retry and answered as 'failed'; a store conflict it could not resolve does throw.
 * Given the order as the caller just read it, the claim starts from that copy (one read less; a
 * stale copy costs only a failed compare-and-set or a fresh read, payments/orders.ts updateOrder).
 */
export const deliverReport = async (deps: Deps, order: string | Order, mode: DeliveryMode, email?: string): Promise<DeliveryOutcome> => {
  const claim = await updateOrder(deps, order, (o) => {
    const now = deps.clock.now().toISOString();
    const action = claimAction(o, now, mode);
    if (!action || !o.report) return null;
    const report = applyRecord(o.report, decideRecord(REPORT_ORDER_TABLE, o.report.status, action), { email: email ?? o.report.email, attempts: o.report.attempts + 1, claimedAt: now, retryAt: minutesAfter(now, CLAIM_MINUTES) });
    return { ...o, report };
  });
  const { order: claimed } = claim;
  const r = claimed.report;
  if (claim.changed && r) return sendClaimed(deps, claimed as Order & { report: ReportRequest });
  if (!r || claimed.status !== 'paid' || claimed.applied !== true) return { status: 'not_owed', reportNo: r?.reportNo ?? null };
  if (r.status === 'sent') return { status: 'sent', reportNo: r.reportNo, sha256: r.sha256!, sentTo: r.email, byThisCall: false };
  return { status: r.status, reportNo: r.reportNo };
};

const sendClaimed = async (deps: Deps, order: Order & { report: ReportRequest }): Promise<DeliveryOutcome> => {
  const { report: r } = order;
  const { reportNo } = r;
  const ref = { orderId: order._id, contractId: order.contractId, reportNo, attempt: r.attempts, to: maskEmail(r.email) };
  const ours = (o: Order) => o.report?.status === 'sending' && o.report.claimedAt === r.claimedAt;
  let sha256: string;
  try {
    const contract = order.contractId ? await loadContract(deps, order.contractId) : null;
    if (!contract || !reportable(contract)) throw new AppError('INVALID_TRANSITION', '合同当前不能出具签署报告');
    ({ sha256 } = await sendReport(deps, contract, r.email, reportNo));
  } catch (e) {
    const now = deps.clock.now().toISOString();
    const delay = retryDelaySeconds(REPORT_RETRY, r.attempts);
    const retryAt = delay === null ? null : minutesAfter(now, delay / 60);
    await updateOrder(deps, order, (o) => (ours(o) ? { ...o, report: applyRecord(o.report!, decideRecord(REPORT_ORDER_TABLE, o.report!.status, 'fail'), { retryAt, lastError: isAppError(e) ? e.code : 'INTERNAL' }) } : null));
    const fields = { ...ref, err: safeError(e, r.email), retryAt };
    if (isAppError(e)) deps.log.warn(fields, 'paid evidence report not sent: kept for a retry');
    else deps.log.error(fields, 'paid evidence report not sent: kept for a retry');
    return { status: 'failed', reportNo };
  }
  const now = deps.clock.now().toISOString();
  const marked = await updateOrder(deps, order, (o) => {
    if (!o.report || !allowsRecord(REPORT_ORDER_TABLE, o.report.status, 'succeed')) return null;
    const d = decideRecord(REPORT_ORDER_TABLE, o.report.status, 'succeed');
    return d.noop ? null : { ...o, report: applyRecord(o.report, d, { sha256, sentAt: now, retryAt: null, lastError: null }) };
  });
  if (marked.changed) {
    // Only the call that marked it sent tells the audit trail and the party.
    await recordReportSent(deps, order.contractId!, { role: r.role, openid: order.openid }, { reportNo, sha256, email: r.email, amountFen: order.amountFen, orderId: order._id });
    deps.log.info(ref, 'paid evidence report sent');
  }
  return { status: 'sent', reportNo, sha256, sentTo: r.email, byThisCall: marked.changed };
};
