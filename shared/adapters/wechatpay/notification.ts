/**
 * The payment-notify webhook's protocol side — 《支付成功回调通知》
 * (pay.weixin.qq.com/docs/merchant/products/notification/introduction.html; 《通知应答》 in
 * wiki/doc/apiv3/apis/chapter3_3_5.shtml):
 *
 *   POST notify_url, headers Wechatpay-Serial/-Signature/-Timestamp/-Nonce, JSON body
 *   { id, create_time, event_type: "TRANSACTION.SUCCESS", resource_type: "encrypt-resource",
 *     summary, resource: { original_type: "transaction", algorithm: "AEAD_AES_256_GCM",
 *                          ciphertext, associated_data, nonce } }
 *
 * 1. verify the signature over the RAW body (response-verify.ts) — so an HTTP trigger's
 *    base64-encoded body (API gateway / function URL event `isBase64Encoded: true`) is decoded to
 *    bytes first and verified as bytes, never re-serialised from parsed JSON;
 * 2. parse the JSON, decrypt `resource` with the APIv3 key (aead.ts);
 * 3. return the transaction. Checking it against OUR order (amount, state, duplicates) is the
 *    webhook operation's job (SPEC F2).
 *
 * The answer (《通知应答》): success → HTTP 200 or 204 with no body; failure → 4XX/5XX with
 * `{"code":"FAIL","message":"失败"}` (message at most 64 characters). WeChat retries failures for
 * about 24 h, so answering 4xx/5xx is how we ask for a redelivery.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import { AEAD_ALGORITHM, decryptAeadAes256Gcm } from './aead';
import type { VerifyFailureReason } from './errors';
import { verifyWechatPaySignature, type HeaderBag } from './response-verify';
import { parseTransaction, type Transaction } from './transaction';
import { parseRefund, type Refund } from './refund';

/** What an HTTP trigger (or the local emulator) hands us. Structurally an SCF/CloudBase HTTP event. */
export interface NotificationRequest {
  headers: HeaderBag;
  /** The body exactly as received; base64 text when `isBase64Encoded`. */
  body: string | Buffer | null | undefined;
  isBase64Encoded?: boolean;
}

export interface PaymentNotification {
  /** Notification id (the same across WeChat's retries of one event). */
  id: string;
  createTime: string;
  /** TRANSACTION.SUCCESS for a payment. */
  eventType: string;
  summary?: string;
  transaction: Transaction;
  /** The Wechatpay-Serial whose key verified it (audit). */
  verifiedWith: string;
}

export type NotificationOutcome =
  { ok: true; notification: PaymentNotification } | { ok: false; reason: VerifyFailureReason; message: string };

