/**
 * A provider (CloudBase, FaceID, SMS, SES) failed or refused for a reason that is not the
 * caller's: misconfiguration, a refused signature, throttling, an outage. It is an AppError with
 * code PROVIDER_ERROR so the handler answers it as such (HTTP 502 in the emulator) with the
 * provider's code in `details` — support can act on "AuthFailure.SignatureFailure" without a
 * stack trace, and nothing secret is in it (providers never echo keys).
 */
import { AppError } from '../../errors';

export type ProviderName = 'cloudbase' | 'cloudbase-storage' | 'faceid' | 'sms' | 'ses' | 'wechat' | 'wechatpay' | 'ssm' | 'kms';

export class ProviderFailure extends AppError {
  readonly providerMessage: string;

  constructor(
    readonly provider: ProviderName,
    readonly providerCode: string,
    providerMessage: string,
    readonly requestId?: string,
    /** Whether trying again can succeed (a provider's documented transient codes), when the adapter knows it. */
    readonly retryable?: boolean,
  ) {
    super('PROVIDER_ERROR', undefined, { provider, providerCode, ...(requestId ? { providerRequestId: requestId } : {}), ...(retryable !== undefined ? { retryable } : {}) });
    this.name = 'ProviderFailure';
    // Kept off `message` (which the caller sees) but available to logs.
    this.providerMessage = providerMessage.slice(0, 300);
  }
}

export const isProviderFailure = (e: unknown): e is ProviderFailure => e instanceof ProviderFailure;

/** Tencent Cloud API v3 codes that mean "slow down and retry later" rather than "wrong request". */
export const isThrottled = (code: string): boolean =>
  code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.') || code === 'LimitExceeded' || code === 'EXCEED_RATELIMIT';
