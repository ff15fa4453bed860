/**
 * The local "WeChat Pay": the other side of the API v3 protocol, for the emulator and tests.
 *
 * It holds what WeChat Pay holds — its own RSA key pair (the "微信支付公钥", generated at start,
 * never written anywhere), the merchant's APIv3 key, and the merchant's PUBLIC key to check our
 * requests — and it speaks the subset of the API our client uses, byte for byte as documented:
 *
 *  - requests: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
 *    timestamp=…,serial_no=…` over `METHOD\nURL\ntimestamp\nnonce\nbody\n` (《签名生成》), refused
 *    with 401 `{code:"SIGN_ERROR"}` when it does not verify; 400 INVALID_REQUEST without
 *    Accept/User-Agent (《基本规则》);
 *  - responses: signed `timestamp\nnonce\nbody\n` with Wechatpay-Timestamp/-Nonce/-Signature/
 *    -Serial/-Signature-Type and Request-ID headers (《签名验证》);
 *  - POST /v3/pay/transactions/jsapi → 200 {prepay_id} (《小程序下单》);
 *    GET /v3/pay/transactions/out-trade-no/{id}?mchid= → 200 transaction | 404 ORDERNOTEXIST
 *    (《商户订单号查询订单》); POST …/{id}/close {mchid} → 204 (《关闭订单》);
 *  - notifications: 《支付成功回调通知》 bodies `{id, create_time, resource_type:"encrypt-resource",
 *    event_type:"TRANSACTION.SUCCESS", summary:"支付成功", resource:{original_type:"transaction",
 *    algorithm:"AEAD_AES_256_GCM", ciphertext, associated_data:"transaction", nonce}}` with the
 *    transaction encrypted by AES-256-GCM under the APIv3 key (ciphertext = base64(enc ‖ 16-byte
 *    tag), 12-character nonce) and signed like a response.
 *  - POST /v3/refund/domestic/refunds {transaction_id, out_refund_no, notify_url, amount} → 200
 *    refund with status PROCESSING (《申请退款》; the same out_refund_no answers the same refund);
 *    `buildRefundNotification` then finishes it: 《退款结果通知》 event_type REFUND.SUCCESS (or
 *    CLOSED / ABNORMAL), resource original_type "refund", sealed and signed like a payment's;
 *    `payAgain` is a second payment of a paid order (another transaction_id).
 *
 * Its crypto is written here with node:crypto, deliberately NOT reusing shared/adapters/wechatpay:
 * the simulator plays the other party, so a mistake in our client is not mirrored back as success.
 * (The tests also check both against a vector built by hand.)
 */
import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../ports/clock';
import type { WechatPayConfigInput } from '../wechatpay/config';

const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
const SKEW_LIMIT_SECONDS = 300;
const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;

export type SimTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED';

/** An order as the simulator remembers it. */
export interface SimOrder {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  amountFen: number;
  payerOpenid: string;
  notifyUrl: string;
  attach?: string;
  prepayId: string;
  tradeState: SimTradeState;
  transactionId?: string;
  /** RFC 3339, +08:00 */
  successTime?: string;
}

export type SimRefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

/** A refund as the simulator remembers it (one per out_refund_no: asking again answers the same one). */
export interface SimRefund {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  amountFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
  status: SimRefundStatus;
  createTime: string;
  successTime?: string;
}

/** One-shot misbehaviours for the next API call, to test the client's defences. */
export type SimFault =
  /** Answer with this WeChat error instead of handling the call. */
  | { kind: 'error'; status: number; code: string; message: string }
  /** Sign the answer, then change one byte of the body. */
  | { kind: 'tamper_response_body' }
  /** Answer with a signature that does not verify. */
  | { kind: 'tamper_response_signature' }
  /** Answer without Wechatpay-Signature. */
  | { kind: 'unsigned_response' }
  /** Sign the answer with a timestamp this many seconds off. */
  | { kind: 'skewed_response'; offsetSeconds: number };