export interface NotificationVerifier {
  platformKeys: ReadonlyMap<string, KeyObject>;
  apiV3Key: KeyObject;
  /** The notification must be for this merchant and app (《支付通知》: "校验通知的信息是否与商户侧的信息一致"). */
  mchid: string;
  appid: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The raw body bytes, undoing an HTTP trigger's base64 encoding. */
export function rawNotificationBody(request: NotificationRequest): Buffer | undefined {
  const { body } = request;
  if (body === null || body === undefined) return undefined;
  if (!request.isBase64Encoded) return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const text = (typeof body === 'string' ? body : body.toString('latin1')).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

interface Envelope {
  id: string;
  createTime: string;
  eventType: string;
  summary?: string;
  plain: unknown;
  verifiedWith: string;
}
type EnvelopeOutcome = { ok: true; envelope: Envelope } | { ok: false; reason: VerifyFailureReason; message: string };

/** Verify the signature over the raw body, then decrypt the resource of `originalType` and parse it as JSON. */
function openNotification(request: NotificationRequest, verifier: NotificationVerifier, clock: Clock, originalType: 'transaction' | 'refund'): EnvelopeOutcome {
  const fail = (reason: VerifyFailureReason, message: string): EnvelopeOutcome => ({ ok: false, reason, message });

  const raw = rawNotificationBody(request);
  if (raw === undefined || raw.length === 0) return fail('malformed', 'empty or undecodable body');

  const verified = verifyWechatPaySignature({
    headers: request.headers,
    body: raw,
    platformKeys: verifier.platformKeys,
    now: clock.now(),
  });
  if (!verified.ok) return verified;

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return fail('malformed', 'body is not JSON');
  }
  if (!isRecord(parsed)) return fail('malformed', 'body is not a JSON object');
  const { id, create_time, event_type, resource_type, summary, resource } = parsed;
  if (typeof id !== 'string' || typeof create_time !== 'string' || typeof event_type !== 'string') {
    return fail('malformed', 'missing id/create_time/event_type');
  }
  if (resource_type !== 'encrypt-resource' || !isRecord(resource)) return fail('malformed', 'no encrypt-resource');
  const { original_type, algorithm, ciphertext, nonce, associated_data } = resource;
  if (original_type !== originalType) return fail('malformed', `resource is not a ${originalType}`);
  if (algorithm !== AEAD_ALGORITHM) return fail('malformed', 'unsupported resource algorithm');
  if (typeof ciphertext !== 'string' || typeof nonce !== 'string')
    return fail('malformed', 'resource lacks ciphertext/nonce');
  // 《证书和回调报文解密》: associated_data "可能为空".
  const aad = typeof associated_data === 'string' ? associated_data : '';

  const decrypted = decryptAeadAes256Gcm(verifier.apiV3Key, { nonce, associatedData: aad, ciphertext });
  if (!decrypted.ok) return fail('decrypt_failed', decrypted.message);

  let plain: unknown;
  try {
    plain = JSON.parse(decrypted.plaintext);
  } catch {
    return fail('malformed', 'decrypted resource is not JSON');
  }
  const envelope: Envelope = { id, createTime: create_time, eventType: event_type, plain, verifiedWith: verified.serial };
  if (typeof summary === 'string') envelope.summary = summary;
  return { ok: true, envelope };
}

export function parsePaymentNotification(
  request: NotificationRequest,
  verifier: NotificationVerifier,
  clock: Clock,
): NotificationOutcome {
  const opened = openNotification(request, verifier, clock, 'transaction');
  if (!opened.ok) return opened;
  const { plain, ...env } = opened.envelope;
  const tx = parseTransaction(plain);
  if (!tx.ok) return { ok: false, reason: 'malformed', message: tx.message };
  if (tx.transaction.mchid !== verifier.mchid || tx.transaction.appid !== verifier.appid) {
    return { ok: false, reason: 'malformed', message: 'transaction is for another mchid/appid' };
  }
  return { ok: true, notification: { ...env, transaction: tx.transaction } };
}

export interface RefundNotification {
  id: string;
  createTime: string;
  /** REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED (《退款结果通知》). */
  eventType: string;
  summary?: string;
  refund: Refund;
  verifiedWith: string;
}
export type RefundNotificationOutcome = { ok: true; notification: RefundNotification } | { ok: false; reason: VerifyFailureReason; message: string };

/**
 * 《退款结果通知》: signed and encrypted exactly like a payment notification (the same platform or
 * WeChat Pay public keys, the same APIv3 key), resource original_type `refund`; the decrypted
 * resource names our mchid and carries refund_status.
 */
export function parseRefundNotification(request: NotificationRequest, verifier: NotificationVerifier, clock: Clock): RefundNotificationOutcome {
  const opened = openNotification(request, verifier, clock, 'refund');
  if (!opened.ok) return opened;
  const { plain, ...env } = opened.envelope;
  const r = parseRefund(plain, 'refund_status');
  if (!r.ok) return { ok: false, reason: 'malformed', message: r.message };
  if (r.refund.mchid !== verifier.mchid) return { ok: false, reason: 'malformed', message: 'refund is for another mchid' };
  return { ok: true, notification: { ...env, refund: r.refund } };
}

/**
 * Which parser a notification is for, from its plaintext event_type (routing only: the parser
 * chosen then verifies everything). REFUND.* is a refund result, anything else a payment.
 */
export function notificationKind(request: NotificationRequest): 'refund' | 'transaction' {
  try {
    const raw = rawNotificationBody(request);
    const v: unknown = raw ? JSON.parse(raw.toString('utf8')) : null;
    return isRecord(v) && typeof v.event_type === 'string' && v.event_type.startsWith('REFUND.') ? 'refund' : 'transaction';
  } catch {
    return 'transaction';
  }
}

/** An HTTP answer in the shape SCF/CloudBase HTTP triggers (and node:http) can send. */
export interface NotificationAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** 《通知应答》 "接收成功：HTTP应答状态码需返回200或204，无需返回应答报文". */
export function notificationAccepted(): NotificationAnswer {
  return { statusCode: 204, headers: {}, body: '' };
}

/**
 * Why a notification is refused: the protocol checks above, the merchant's own order checks
 * (an order we do not have; an amount or payer that is not the order's), or our own failure.
 */
export type NotificationRefusal = VerifyFailureReason | 'unknown_order' | 'amount_mismatch' | 'order_mismatch' | 'processing_failed';

const REFUSAL: Record<NotificationRefusal, { status: number; message: string }> = {
  malformed: { status: 400, message: '报文格式错误' },
  bad_signature: { status: 401, message: '签名验证失败' },
  stale_timestamp: { status: 401, message: '时间戳超出允许范围' },
  // We may simply not have loaded a new platform key yet: WeChat retries, so ask it to.
  unknown_serial: { status: 401, message: '未知的微信支付公钥或平台证书序列号' },
  // A signed notification we cannot decrypt means OUR APIv3 key is wrong: a server-side fault.
  decrypt_failed: { status: 500, message: '解密失败' },
  // Signed by WeChat but not about an order of ours: say so; a redelivery changes nothing on its own.
  unknown_order: { status: 404, message: '订单不存在' },
  // The paid amount is not the order's (《支付通知》: 商户侧需校验金额): never settle it.
  amount_mismatch: { status: 400, message: '支付金额与订单金额不一致' },
  // Another merchant/app/payer than the order's, or not a successful payment.
  order_mismatch: { status: 400, message: '支付信息与订单不一致' },
  // Our own processing failed (store down…): 5xx so WeChat redelivers.
  processing_failed: { status: 500, message: '处理失败，请稍后重试' },
};

/** 《通知应答》 "接收失败：HTTP应答状态码需返回5XX或4XX，同时需返回应答报文 {code:'FAIL', message}". */
export function notificationRefused(reason: NotificationRefusal): NotificationAnswer {
  const r = REFUSAL[reason];
  return {
    statusCode: r.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ code: 'FAIL', message: r.message.slice(0, 64) }),
  };
}
