/**
 * Verifies WeChat Pay's signature on an API response or a notification — 《签名验证》 /
 * 《如何使用微信支付公钥验签》 (pay.weixin.qq.com/docs/merchant/development/interface-rules/
 * signature-verification.html; wiki/doc/api_external/en/wechatpay/wechatpay4_1.shtml):
 *
 *   message   = `${Wechatpay-Timestamp}\n${Wechatpay-Nonce}\n${raw body}\n`
 *               (an empty body, e.g. 204 No Content, leaves just the final "\n")
 *   signature = base64 RSA-SHA256 (PKCS#1 v1.5) in `Wechatpay-Signature`
 *   key       = the WeChat Pay public key / platform certificate named by `Wechatpay-Serial`
 *
 * The body is verified as the exact bytes received, before any JSON parsing ("请使用原始报文
 * 主体执行验签"). Timestamps 5 minutes or more from our clock are refused, as the official SDKs do
 * (wechatpay-go validators: `math.Abs(ts - now) >= FiveMinute`; wechatpay-java
 * WechatPay2Validator: `Duration.between(...).abs().toMinutes() >= 5`).
 *
 * WeChat Pay sometimes sends "签名探测流量" whose signature starts with `WECHATPAY/SIGNTEST/`
 * (doc 4016241880): such messages are meant to fail verification here, and do.
 */
import { verify, type KeyObject } from 'node:crypto';
import type { VerifyFailureReason } from './errors';
import { AUTH_SCHEMA } from './request-signing';

/** Refuse a signed message whose timestamp is this many seconds (or more) away from now. */
export const MAX_TIMESTAMP_SKEW_SECONDS = 300;

export const HEADER = {
  timestamp: 'Wechatpay-Timestamp',
  nonce: 'Wechatpay-Nonce',
  signature: 'Wechatpay-Signature',
  serial: 'Wechatpay-Serial',
  signatureType: 'Wechatpay-Signature-Type',
  requestId: 'Request-ID',
} as const;

/** Fetch `Headers` or a plain record (Node's IncomingHttpHeaders, an HTTP-trigger event's headers). */
export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Case-insensitive single header value (HTTP header names are case-insensitive). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as Headers).get(name);
    return v === null ? undefined : v;
  }
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    return typeof v === 'string' ? v : v[0];
  }
  return undefined;
}

export type VerifyOutcome =
  { ok: true; serial: string; timestamp: number } | { ok: false; reason: VerifyFailureReason; message: string };

export interface VerifyInput {
  headers: HeaderBag;
  /** The raw body exactly as received (bytes, or the string decoded from them). */
  body: Buffer | string;
  /** Verification keys by `Wechatpay-Serial` (upper-case), from the config. */
  platformKeys: ReadonlyMap<string, KeyObject>;
  now: Date;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function verifyWechatPaySignature(input: VerifyInput): VerifyOutcome {
  const fail = (reason: VerifyFailureReason, message: string): VerifyOutcome => ({ ok: false, reason, message });
  const signature = headerValue(input.headers, HEADER.signature)?.trim();
  const serial = headerValue(input.headers, HEADER.serial)?.trim();
  const timestampText = headerValue(input.headers, HEADER.timestamp)?.trim();
  const nonce = headerValue(input.headers, HEADER.nonce)?.trim();
  const signatureType = headerValue(input.headers, HEADER.signatureType)?.trim();

  // An unsigned 2xx answer "应认为是伪造或被篡改的应答" (《签名》 wechatpay3_3).
  if (!signature) return fail('bad_signature', `missing ${HEADER.signature}`);
  if (!serial || !timestampText || !nonce) return fail('malformed', 'missing Wechatpay-Serial/Timestamp/Nonce');
  if (signatureType !== undefined && signatureType !== AUTH_SCHEMA) {
    return fail('bad_signature', `unsupported ${HEADER.signatureType}`);
  }

  const key = input.platformKeys.get(serial.toUpperCase());
  if (key === undefined) return fail('unknown_serial', `no WeChat Pay key for ${HEADER.serial} ${serial}`);

  if (!/^\d{1,12}$/.test(timestampText)) return fail('malformed', `${HEADER.timestamp} is not a number of seconds`);
  const timestamp = Number(timestampText);
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - timestamp);
  if (skew >= MAX_TIMESTAMP_SKEW_SECONDS) {
    return fail(
      'stale_timestamp',
      `${HEADER.timestamp} is ${skew}s away from now (limit ${MAX_TIMESTAMP_SKEW_SECONDS - 1}s)`,
    );
  }

  if (!BASE64.test(signature)) return fail('bad_signature', `${HEADER.signature} is not base64`);
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const message = Buffer.concat([Buffer.from(`${timestampText}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
  let valid = false;
  try {
    valid = verify('sha256', message, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return fail('bad_signature', 'signature does not verify');
  return { ok: true, serial, timestamp };
}
