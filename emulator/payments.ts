/**
 * The emulator's side of payments. In the cloud, paying is the mini-program's job (wx.requestPayment)
 * and WeChat Pay then calls our webhook; here the local simulator plays WeChat Pay:
 *
 *   POST /_emulator/pay/<orderId> {"mode"?: "duplicate"|"forged"|"stale"|"wrong_amount", "times"?: n}
 *     the payer pays; the simulator builds the 《支付成功回调通知》 exactly as WeChat Pay does
 *     (AES-256-GCM under the APIv3 key, RSA-SHA256 signature with its key) and POSTs it to the
 *     emulator's real webhook route, n times (duplicate: n at once, default 10). The other modes
 *     send what an attacker or a broken network would: a signature from another key, a timestamp
 *     10 minutes old, an amount one fen off. The answer lists each delivery's HTTP status. An
 *     order closed at WeChat Pay cannot be paid: 409.
 *   POST /_emulator/coupons {"openid", "campaign"}  issues a coupon as marketing would.
 *
 * The webhook route itself hands the real function an HTTP-trigger event built from the raw bytes.
 */
import type http from 'node:http';
import type { Container } from '../shared/runtime/container';
import type { HttpTriggerEvent } from '../shared/ports/operation';
import type { NotificationOptions, PaymentSimulator } from '../shared/adapters/local/payment-simulator';
import { issueCoupon, loadOrder } from '../shared/payments';
import { isAppError } from '../shared/errors';
import { isSafeOpenid } from '../shared/runtime/caller';

export const WEBHOOK_PATH = '/webhooks/payment';

/**
 * The event an HTTP trigger makes of a request: headers as received (lower-cased by node, as by
 * the gateway), the body as text — or base64 with `isBase64Encoded` when it is not JSON, as
 * API gateways and function URLs pass bodies they do not treat as text.
 */
export const webhookEvent = (req: http.IncomingMessage, raw: Buffer): HttpTriggerEvent => {
  const textual = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
  return {
    httpMethod: req.method ?? 'POST',
    path: WEBHOOK_PATH,
    headers: { ...req.headers },
    body: textual ? raw.toString('utf8') : raw.toString('base64'),
    isBase64Encoded: !textual,
  };
};

const MODES: Record<string, NotificationOptions> = {
  normal: {},
  duplicate: {},
  forged: { forgeSignature: true },
  stale: { timestampOffsetSeconds: -600 },
  wrong_amount: { wrongAmount: true },
  // The payer pays an order already paid once more (another transaction_id): refunded automatically.
  second_payment: {},
};

interface ControlAnswer {
  status: number;
  body: unknown;
}

const refuse = (message: string, status = 400): ControlAnswer => ({ status, body: { ok: false, error: { code: status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED', message } } });

/** `sim` is WeChat Pay's side: the local provider's simulator, or the one a cloud emulation's client talks to. */
export const payControl = async (container: Container, sim: PaymentSimulator, orderId: string, input: unknown, webhookUrl: string): Promise<ControlAnswer> => {
  const body = (input ?? {}) as { mode?: unknown; times?: unknown };
  const mode = body.mode === undefined ? 'normal' : String(body.mode);
  const options = MODES[mode];
  if (!options) return refuse(`mode 须为 ${Object.keys(MODES).join('、')}`);
  const times = body.times === undefined ? (mode === 'duplicate' ? 10 : 1) : Number(body.times);
  if (!Number.isInteger(times) || times < 1 || times > 50) return refuse('times 须为 1–50 的整数');
  const order = await loadOrder(container, orderId);
  if (!order) return refuse('没有这个订单 / no such order', 404);
  // As the payer's WeChat does: a closed order cannot be paid (《关闭订单》).
  if (sim.getOrder(order._id)?.tradeState === 'CLOSED') {
    return { status: 409, body: { ok: false, error: { code: 'CONFLICT', message: '订单已关闭，无法支付 / the order is closed at WeChat Pay' } } };
  }

  if (mode === 'second_payment' && sim.getOrder(order._id)?.tradeState !== 'SUCCESS') return refuse('订单尚未支付，不能再付一次 / pay it once first', 409);
  // Built once: every delivery carries the same bytes, as WeChat's redeliveries of one event do.
  const notification =
    mode === 'second_payment' ? sim.payAgain(order._id).notification : sim.buildNotification({ outTradeNo: order._id, amountFen: order.amountFen, payerOpenid: order.openid }, {}, options);
  const deliveries =
    mode === 'duplicate'
      ? await Promise.all(Array.from({ length: times }, () => sim.deliver(notification, webhookUrl)))
      : await (async () => {
          const out = [];
          for (let i = 0; i < times; i++) out.push(await sim.deliver(notification, webhookUrl));
          return out;
        })();
  const after = await loadOrder(container, orderId);
  return { status: 200, body: { ok: true, orderId, mode, deliveries, order: { status: after?.status ?? null, applied: after?.applied ?? null } } };
};

/**
 * WeChat Pay finishes a refund (POST /_emulator/refunds/<outRefundNo> {"status"?: SUCCESS|CLOSED|ABNORMAL,
 * "mode"?: forged, "times"?: n}) and delivers its signed, encrypted 《退款结果通知》 to the webhook.
 */
export const refundControl = async (sim: PaymentSimulator, outRefundNo: string, input: unknown, webhookUrl: string): Promise<ControlAnswer> => {
  const body = (input ?? {}) as { status?: unknown; mode?: unknown; times?: unknown };
  const status = body.status === undefined ? 'SUCCESS' : String(body.status);
  if (status !== 'SUCCESS' && status !== 'CLOSED' && status !== 'ABNORMAL') return refuse('status 须为 SUCCESS、CLOSED 或 ABNORMAL');
  if (body.mode !== undefined && body.mode !== 'forged') return refuse('mode 须为 forged');
  const times = body.times === undefined ? 1 : Number(body.times);
  if (!Number.isInteger(times) || times < 1 || times > 50) return refuse('times 须为 1–50 的整数');
  if (!sim.getRefund(outRefundNo)) return refuse('微信支付没有这笔退款 / no such refund at WeChat Pay', 404);
  const notification = sim.buildRefundNotification(outRefundNo, status, body.mode === 'forged' ? { forgeSignature: true } : {});
  const deliveries = [];
  for (let i = 0; i < times; i++) deliveries.push(await sim.deliver(notification, webhookUrl));
  return { status: 200, body: { ok: true, outRefundNo, deliveries, refund: sim.getRefund(outRefundNo) } };
};

export const couponControl = async (container: Container, input: unknown): Promise<ControlAnswer> => {
  const body = (input ?? {}) as { openid?: unknown; campaign?: unknown };
  if (!isSafeOpenid(body.openid) || typeof body.campaign !== 'string') return refuse('请提供 {"openid", "campaign"}');
  try {
    const c = await issueCoupon(container, body.openid, body.campaign);
    return { status: 200, body: { ok: true, coupon: { id: c._id, title: c.title, expiresAt: c.expiresAt } } };
  } catch (e) {
    if (isAppError(e)) return refuse(`${e.message}: ${Object.keys(container.config.fees.campaigns).join(', ')}`);
    throw e;
  }
};