export interface NotificationOptions {
  /** Sign with an unrelated key (what a forger could do). */
  forgeSignature?: boolean;
  /** Move Wechatpay-Timestamp away from the clock (stale/replayed notification). */
  timestampOffsetSeconds?: number;
  /** Report a different amount.total (and payer_total): `true` = order amount + 1, or a number. */
  wrongAmount?: boolean | number;
  /** Hand the body over base64-encoded, as an HTTP trigger with `isBase64Encoded` does. */
  base64Body?: boolean;
  /** Flip a byte of the ciphertext but sign the result properly (decryption must fail). */
  tamperCiphertext?: boolean;
  /** Send this Wechatpay-Serial instead of the simulator's key id. */
  serial?: string;
  /** Sign with this key (a platform certificate's, with its `serial`) instead of the WeChat Pay public key's. */
  signingKey?: KeyObject;
}

export interface SimulatedNotification {
  headers: {
    'Wechatpay-Timestamp': string;
    'Wechatpay-Nonce': string;
    'Wechatpay-Signature': string;
    'Wechatpay-Serial': string;
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048';
  };
  /** The JSON body, or its base64 text when `isBase64Encoded`. */
  body: string;
  isBase64Encoded: boolean;
}

export interface PaymentSimulatorOptions {
  mchid: string;
  appid: string;
  /** The merchant API certificate serial our requests name in `serial_no`. */
  merchantSerialNo: string;
  /** The merchant's public key: how WeChat Pay checks our request signatures. */
  merchantPublicKey: string | KeyObject;
  /** The merchant's APIv3 key (32 characters); generated when absent. */
  apiV3Key?: string;
  /** The WeChat Pay public key id; generated (`PUB_KEY_ID_…`) when absent. */
  publicKeyId?: string;
  /**
   * The simulator's own signing key (the private half of the "微信支付公钥"); generated when
   * absent. The emulator keeps one under its data dir so its processes and restarts agree.
   */
  platformPrivateKey?: string | KeyObject;
  clock?: Clock;
}

/** A merchant key pair for tests and the emulator, generated in memory. Never commit the output. */
export function generateMerchantKeys(): { privateKeyPem: string; publicKeyPem: string; serialNo: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    serialNo: randomBytes(20).toString('hex').toUpperCase(),
  };
}

export class PaymentSimulator {
  readonly mchid: string;
  readonly appid: string;
  readonly apiV3Key: string;
  readonly publicKeyId: string;
  /** The "微信支付公钥" (SPKI PEM) merchants download: what the client verifies with. */
  readonly platformPublicKeyPem: string;
  /** Node http handler speaking the API subset: `http.createServer(sim.handler)`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;

  readonly #platformPrivateKey: KeyObject;
  readonly #merchantPublicKey: KeyObject;
  readonly #merchantSerialNo: string;
  readonly #clock: Clock;
  readonly #orders = new Map<string, SimOrder>();
  /** Every payment by transaction_id (an order paid twice has two). */
  readonly #payments = new Map<string, { outTradeNo: string; amountFen: number }>();
  readonly #refunds = new Map<string, SimRefund>();
  readonly #faults: SimFault[] = [];
  /** Platform certificates served at GET /v3/certificates (《下载平台证书》), in force and during a rotation. */
  readonly #certificates: Array<{ serialNo: string; certificatePem: string; effectiveTime: string; expireTime: string }> = [];
  /** When set, answers are signed with this platform certificate's key (certificate mode) instead of the public key. */
  #answerSigner: { serial: string; key: KeyObject } | undefined;

