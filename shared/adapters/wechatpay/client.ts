/**
 * WeChat Pay API v3 client for the three calls a mini-program payment needs (direct merchant):
 *
 *  - 《JSAPI/小程序下单》 POST /v3/pay/transactions/jsapi → prepay_id
 *    (pay.weixin.qq.com/docs/merchant/products/mini-program-payment/apilist.html, doc/v3/merchant/4012525182)
 *    then the `wx.requestPayment` parameters signed per 《小程序调起支付》.
 *  - 《商户订单号查询订单》 GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…
 *    (doc/v3/merchant/4012556352)
 *  - 《关闭订单》 POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close {mchid} → 204
 *    (doc/v3/merchant/4012556398)
 *
 * Every request is signed (request-signing.ts). Every 2xx response is verified
 * (response-verify.ts) before a byte of it is trusted — "没有携带签名的成功应答…应认为是伪造或
 * 被篡改的应答" (《签名》 wechatpay3_3). Non-2xx answers are mapped to WechatPayError('api_error')
 * with WeChat's `{code, message}` (《错误码》: PARAM_ERROR, SIGN_ERROR, ORDERNOTEXIST,
 * FREQUENCY_LIMITED, SYSTEM_ERROR, …); like the official SDKs (wechatpay-go CheckResponse runs
 * before Validate; wechatpay-java validateResponse throws ServiceException first) they are not
 * signature-checked, which is safe because an error is never treated as a success.
 */
import type { Clock } from '../../ports/clock';
import type { WechatPayConfig } from './config';
import { WechatPayError } from './errors';
import {
  buildAuthorization,
  buildRequestPaymentParams,
  generateNonce,
  unixSeconds,
  type RequestPaymentParams,
} from './request-signing';
import { HEADER, verifyWechatPaySignature } from './response-verify';
import { parseTransaction, type Transaction } from './transaction';
import { parseRefund, type Refund } from './refund';
import { parseCertificates, type PlatformCertificate } from './certificates';
import type { KeyObject } from 'node:crypto';

export interface JsapiOrderInput {
  /** out_trade_no: 6–32 characters of [A-Za-z0-9_-|*], unique per merchant (《小程序下单》). */
  outTradeNo: string;
  /** description: shown in the payer's bill, at most 127 characters. */
  description: string;
  /** amount.total in fen (CNY), a positive integer. */
  amountFen: number;
  /** payer.openid: the payer's openid under `appid` (from the platform context, never the client). */
  payerOpenid: string;
  /** attach: at most 128 characters, returned in queries and notifications. */
  attach?: string;
}

export interface JsapiOrder {
  prepayId: string;
  /** Pass as-is to `wx.requestPayment` in the mini-program. */
  requestPayment: RequestPaymentParams;
}

export interface WechatPayClientOptions {
  config: WechatPayConfig;
  clock?: Clock;
  /** Injected in tests; defaults to the global fetch (Node 20). */
  fetch?: typeof fetch;
  /** Per-request timeout; the notification answer budget is 5 s, API calls get a little more. */
  timeoutMs?: number;
}

/** 《小程序下单》 out_trade_no: "要求6-32个字符内，只能是数字、大小写字母_-|*". */
const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;
const USER_AGENT = 'esign-personal-backend wechatpay-v3 (node)';

interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export class WechatPayClient {
  private readonly config: WechatPayConfig;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: WechatPayClientOptions) {
    this.config = options.config;
    this.clock = options.clock ?? { now: () => new Date() };
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async createJsapiOrder(input: JsapiOrderInput): Promise<JsapiOrder> {
    assertOutTradeNo(input.outTradeNo);
    if (input.description.length === 0 || input.description.length > 127) {
      throw new WechatPayError('invalid_input', 'description must be 1–127 characters');
    }
    // 《基本规则》 字符集: only UTF-8 characters of one to three bytes (no emoji / astral plane).
    if (
      /[\u{10000}-\u{10FFFF}]/u.test(input.description) ||
      (input.attach !== undefined && /[\u{10000}-\u{10FFFF}]/u.test(input.attach))
    ) {
      throw new WechatPayError('invalid_input', 'description/attach may not contain 4-byte UTF-8 characters');
    }
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
      throw new WechatPayError('invalid_input', 'amountFen must be a positive integer (fen)');
    }
    if (input.payerOpenid.length === 0 || input.payerOpenid.length > 128) {
      throw new WechatPayError('invalid_input', 'payerOpenid must be 1–128 characters');
    }
    if (input.attach !== undefined && (input.attach.length === 0 || input.attach.length > 128)) {
      throw new WechatPayError('invalid_input', 'attach must be 1–128 characters');
    }
    const body: Record<string, unknown> = {
      appid: this.config.appid,
      mchid: this.config.mchid,
      description: input.description,
      out_trade_no: input.outTradeNo,
      notify_url: this.config.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
      payer: { openid: input.payerOpenid },
    };
    if (input.attach !== undefined) body.attach = input.attach;

    const res = await this.send('POST', '/v3/pay/transactions/jsapi', JSON.stringify(body));
    const json = this.readJson(res);
    const prepayId = json.prepay_id;
    if (typeof prepayId !== 'string' || prepayId === '') {
      throw malformed(res, 'answer lacks prepay_id');
    }
    const requestPayment = buildRequestPaymentParams({
      appid: this.config.appid,
      prepayId,
      privateKey: this.config.merchantPrivateKey,
      timeStamp: unixSeconds(this.clock.now()),
      nonceStr: generateNonce(),
    });
    return { prepayId, requestPayment };
  }

  async queryOrder(outTradeNo: string): Promise<Transaction> {
    assertOutTradeNo(outTradeNo);
    const path =
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}` +
      `?mchid=${encodeURIComponent(this.config.mchid)}`;
    const res = await this.send('GET', path, '');
    const parsed = parseTransaction(this.readJson(res));
    if (!parsed.ok) throw malformed(res, parsed.message);
    // A verified answer about another order or merchant would still be the wrong answer.
    if (parsed.transaction.outTradeNo !== outTradeNo || parsed.transaction.mchid !== this.config.mchid) {
      throw malformed(res, 'answer is about another order or merchant');
    }
    return parsed.transaction;
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    assertOutTradeNo(outTradeNo);
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    await this.send('POST', path, JSON.stringify({ mchid: this.config.mchid }));
  }

  /**
   * 《申请退款》 POST /v3/refund/domestic/refunds, by transaction_id (the payment to return, which
   * may be a second payment of one order), whole or part. The same out_refund_no asked again is
   * the same refund at WeChat Pay ("同一退款单号多次请求只退一笔"): a retry never refunds twice.
   */
  async createRefund(input: { transactionId: string; outRefundNo: string; amountFen: number; totalFen: number; reason?: string }): Promise<Refund> {
    if (!/^[A-Za-z0-9_\-|*@]{1,64}$/.test(input.outRefundNo)) throw new WechatPayError('invalid_input', 'outRefundNo must be 1–64 characters of [A-Za-z0-9_-|*@]');
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || !Number.isSafeInteger(input.totalFen) || input.amountFen > input.totalFen) {
      throw new WechatPayError('invalid_input', 'amountFen must be a positive integer no larger than totalFen');
    }
    if (input.reason !== undefined && input.reason.length > 80) throw new WechatPayError('invalid_input', 'reason must be at most 80 characters');
    const body: Record<string, unknown> = {
      transaction_id: input.transactionId,
      out_refund_no: input.outRefundNo,
      ...(input.reason ? { reason: input.reason } : {}),
      notify_url: this.config.notifyUrl,
      amount: { refund: input.amountFen, total: input.totalFen, currency: 'CNY' },
    };
    const res = await this.send('POST', '/v3/refund/domestic/refunds', JSON.stringify(body));
    const parsed = parseRefund(this.readJson(res), 'status');
    if (!parsed.ok) throw malformed(res, parsed.message);
    if (parsed.refund.outRefundNo !== input.outRefundNo || parsed.refund.transactionId !== input.transactionId) throw malformed(res, 'answer is about another refund');
    return parsed.refund;
  }

  /**
   * 《下载平台证书》 GET /v3/certificates: the certificates in force, decrypted with the APIv3 key and
   * checked (certificates.ts). The answer may be signed by a certificate we do not hold yet (the
   * new one of a rotation): it is verified with the keys we hold plus the ones it carries, which
   * the APIv3 key's AEAD has already shown to be WeChat Pay's.
   */
  async downloadCertificates(): Promise<PlatformCertificate[]> {
    let certificates: PlatformCertificate[] = [];
    await this.send('GET', '/v3/certificates', '', (bytes) => {
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new WechatPayError('malformed_response', 'WeChat Pay answer unreadable: certificates answer is not JSON');
      }
      const parsed = parseCertificates(json, this.config.apiV3Key);
      if (!parsed.ok) throw new WechatPayError('malformed_response', `WeChat Pay answer unreadable: ${parsed.message}`);
      certificates = parsed.certificates;
      return new Map(certificates.map((c) => [c.serialNo, c.publicKey]));
    });
    return certificates;
  }

  /** Signs, sends, maps errors, and verifies the signature of any 2xx answer (also with `carried` keys, for /v3/certificates). */
  private async send(method: 'GET' | 'POST', pathAndQuery: string, body: string, carried?: (body: Buffer) => ReadonlyMap<string, KeyObject>): Promise<RawResponse> {
    const url = new URL(this.config.baseUrl + pathAndQuery);
    const authorization = buildAuthorization({
      mchid: this.config.mchid,
      serialNo: this.config.merchantSerialNo,
      privateKey: this.config.merchantPrivateKey,
      method,
      url,
      body,
      timestamp: unixSeconds(this.clock.now()),
      nonce: generateNonce(),
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      // 《基本规则》 (docs/merchant/development/interface-rules/basic-rules.html): JSON in and out;
      // WeChat refuses a request without Accept or User-Agent (INVALID_REQUEST).
      'User-Agent': USER_AGENT,
    };
    if (body !== '') headers['Content-Type'] = 'application/json';
    // Public-key mode: ask WeChat to sign the answer with the WeChat Pay public key
    // (《如何从平台证书切换成微信支付公钥》 doc/v3/merchant/4012154180).
    if (this.config.wechatpayPublicKeyId !== undefined) headers[HEADER.serial] = this.config.wechatpayPublicKeyId;

    let response: Response;
    let bytes: Buffer;
    try {
      const init: RequestInit = { method, headers, signal: AbortSignal.timeout(this.timeoutMs) };
      if (body !== '') init.body = body;
      response = await this.fetchImpl(url.toString(), init);
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (e) {
      const why = e instanceof Error && e.name === 'TimeoutError' ? 'timed out' : 'no answer';
      throw new WechatPayError('network', `WeChat Pay ${method} ${url.pathname}: ${why}`);
    }
    const res: RawResponse = { status: response.status, headers: response.headers, body: bytes };
    const requestId = response.headers.get(HEADER.requestId) ?? undefined;

    if (res.status < 200 || res.status > 299) {
      let code: string | undefined;
      let message: string | undefined;
      try {
        const err: unknown = JSON.parse(bytes.toString('utf8'));
        if (typeof err === 'object' && err !== null) {
          const e = err as { code?: unknown; message?: unknown };
          if (typeof e.code === 'string') code = e.code;
          if (typeof e.message === 'string') message = e.message;
        }
      } catch {
        // Not JSON (a gateway page): only the HTTP status is known.
      }
      throw new WechatPayError(
        'api_error',
        `WeChat Pay ${method} ${url.pathname} → ${res.status} ${code ?? ''}${message ? `: ${message}` : ''}`.trim(),
        {
          httpStatus: res.status,
          ...(code !== undefined ? { providerCode: code } : {}),
          ...(requestId ? { requestId } : {}),
        },
      );
    }

    const verified = verifyWechatPaySignature({
      headers: res.headers,
      body: res.body,
      platformKeys: carried ? new Map([...this.config.platformKeys, ...carried(res.body)]) : this.config.platformKeys,
      now: this.clock.now(),
    });
    if (!verified.ok) {
      throw new WechatPayError('response_not_verified', `WeChat Pay answer refused: ${verified.message}`, {
        httpStatus: res.status,
        verifyReason: verified.reason,
        ...(requestId ? { requestId } : {}),
      });
    }
    return res;
  }

  private readJson(res: RawResponse): Record<string, unknown> {
    try {
      const v: unknown = JSON.parse(res.body.toString('utf8'));
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw malformed(res, 'answer is not a JSON object');
  }
}

export function createWechatPayClient(options: WechatPayClientOptions): WechatPayClient {
  return new WechatPayClient(options);
}

function assertOutTradeNo(outTradeNo: string): void {
  if (!OUT_TRADE_NO.test(outTradeNo)) {
    throw new WechatPayError('invalid_input', 'outTradeNo must be 6–32 characters of [A-Za-z0-9_-|*]');
  }
}

function malformed(res: RawResponse, message: string): WechatPayError {
  const requestId = res.headers.get(HEADER.requestId) ?? undefined;
  return new WechatPayError('malformed_response', `WeChat Pay answer unreadable: ${message}`, {
    httpStatus: res.status,
    ...(requestId ? { requestId } : {}),
  });
}
