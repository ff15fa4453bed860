/**
 * Merchant-side signatures (SHA256 with RSA, PKCS#1 v1.5, base64) with the merchant API private
 * key:
 *
 * 1. The request `Authorization` header — 《签名生成》 / "Signature Generation"
 *    (pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml,
 *    pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html):
 *    the message is five lines, each ending in `\n` (the last one too):
 *        HTTP method \n URL (absolute URL minus scheme and host: path + '?' + query) \n
 *        timestamp (seconds) \n nonce \n body (the exact JSON sent; '' for GET) \n
 *    and the header is
 *        WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"
 *    (the five pairs in any order, on one line).
 *
 * 2. The mini-program's `wx.requestPayment` paySign — 《小程序调起支付》
 *    (pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_2_9.shtml,
 *    pay.weixin.qq.com/docs/partner/apis/partner-miniprogram-payment/mini-transfer-payment.html): four lines
 *    `appId\ntimeStamp\nnonceStr\npackage\n`; `signType` ("RSA") is passed but not signed.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** The part of a URL that is signed: path plus `?query` exactly as sent (no scheme/host). */
export function canonicalUrl(url: URL): string {
  return url.pathname + url.search;
}

/** `METHOD\nURL\ntimestamp\nnonce\nbody\n`. */
export function requestSignatureMessage(
  method: string,
  canonicalPathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${canonicalPathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** SHA256withRSA (PKCS#1 v1.5) over the UTF-8 bytes of `message`, base64. */
export function rsaSha256Sign(privateKey: KeyObject, message: string | Buffer): string {
  return sign('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString(
    'base64',
  );
}

/**
 * A random 32-character nonce (《签名生成》 recommends a random string; wx.requestPayment allows at
 * most 32 characters). Upper-case hex so it never needs escaping inside the header's quotes.
 */
export function generateNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Seconds since the epoch, as a decimal string (the protocol's "时间戳"). */
export function unixSeconds(now: Date): string {
  return String(Math.floor(now.getTime() / 1000));
}

export interface AuthorizationInput {
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  /** The full URL the request goes to; only its path and query are signed. */
  url: URL;
  /** The exact body string sent ('' when there is none). */
  body: string;
  timestamp: string;
  nonce: string;
}

export function buildAuthorization(input: AuthorizationInput): string {
  const message = requestSignatureMessage(
    input.method,
    canonicalUrl(input.url),
    input.timestamp,
    input.nonce,
    input.body,
  );
  const signature = rsaSha256Sign(input.privateKey, message);
  return (
    `${AUTH_SCHEMA} mchid="${input.mchid}",nonce_str="${input.nonce}",` +
    `signature="${signature}",timestamp="${input.timestamp}",serial_no="${input.serialNo}"`
  );
}

export interface ParsedAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/**
 * Reads an Authorization header back (the simulator uses it to check our requests). Returns
 * undefined unless the schema matches and all five pairs are present exactly once.
 */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (header === undefined) return undefined;
  const prefix = `${AUTH_SCHEMA} `;
  if (!header.startsWith(prefix)) return undefined;
  const pairs = new Map<string, string>();
  const re = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  const rest = header.slice(prefix.length);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    const [, k, v] = m;
    if (k === undefined || v === undefined || pairs.has(k)) return undefined;
    pairs.set(k, v);
    consumed = re.lastIndex;
    if (consumed >= rest.length) break;
  }
  if (consumed !== rest.length) return undefined;
  const mchid = pairs.get('mchid');
  const nonce_str = pairs.get('nonce_str');
  const signature = pairs.get('signature');
  const timestamp = pairs.get('timestamp');
  const serial_no = pairs.get('serial_no');
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return undefined;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

/** The object the mini-program passes to `wx.requestPayment` (appId is implied by the app). */
export interface RequestPaymentParams {
  [k: string]: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** `appId\ntimeStamp\nnonceStr\npackage\n`, per 《小程序调起支付》. */
export function requestPaymentSignatureMessage(
  appid: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
): string {
  return `${appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

export function buildRequestPaymentParams(input: {
  appid: string;
  prepayId: string;
  privateKey: KeyObject;
  timeStamp: string;
  nonceStr: string;
}): RequestPaymentParams {
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = rsaSha256Sign(
    input.privateKey,
    requestPaymentSignatureMessage(input.appid, input.timeStamp, input.nonceStr, pkg),
  );
  return { timeStamp: input.timeStamp, nonceStr: input.nonceStr, package: pkg, signType: 'RSA', paySign };
}
