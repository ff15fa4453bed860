import type { NotificationRefusal } from '../ports/payments';
import type { NotificationRequest } from '../ports/payments';
import type { HttpAnswer, WebhookOperation } from '../ports/operation';
import { applyRefundResult } from '../payments/refunds';

type Ctx = Parameters<WebhookOperation>[1];
import { ORDERS, type Order } from '../payments/orders';
import { settleOrder, type SettleRefusal } from '../payments/settlement';

const REFUSAL_OF: Record<SettleRefusal, NotificationRefusal> = {
  amount_mismatch: 'amount_mismatch',
  payer_mismatch: 'order_mismatch',
  merchant_mismatch: 'order_mismatch',
  not_paid: 'order_mismatch',
};

/**
 * The payment webhook (F2, S2) — 《支付成功回调通知》. In order:
 *  1. verify Wechatpay-Signature over `timestamp\nnonce\nbody\n` on the raw body (base64 from the
 *     HTTP trigger decoded first), refuse a timestamp 5 minutes or more off, decrypt the resource
 *     with the APIv3 key (shared/adapters/wechatpay/notification.ts);
 *  2. find our order by out_trade_no and check merchant, app, payer, state and amount against it
 *     (payments/settlement.ts);
 *  3. settle it: the contract passes the gate / the card is extended / the evidence report paid
 *     for becomes due, its job row written in the commit that marks the order paid — once, however
 *     often and however concurrently the notification is delivered. Only bookkeeping here: the
 *     report is produced, signed and emailed by the outbox worker (timer-outbox,
 *     evidence/report-job.ts) after this answered, so the webhook never loads the PDF code and
 *     stays far inside WeChat's 5 s (bench/payments.ts).
 * Accepted → 204 with no body. Refused → 4xx/5xx `{"code":"FAIL","message"}` and nothing
 * changed; WeChat redelivers for about 24 h. Logs name the reason and the order, never the body,
 * the signature or any key.
 */
/**
 * A 《退款结果通知》 (issue 16 item 5), on the same route: verified with the same keys and decrypted
 * with the same APIv3 key as a payment's; the refund it names must be one we recorded on its order,
 * for that payment and amount; its status then moves the refund by lifecycle/refund.ts, once.
 */
/**
 * A notification signed under a serial we do not hold is, most likely, WeChat Pay's new platform
 * certificate of a rotation: download the certificates in force (at most once every few minutes
 * per process, the adapter's limit) and check it once more. Still unknown → refused; WeChat retries.
 */
const withFreshKeys = async <T extends { ok: boolean; reason?: string }>(ctx: Ctx, parse: () => T): Promise<T> => {
  const first = parse();
  if (first.ok || first.reason !== 'unknown_serial') return first;
  try {
    const r = await ctx.deps.payments.refreshPlatformKeys();
    if (r === null) return first;
    ctx.log.info({ added: r.added, dropped: r.dropped }, 'platform certificates refreshed');
  } catch (e) {
    ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'platform certificates not refreshed');
    return first;
  }
  return parse();
};

const refundNotify = async (request: NotificationRequest, ctx: Ctx): Promise<HttpAnswer> => {
  const { deps, log } = ctx;
  const parsed = await withFreshKeys(ctx, () => deps.payments.parseRefundNotification(request));
  if (!parsed.ok) {
    log.warn({ refused: parsed.reason, why: parsed.message }, 'refund notification refused');
    return deps.payments.notificationAnswer(parsed.reason);
  }
  const { refund } = parsed.notification;
  const ref = { notificationId: parsed.notification.id, orderId: refund.outTradeNo, outRefundNo: refund.outRefundNo, status: refund.status };
  const r = await applyRefundResult(deps, refund.outTradeNo, refund);
  if (!r.ok) {
    log.error({ ...ref, refused: r.reason }, 'refund notification does not match a refund of ours');
    return deps.payments.notificationAnswer(r.reason === 'unknown_refund' ? 'unknown_order' : 'order_mismatch');
  }
  log.info({ ...ref, changed: r.changed }, 'refund notification applied');
  return deps.payments.notificationAnswer('accepted');
};

export const paymentNotify: WebhookOperation = async (event, ctx): Promise<HttpAnswer> => {
  const { deps, log } = ctx;
  const request = { headers: event.headers, body: event.body, isBase64Encoded: event.isBase64Encoded === true };
  if (deps.payments.notificationKind(request) === 'refund') return refundNotify(request, ctx);
  const parsed = await withFreshKeys(ctx, () => deps.payments.parseNotification(request));
  if (!parsed.ok) {
    log.warn({ refused: parsed.reason, why: parsed.message }, 'payment notification refused');
    return deps.payments.notificationAnswer(parsed.reason);
  }
  const { notification } = parsed;
  const tx = notification.transaction;
  const ref = { notificationId: notification.id, orderId: tx.outTradeNo };
  if (notification.eventType !== 'TRANSACTION.SUCCESS') {
    // Signed and ours, but not a payment success (refund results are routed above): nothing to do, don't ask for it again.
    log.info({ ...ref, eventType: notification.eventType }, 'payment notification ignored');
    return deps.payments.notificationAnswer('accepted');
  }
  const order = await deps.store.get<Order>(ORDERS, tx.outTradeNo);
  if (!order) {
    log.warn({ ...ref, refused: 'unknown_order' }, 'payment notification refused');
    return deps.payments.notificationAnswer('unknown_order');
  }
  const settled = await settleOrder(deps, order, tx);
  if (!settled.ok) {
    // Signed by WeChat yet not our order's facts: an alarm, not a retry matter.
    log.error({ ...ref, refused: settled.reason, orderFen: order.amountFen, reportedFen: tx.amount.total ?? null, tradeState: tx.tradeState }, 'payment notification does not match the order');
    return deps.payments.notificationAnswer(REFUSAL_OF[settled.reason]);
  }
  if (!settled.applied && !settled.duplicate) {
    log.warn({ ...ref, purpose: order.purpose, contractId: order.contractId }, 'paid, but the contract had moved on: refunded automatically');
  }
  log.info({ ...ref, duplicate: settled.duplicate, applied: settled.applied }, 'payment settled');
  return deps.payments.notificationAnswer('accepted');
};