  constructor(options: PaymentSimulatorOptions) {
    this.mchid = options.mchid;
    this.appid = options.appid;
    this.apiV3Key = options.apiV3Key ?? randomAlnum(32);
    if (Buffer.byteLength(this.apiV3Key, 'utf8') !== 32) throw new Error('apiV3Key must be 32 bytes');
    this.publicKeyId = options.publicKeyId ?? `PUB_KEY_ID_${randomDigits(34)}`;
    const privateKey =
      options.platformPrivateKey === undefined
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : typeof options.platformPrivateKey === 'string'
          ? createPrivateKey(options.platformPrivateKey)
          : options.platformPrivateKey;
    this.#platformPrivateKey = privateKey;
    this.platformPublicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    this.#merchantPublicKey =
      typeof options.merchantPublicKey === 'string'
        ? createPublicKey(options.merchantPublicKey)
        : options.merchantPublicKey;
    this.#merchantSerialNo = options.merchantSerialNo.toUpperCase();
    this.#clock = options.clock ?? { now: () => new Date() };
    this.handler = (req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) this.#answer(res, 500, { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' });
        else res.end();
      });
    };
  }

  /** Settings for our client pointed at this simulator (feed to createWechatPayConfig). */
  configInput(
    merchant: { privateKeyPem: string; serialNo: string },
    baseUrl: string,
    notifyUrl: string,
  ): WechatPayConfigInput {
    return {
      mchid: this.mchid,
      appid: this.appid,
      merchantSerialNo: merchant.serialNo,
      merchantPrivateKey: merchant.privateKeyPem,
      apiV3Key: this.apiV3Key,
      wechatpayPublicKey: this.platformPublicKeyPem,
      wechatpayPublicKeyId: this.publicKeyId,
      notifyUrl,
      baseUrl,
    };
  }

  /** Queue a misbehaviour for the next authenticated API call. */
  failNext(fault: SimFault): void {
    this.#faults.push(fault);
  }

  getOrder(outTradeNo: string): SimOrder | undefined {
    const o = this.#orders.get(outTradeNo);
    return o === undefined ? undefined : { ...o };
  }

  /** The payer completes the payment in WeChat (idempotent: a paid order stays as it was paid). */
  pay(outTradeNo: string): SimOrder {
    const order = this.#orders.get(outTradeNo);
    if (order === undefined) throw new Error(`simulator: no order ${outTradeNo}`);
    if (order.tradeState === 'CLOSED') throw new Error(`simulator: order ${outTradeNo} is closed`);
    if (order.tradeState === 'NOTPAY') {
      const now = this.#clock.now();
      order.tradeState = 'SUCCESS';
      order.transactionId = `4200000${randomDigits(1)}${beijing(now).slice(0, 10).replace(/-/g, '')}${randomDigits(12)}`;
      order.successTime = rfc3339Beijing(now);
      this.#payments.set(order.transactionId, { outTradeNo, amountFen: order.amountFen });
    }
    return { ...order };
  }

  /**
   * A 《支付成功回调通知》 for an order. When the simulator knows the order (it was created through
   * the API) the order is marked paid first, so a later query agrees with the notification; for
   * an unknown order the caller supplies the amount and payer.
   */
  buildNotification(
    order: { outTradeNo: string; amountFen?: number; payerOpenid?: string; attach?: string },
    payment: { tradeState?: 'SUCCESS'; amountFen?: number; payerOpenid?: string; transactionId?: string } = {},
    options: NotificationOptions = {},
  ): SimulatedNotification {
    const known = this.#orders.has(order.outTradeNo) ? this.pay(order.outTradeNo) : undefined;
    const amountFen = payment.amountFen ?? known?.amountFen ?? order.amountFen;
    const payerOpenid = payment.payerOpenid ?? known?.payerOpenid ?? order.payerOpenid;
    if (amountFen === undefined || payerOpenid === undefined) {
      throw new Error('simulator: amountFen and payerOpenid are needed for an order it does not know');
    }
    const now = this.#clock.now();
    const reported =
      options.wrongAmount === undefined || options.wrongAmount === false
        ? amountFen
        : options.wrongAmount === true
          ? amountFen + 1
          : options.wrongAmount;
    // Field order and values as in the 《支付成功回调通知》 sample (decrypted resource).
    const transaction = {
      mchid: this.mchid,
      appid: this.appid,
      out_trade_no: order.outTradeNo,
      transaction_id:
        payment.transactionId ??
        known?.transactionId ??
        `4200000${randomDigits(1)}${beijing(now).slice(0, 10).replace(/-/g, '')}${randomDigits(12)}`,
      trade_type: 'JSAPI',
      trade_state: payment.tradeState ?? 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: known?.attach ?? order.attach ?? '',
      success_time: known?.successTime ?? rfc3339Beijing(now),
      payer: { openid: payerOpenid },
      amount: { total: reported, payer_total: reported, currency: 'CNY', payer_currency: 'CNY' },
    };
    const body = this.#envelope('TRANSACTION.SUCCESS', '支付成功', 'transaction', transaction, options.tamperCiphertext === true);
    return this.signNotification(body, options);
  }

  /** A notification body: the resource sealed with the APIv3 key (AEAD_AES_256_GCM), as WeChat Pay does. */
  #envelope(eventType: string, summary: string, originalType: 'transaction' | 'refund', resource: unknown, tamper: boolean): string {
    const now = this.#clock.now();
    const nonce = randomAlnum(12);
    const associatedData = originalType;
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(this.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    if (tamper) sealed[0] = (sealed[0] ?? 0) ^ 0x01;
    return JSON.stringify({
      id: randomUUID(),
      create_time: rfc3339Beijing(now),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), associated_data: associatedData, nonce },
    });
  }

  /**
   * A second payment of an order already paid (the payer paid twice: two devices, a retried
   * payment page): a new transaction_id for the same out_trade_no and amount, and its notification.
   */
  payAgain(outTradeNo: string, options: NotificationOptions = {}): { transactionId: string; notification: SimulatedNotification } {
    const order = this.#orders.get(outTradeNo);
    if (order === undefined || order.tradeState !== 'SUCCESS') throw new Error(`simulator: order ${outTradeNo} is not paid`);
    const transactionId = `4200000${randomDigits(1)}${beijing(this.#clock.now()).slice(0, 10).replace(/-/g, '')}${randomDigits(12)}`;
    this.#payments.set(transactionId, { outTradeNo, amountFen: order.amountFen });
    return { transactionId, notification: this.buildNotification({ outTradeNo }, { transactionId }, options) };
  }

  getRefund(outRefundNo: string): SimRefund | undefined {
    const r = this.#refunds.get(outRefundNo);
    return r === undefined ? undefined : { ...r };
  }

  /** Every refund asked for, in order (what the merchant's calls did at WeChat Pay). */
  refunds(): SimRefund[] {
    return [...this.#refunds.values()].map((r) => ({ ...r }));
  }

  /**
   * WeChat Pay finishes a refund (SUCCESS, or CLOSED / ABNORMAL) and builds its 《退款结果通知》:
   * the resource (original_type `refund`) sealed and signed like a payment notification.
   */
  buildRefundNotification(outRefundNo: string, status: Exclude<SimRefundStatus, 'PROCESSING'> = 'SUCCESS', options: NotificationOptions = {}): SimulatedNotification {
    const r = this.#refunds.get(outRefundNo);
    if (r === undefined) throw new Error(`simulator: no refund ${outRefundNo}`);
    if (r.status === 'PROCESSING') {
      r.status = status;
      if (status === 'SUCCESS') r.successTime = rfc3339Beijing(this.#clock.now());
    }
    const resource = {
      mchid: this.mchid,
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      refund_status: r.status,
      ...(r.successTime ? { success_time: r.successTime } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: r.totalFen, refund: r.amountFen, payer_total: r.totalFen, payer_refund: r.amountFen },
    };
    const summary = r.status === 'SUCCESS' ? '退款成功' : r.status === 'CLOSED' ? '退款关闭' : '退款异常';
    return this.signNotification(this.#envelope(`REFUND.${r.status}`, summary, 'refund', resource, options.tamperCiphertext === true), options);
  }

  /** A platform certificate in force from now on (a rotation adds the new one beside the old). */
  addPlatformCertificate(c: { serialNo: string; certificatePem: string; effectiveTime: string; expireTime: string }): void {
    this.#certificates.push({ ...c, serialNo: c.serialNo.toUpperCase() });
  }

  /** The end of a rotation: the old certificate is no longer served. */
  removePlatformCertificate(serialNo: string): void {
    const i = this.#certificates.findIndex((c) => c.serialNo === serialNo.toUpperCase());
    if (i >= 0) this.#certificates.splice(i, 1);
  }

  /** Sign answers with a platform certificate's key (certificate mode), or again with the public key (undefined). */
  signAnswersWith(signer: { serial: string; key: KeyObject } | undefined): void {
    this.#answerSigner = signer;
  }

  /**
   * Wraps any body in notification headers signed the way WeChat Pay signs them (lets tests send
   * a correctly signed but malformed body).
   */
  signNotification(
    body: string,
    options: Pick<NotificationOptions, 'forgeSignature' | 'timestampOffsetSeconds' | 'base64Body' | 'serial' | 'signingKey'> = {},
  ): SimulatedNotification {
    const timestamp = String(Math.floor(this.#clock.now().getTime() / 1000) + (options.timestampOffsetSeconds ?? 0));
    const nonce = randomBytes(16).toString('hex');
    const key = options.forgeSignature
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : options.signingKey ?? this.#platformPrivateKey;
    const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), key).toString('base64');
    return {
      headers: {
        'Wechatpay-Timestamp': timestamp,
        'Wechatpay-Nonce': nonce,
        'Wechatpay-Signature': signature,
        'Wechatpay-Serial': options.serial ?? this.publicKeyId,
        'Wechatpay-Signature-Type': AUTH_SCHEMA,
      },
      body: options.base64Body ? Buffer.from(body, 'utf8').toString('base64') : body,
      isBase64Encoded: options.base64Body === true,
    };
  }

  /** POSTs a notification to a webhook URL, as WeChat Pay would. */
  async deliver(notification: SimulatedNotification, url: string): Promise<{ status: number; body: string }> {
    const body = notification.isBase64Encoded
      ? Buffer.from(notification.body, 'base64').toString('utf8')
      : notification.body;
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...notification.headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0' },
      body,
      signal: AbortSignal.timeout(5_000), // 《支付通知》: the merchant must answer within 5 s
    });
    return { status: res.status, body: await res.text() };
  }

  /** The payer pays, and WeChat Pay notifies the order's notify_url. */
  async payAndNotify(outTradeNo: string, options: NotificationOptions = {}): Promise<{ status: number; body: string }> {
    const order = this.#orders.get(outTradeNo);
    if (order === undefined) throw new Error(`simulator: no order ${outTradeNo}`);
    return this.deliver(this.buildNotification({ outTradeNo }, {}, options), order.notifyUrl);
  }

  // ---- HTTP side -------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';

    if (!req.headers.accept || !req.headers['user-agent']) {
      return this.#answer(res, 400, { code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent' });
    }
    const refusal = this.#checkAuthorization(req.headers.authorization, method, url, body);
    if (refusal !== undefined) return this.#answer(res, 401, { code: 'SIGN_ERROR', message: refusal });

    const fault = this.#faults.shift();
    if (fault?.kind === 'error')
      return this.#answer(res, fault.status, { code: fault.code, message: fault.message }, fault);

    const { pathname, searchParams } = new URL(url, 'http://simulator.invalid');
    const byOutTradeNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(pathname);
    if (method === 'POST' && pathname === '/v3/pay/transactions/jsapi') return this.#jsapi(res, body, fault);
    if (method === 'POST' && pathname === '/v3/refund/domestic/refunds') return this.#refund(res, body, fault);
    if (method === 'GET' && pathname === '/v3/certificates') return this.#certificatesAnswer(res, fault);
    if (byOutTradeNo !== null) {
      const outTradeNo = decodeURIComponent(byOutTradeNo[1] ?? '');
      if (method === 'GET' && byOutTradeNo[2] === undefined)
        return this.#query(res, outTradeNo, searchParams.get('mchid'), fault);
      if (method === 'POST' && byOutTradeNo[2] === '/close') return this.#close(res, outTradeNo, body, fault);
    }
    return this.#answer(res, 404, { code: 'NOT_FOUND', message: '请求的资源不存在' }, fault);
  }

  /** 《签名生成》 checked from WeChat Pay's side; returns why it is refused, or undefined. */
  #checkAuthorization(header: string | undefined, method: string, url: string, body: string): string | undefined {
    if (header === undefined || !header.startsWith(`${AUTH_SCHEMA} `)) return '缺少或错误的认证类型';
    const fields = new Map<string, string>();
    for (const part of header.slice(AUTH_SCHEMA.length + 1).split(',')) {
      const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
      if (m === null || m[1] === undefined || m[2] === undefined) return 'Authorization 格式错误';
      fields.set(m[1], m[2]);
    }
    const mchid = fields.get('mchid');
    const nonce = fields.get('nonce_str');
    const timestamp = fields.get('timestamp');
    const serial = fields.get('serial_no');
    const signature = fields.get('signature');
    if (!mchid || !nonce || !timestamp || !serial || !signature) return 'Authorization 缺少签名信息';
    if (mchid !== this.mchid) return '商户号与签名信息不匹配';
    if (serial.toUpperCase() !== this.#merchantSerialNo) return '商户证书序列号有误';
    const now = Math.floor(this.#clock.now().getTime() / 1000);
    if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) >= SKEW_LIMIT_SECONDS) return '请求时间戳已过期';
    const message = Buffer.from(`${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`, 'utf8');
    let ok = false;
    try {
      ok = verify('sha256', message, this.#merchantPublicKey, Buffer.from(signature, 'base64'));
    } catch {
      ok = false;
    }
    return ok ? undefined : '签名错误';
  }

  #jsapi(res: ServerResponse, body: string, fault: SimFault | undefined): void {
    let req: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      req = parsed as Record<string, unknown>;
    } catch {
      return this.#answer(res, 400, { code: 'PARAM_ERROR', message: '请求体不是合法的JSON' }, fault);
    }
    const amount = (req.amount ?? {}) as Record<string, unknown>;
    const payer = (req.payer ?? {}) as Record<string, unknown>;
    const param = (message: string): void => this.#answer(res, 400, { code: 'PARAM_ERROR', message }, fault);
    if (req.mchid !== this.mchid) return param('mchid 与签名的商户号不一致');
    if (req.appid !== this.appid)
      return this.#answer(res, 400, { code: 'APPID_MCHID_NOT_MATCH', message: 'AppID和mch_id不匹配' }, fault);
    if (typeof req.description !== 'string' || req.description.length < 1 || req.description.length > 127)
      return param('description 长度错误');
    if (typeof req.out_trade_no !== 'string' || !OUT_TRADE_NO.test(req.out_trade_no))
      return param('out_trade_no 格式错误');
    if (typeof req.notify_url !== 'string' || !/^https?:\/\/[^?]+$/.test(req.notify_url))
      return param('notify_url 格式错误');
    if (!Number.isSafeInteger(amount.total) || (amount.total as number) <= 0)
      return param('amount.total 必须为正整数（分）');
    if (amount.currency !== undefined && amount.currency !== 'CNY') return param('amount.currency 仅支持CNY');
    if (typeof payer.openid !== 'string' || payer.openid === '') return param('payer.openid 不能为空');
    if (req.attach !== undefined && typeof req.attach !== 'string') return param('attach 格式错误');

    const existing = this.#orders.get(req.out_trade_no);
    if (existing !== undefined) {
      if (existing.tradeState === 'SUCCESS')
        return this.#answer(res, 400, { code: 'ORDERPAID', message: '订单已支付' }, fault);
      if (existing.tradeState === 'CLOSED')
        return this.#answer(res, 400, { code: 'ORDER_CLOSED', message: '订单已关闭' }, fault);
      if (
        existing.amountFen !== amount.total ||
        existing.description !== req.description ||
        existing.payerOpenid !== payer.openid
      ) {
        return this.#answer(res, 403, { code: 'OUT_TRADE_NO_USED', message: '商户订单号重复' }, fault);
      }
    }
    const prepayId = `wx${beijing(this.#clock.now()).replace(/\D/g, '').slice(0, 14)}${randomBytes(10).toString('hex')}`;
    const order: SimOrder = existing ?? {
      outTradeNo: req.out_trade_no,
      appid: this.appid,
      mchid: this.mchid,
      description: req.description,
      amountFen: amount.total as number,
      payerOpenid: payer.openid,
      notifyUrl: req.notify_url,
      prepayId,
      tradeState: 'NOTPAY',
    };
    if (existing === undefined && typeof req.attach === 'string') order.attach = req.attach;
    order.prepayId = prepayId;
    this.#orders.set(order.outTradeNo, order);
    return this.#answer(res, 200, { prepay_id: prepayId }, fault);
  }

  #query(res: ServerResponse, outTradeNo: string, mchid: string | null, fault: SimFault | undefined): void {
    if (mchid !== this.mchid) return this.#answer(res, 400, { code: 'PARAM_ERROR', message: 'mchid 有误' }, fault);
    const o = this.#orders.get(outTradeNo);
    if (o === undefined) return this.#answer(res, 404, { code: 'ORDERNOTEXIST', message: '订单不存在' }, fault);
    if (o.tradeState !== 'SUCCESS') {
      // Shape of an unpaid/closed order's answer: no transaction_id, success_time or payer.
      return this.#answer(
        res,
        200,
        {
          amount: { payer_currency: 'CNY', total: o.amountFen },
          appid: o.appid,
          mchid: o.mchid,
          out_trade_no: o.outTradeNo,
          promotion_detail: [],
          scene_info: { device_id: '' },
          trade_state: o.tradeState,
          trade_state_desc: o.tradeState === 'CLOSED' ? '订单已关闭' : '订单未支付',
        },
        fault,
      );
    }
    return this.#answer(
      res,
      200,
      {
        amount: { currency: 'CNY', payer_currency: 'CNY', payer_total: o.amountFen, total: o.amountFen },
        appid: o.appid,
        attach: o.attach ?? '',
        bank_type: 'OTHERS',
        mchid: o.mchid,
        out_trade_no: o.outTradeNo,
        payer: { openid: o.payerOpenid },
        promotion_detail: [],
        success_time: o.successTime,
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        trade_type: 'JSAPI',
        transaction_id: o.transactionId,
      },
      fault,
    );
  }

  #close(res: ServerResponse, outTradeNo: string, body: string, fault: SimFault | undefined): void {
    let mchid: unknown;
    try {
      mchid = (JSON.parse(body) as { mchid?: unknown }).mchid;
    } catch {
      mchid = undefined;
    }
    if (mchid !== this.mchid) return this.#answer(res, 400, { code: 'PARAM_ERROR', message: 'mchid 有误' }, fault);
    const o = this.#orders.get(outTradeNo);
    if (o === undefined) return this.#answer(res, 404, { code: 'ORDERNOTEXIST', message: '订单不存在' }, fault);
    if (o.tradeState === 'SUCCESS') return this.#answer(res, 400, { code: 'ORDERPAID', message: '订单已支付' }, fault);
    // Closing twice is answered like the first close (the docs do not say otherwise).
    o.tradeState = 'CLOSED';
    return this.#answer(res, 204, undefined, fault);
  }

  /**
   * 《申请退款》: by transaction_id (or out_trade_no: that order's first payment); the same
   * out_refund_no again answers the refund already made ("同一退款单号多次请求只退一笔"); more than
   * the payment's amount, across its refunds, is refused (400 INVALID_REQUEST).
   */
  #refund(res: ServerResponse, body: string, fault: SimFault | undefined): void {
    let req: Record<string, any>;
    try {
      req = JSON.parse(body) as Record<string, any>;
    } catch {
      return this.#answer(res, 400, { code: 'PARAM_ERROR', message: '请求体不是 JSON' }, fault);
    }
    const param = (message: string) => this.#answer(res, 400, { code: 'PARAM_ERROR', message }, fault);
    if (typeof req.out_refund_no !== 'string' || !/^[A-Za-z0-9_\-|*@]{1,64}$/.test(req.out_refund_no)) return param('out_refund_no 格式错误');
    const amount = req.amount ?? {};
    if (!Number.isSafeInteger(amount.refund) || amount.refund <= 0 || !Number.isSafeInteger(amount.total) || amount.currency !== 'CNY') return param('amount 格式错误');
    const transactionId = typeof req.transaction_id === 'string' ? req.transaction_id : typeof req.out_trade_no === 'string' ? this.#orders.get(req.out_trade_no)?.transactionId : undefined;
    const paid = transactionId ? this.#payments.get(transactionId) : undefined;
    if (!transactionId || !paid) return this.#answer(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' }, fault);
    const existing = this.#refunds.get(req.out_refund_no);
    if (existing && (existing.transactionId !== transactionId || existing.amountFen !== amount.refund)) return this.#answer(res, 400, { code: 'INVALID_REQUEST', message: '退款单号已存在，请求参数与原请求不一致' }, fault);
    if (!existing) {
      if (amount.total !== paid.amountFen) return param('订单金额与原订单不一致');
      const before = [...this.#refunds.values()].filter((r) => r.transactionId === transactionId && r.status !== 'CLOSED').reduce((n, r) => n + r.amountFen, 0);
      if (before + amount.refund > paid.amountFen) return this.#answer(res, 400, { code: 'INVALID_REQUEST', message: '申请退款金额超过订单可退金额' }, fault);
      this.#refunds.set(req.out_refund_no, {
        refundId: `50${randomDigits(27)}`, outRefundNo: req.out_refund_no, transactionId, outTradeNo: paid.outTradeNo,
        amountFen: amount.refund, totalFen: amount.total, ...(typeof req.reason === 'string' ? { reason: req.reason } : {}),
        ...(typeof req.notify_url === 'string' ? { notifyUrl: req.notify_url } : {}), status: 'PROCESSING', createTime: rfc3339Beijing(this.#clock.now()),
      });
    }
    const r = this.#refunds.get(req.out_refund_no)!;
    // Field names and order as in 《申请退款》's answer sample.
    return this.#answer(res, 200, {
      refund_id: r.refundId, out_refund_no: r.outRefundNo, transaction_id: r.transactionId, out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL', user_received_account: '支付用户零钱', ...(r.successTime ? { success_time: r.successTime } : {}), create_time: r.createTime,
      status: r.status, funds_account: 'AVAILABLE',
      amount: { total: r.totalFen, refund: r.amountFen, from: [], payer_total: r.totalFen, payer_refund: r.amountFen, settlement_refund: r.amountFen, settlement_total: r.totalFen, discount_refund: 0, currency: 'CNY', refund_fee: 0 },
      promotion_detail: [],
    }, fault);
  }

  /** 《下载平台证书》: every certificate in force, each sealed with the APIv3 key (associated_data "certificate"). */
  #certificatesAnswer(res: ServerResponse, fault: SimFault | undefined): void {
    const data = this.#certificates.map((c) => {
      const nonce = randomAlnum(12);
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(this.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
      cipher.setAAD(Buffer.from('certificate', 'utf8'));
      const sealed = Buffer.concat([cipher.update(c.certificatePem, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { serial_no: c.serialNo, effective_time: c.effectiveTime, expire_time: c.expireTime, encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: sealed.toString('base64') } };
    });
    return this.#answer(res, 200, { data }, fault);
  }

  /** Sends a signed answer (《签名验证》: WeChat signs `timestamp\nnonce\nbody\n`). */
  #answer(res: ServerResponse, status: number, payload: unknown, fault?: SimFault): void {
    let body = payload === undefined ? '' : JSON.stringify(payload);
    const offset = fault?.kind === 'skewed_response' ? fault.offsetSeconds : 0;
    const timestamp = String(Math.floor(this.#clock.now().getTime() / 1000) + offset);
    const nonce = randomBytes(16).toString('hex');
    let signature = sign(
      'sha256',
      Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'),
      this.#answerSigner?.key ?? this.#platformPrivateKey,
    ).toString('base64');
    if (fault?.kind === 'tamper_response_body' && body.length > 0)
      body = body.replace(/[0-9a-z]/, (c) => (c === '1' ? '2' : '1'));
    if (fault?.kind === 'tamper_response_signature') {
      const raw = Buffer.from(signature, 'base64');
      raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0xff;
      signature = raw.toString('base64');
    }
    const headers: Record<string, string> = {
      'Request-ID': randomBytes(20).toString('hex').toUpperCase(),
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Serial': this.#answerSigner?.serial ?? this.publicKeyId,
      'Wechatpay-Signature-Type': AUTH_SCHEMA,
    };
    if (fault?.kind !== 'unsigned_response') headers['Wechatpay-Signature'] = signature;
    if (body !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
    res.writeHead(status, headers);
    res.end(body);
  }
}

export function createPaymentSimulator(options: PaymentSimulatorOptions): PaymentSimulator {
  return new PaymentSimulator(options);
}

// ---- small helpers ---------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

/** `YYYY-MM-DDTHH:mm:ss` in Beijing time (UTC+8, no DST). */
function beijing(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
}

/** RFC 3339 with the +08:00 offset, as WeChat Pay writes times (2018-06-08T10:34:56+08:00). */
function rfc3339Beijing(d: Date): string {
  return `${beijing(d)}+08:00`;
}
