/**
 * Typed failures of the WeChat Pay adapter. Callers (the payments port adapter, the webhook)
 * map them to `AppError('PROVIDER_ERROR')`; the kinds and the provider code are kept so logs and
 * retries can tell "WeChat said no" from "we could not trust the answer".
 *
 * Messages never contain key material, signatures or request bodies.
 */

/** Why a signed message from WeChat Pay (API response or notification) was refused. */
export type VerifyFailureReason =
  /** The signature does not verify with the key named by `Wechatpay-Serial` (or is missing). */
  | 'bad_signature'
  /** `Wechatpay-Timestamp` is 5 minutes or more away from our clock (replay protection). */
  | 'stale_timestamp'
  /** `Wechatpay-Serial` names no platform certificate / WeChat Pay public key we hold. */
  | 'unknown_serial'
  /** Headers missing, body not JSON, or fields of the wrong shape. */
  | 'malformed'
  /** AEAD_AES_256_GCM authentication failed (wrong APIv3 key or tampered ciphertext). */
  | 'decrypt_failed';

export type WechatPayErrorKind =
  /** WeChat Pay answered with a non-2xx status and (usually) `{code, message}`. */
  | 'api_error'
  /** A 2xx answer whose `Wechatpay-Signature` did not verify: never trusted. */
  | 'response_not_verified'
  /** A verified 2xx answer we could not read (not JSON, fields missing). */
  | 'malformed_response'
  /** No answer: connection refused, DNS, timeout. Safe to retry the same request. */
  | 'network'
  /** Our own input was refused before sending (e.g. an out_trade_no WeChat would reject). */
  | 'invalid_input';

export interface WechatPayErrorInfo {
  httpStatus?: number;
  /** WeChat Pay's error code, e.g. ORDERNOTEXIST, PARAM_ERROR, SIGN_ERROR, SYSTEM_ERROR. */
  providerCode?: string;
  /** WeChat Pay's `Request-ID` header: what their support asks for. */
  requestId?: string;
  verifyReason?: VerifyFailureReason;
}

/**
 * Provider codes after which the same request may be sent again: rate limits and WeChat's own
 * outages (《错误码》 in the API v3 rules: 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR,
 * 502/503 BANK_ERROR/SYSTEM_ERROR).
 */
const RETRYABLE_CODES = new Set(['FREQUENCY_LIMITED', 'SYSTEM_ERROR', 'BANK_ERROR']);

export class WechatPayError extends Error {
  override readonly name = 'WechatPayError';
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly verifyReason?: VerifyFailureReason;

  constructor(
    readonly kind: WechatPayErrorKind,
    message: string,
    info: WechatPayErrorInfo = {},
  ) {
    super(message);
    if (info.httpStatus !== undefined) this.httpStatus = info.httpStatus;
    if (info.providerCode !== undefined) this.providerCode = info.providerCode;
    if (info.requestId !== undefined) this.requestId = info.requestId;
    if (info.verifyReason !== undefined) this.verifyReason = info.verifyReason;
  }

  /** Whether sending the same request again may succeed. */
  get retryable(): boolean {
    if (this.kind === 'network') return true;
    if (this.kind !== 'api_error') return false;
    if (this.providerCode !== undefined && RETRYABLE_CODES.has(this.providerCode)) return true;
    return this.httpStatus !== undefined && this.httpStatus >= 500;
  }
}

export const isWechatPayError = (e: unknown): e is WechatPayError => e instanceof WechatPayError;

/** Settings missing or unusable. Lists setting NAMES only, never their values. */
export class WechatPayConfigError extends Error {
  override readonly name = 'WechatPayConfigError';
  constructor(
    readonly missing: readonly string[],
    readonly invalid: ReadonlyArray<{ name: string; problem: string }>,
  ) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing: ${missing.join(', ')}`);
    if (invalid.length > 0) parts.push(`invalid: ${invalid.map((i) => `${i.name} (${i.problem})`).join('; ')}`);
    super(`WeChat Pay settings incomplete — ${parts.join(' | ')}`);
  }
}
