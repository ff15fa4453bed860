/**
 * A time-stamping authority (RFC 3161): given the digest of some data, it returns a token — a CMS
 * SignedData by the TSA over "this digest existed at this time". Signatures get one over their
 * signature value (PAdES B-T), completed documents one over their bytes (document timestamp,
 * B-LTA), and audit anchors one over a Merkle root. The time in a token is the TSA's, never ours:
 * that is the point of asking a third party.
 *
 * Adapters: shared/adapters/local/tsa.ts (an embedded TSA under the platform root, the default)
 * and shared/adapters/rfc3161/client.ts (a configured TSA URL over HTTP, RFC 3161 §3.4).
 *
 * A TSA that cannot answer makes the step fail with TsaFailure (PROVIDER_ERROR, provider 'tsa'):
 * the caller retries later (the outbox). Nobody falls back to the local clock.
 */
import { AppError } from '../errors';

export type TimestampHash = 'sha256' | 'sha384' | 'sha512';

export interface TimestampAuthority {
  /**
   * A TimeStampToken (DER ContentInfo) over `digest`, computed with `hashAlg`. The token carries
   * the TSA certificate (certReq), its imprint equals `digest`, and its nonce matched the request.
   */
  timestamp(digest: Uint8Array, hashAlg: TimestampHash): Promise<Uint8Array>;
}

/** Why the TSA gave no usable token: codes support can act on; never anything secret. */
export type TsaFailureCode =
  | 'UNREACHABLE' // connection refused, DNS, reset
  | 'TIMEOUT'
  | 'HTTP_STATUS' // a non-200 answer
  | 'BAD_CONTENT_TYPE' // not application/timestamp-reply
  | 'MALFORMED' // the reply is not a DER TimeStampResp
  | 'REJECTED' // PKIStatus rejection/waiting/revocation (failInfo in the message)
  | 'NO_TOKEN' // granted without a token
  | 'NONCE_MISMATCH'
  | 'IMPRINT_MISMATCH'
  | 'POLICY_MISMATCH'
  | 'BAD_SIGNATURE' // the token's CMS signature or its TSA certificate does not hold
  | 'NOT_CONFIGURED';

export class TsaFailure extends AppError {
  constructor(
    readonly tsaCode: TsaFailureCode,
    readonly tsaMessage: string,
  ) {
    super('PROVIDER_ERROR', undefined, { provider: 'tsa', providerCode: tsaCode });
    this.name = 'TsaFailure';
  }
}

export const isTsaFailure = (e: unknown): e is TsaFailure => e instanceof TsaFailure;
