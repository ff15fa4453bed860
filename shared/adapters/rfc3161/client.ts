/**
 * The production TimestampAuthority: a configured RFC 3161 TSA over HTTP — a national time
 * service (e.g. the 国家授时中心's) or a commercial TSA.
 *
 * Protocol (RFC 3161 §3.4, https://www.rfc-editor.org/rfc/rfc3161#section-3.4): POST the DER
 * TimeStampReq with Content-Type application/timestamp-query; the TSA answers a DER
 * TimeStampResp with Content-Type application/timestamp-reply. We send a fresh 128-bit nonce and
 * certReq TRUE (the token must carry the TSA certificate: the PDF has to stand alone), and accept
 * the token only when (RFC 3161 §2.4.2) the status is granted or grantedWithMods, the TSTInfo's
 * imprint and nonce are ours, the policy is the one we asked for (when we asked), and the token's
 * CMS signature verifies with the TSA certificate it carries, which must be a TSA certificate
 * (extended key usage timeStamping, critical). Chaining that certificate to a root a relying party
 * trusts is the verifier's job (documents/verify.ts), as for every certificate in the file.
 *
 * Every failure is a TsaFailure (PROVIDER_ERROR): the step fails and is retried; there is no
 * fallback to our clock.
 *
 * May import: ports, documents (timestamp). Never runtime.
 */
import {
  checkTimestampToken,
  encodeTimestampRequest,
  parseTimestampResponse,
  parseTimestampToken,
  randomPositiveInteger,
  type ParsedToken,
  type TimestampResponse,
} from '../../documents/timestamp';
import { TsaFailure, type TimestampAuthority, type TimestampHash } from '../../ports/tsa';

export interface Rfc3161Config {
  /** The TSA's URL, e.g. https://tsa.example.cn/tsa (configuration, not code). */
  url: string;
  /** Ask for this policy (the TSA's own OID); the token must then carry it. */
  policy?: string;
  timeoutMs?: number;
  /**
   * Extra request headers, e.g. Authorization for a commercial TSA. The value comes from the
   * secret store through configuration, never from an environment variable.
   */
  headers?: Readonly<Record<string, string>>;
  /** Injected for tests; defaults to the global fetch (Node ≥ 18). */
  fetch?: typeof fetch;
}

const REPLY_TYPE = 'application/timestamp-reply';
const STATUS_TEXT: Record<number, string> = { 2: 'rejection', 3: 'waiting', 4: 'revocationWarning', 5: 'revocationNotification' };

export class Rfc3161Tsa implements TimestampAuthority {
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;

  constructor(private readonly config: Rfc3161Config) {
    if (!/^https?:\/\//.test(config.url)) throw new TsaFailure('NOT_CONFIGURED', 'TSA url must be http(s)');
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.doFetch = config.fetch ?? fetch;
  }

  async timestamp(digest: Uint8Array, hashAlg: TimestampHash): Promise<Uint8Array> {
    const nonce = randomPositiveInteger(16);
    const body = encodeTimestampRequest({ hashAlg, digest: Buffer.from(digest), nonce, certReq: true, ...(this.config.policy ? { policy: this.config.policy } : {}) });
    const reply = await this.post(body);
    let resp: TimestampResponse;
    try {
      resp = parseTimestampResponse(reply);
    } catch (e) {
      throw new TsaFailure('MALFORMED', `reply is not a DER TimeStampResp: ${(e as Error).message}`);
    }
    if (resp.status !== 0 && resp.status !== 1) {
      const why = [STATUS_TEXT[resp.status] ?? `status ${resp.status}`, ...(resp.failInfo ?? []), resp.statusText ?? ''].filter(Boolean).join(' ');
      throw new TsaFailure('REJECTED', why);
    }
    if (!resp.token) throw new TsaFailure('NO_TOKEN', 'granted without a timeStampToken');
    let token: ParsedToken;
    try {
      token = parseTimestampToken(resp.token);
    } catch (e) {
      throw new TsaFailure('MALFORMED', `token: ${(e as Error).message}`);
    }
    if (!token.nonce || !stripZeros(token.nonce).equals(stripZeros(nonce))) throw new TsaFailure('NONCE_MISMATCH', 'the token does not echo our nonce');
    if (token.hashAlg !== hashAlg || !token.imprint.equals(Buffer.from(digest))) {
      throw new TsaFailure('IMPRINT_MISMATCH', 'the token stamps another digest than ours');
    }
    if (this.config.policy && token.policy !== this.config.policy) throw new TsaFailure('POLICY_MISMATCH', `policy ${token.policy}`);
    const check = checkTimestampToken(token, () => Buffer.from(digest));
    if (!check.signature || !check.tsaCertificate) throw new TsaFailure('BAD_SIGNATURE', check.problems.join('; '));
    return resp.token;
  }

  private async post(body: Buffer): Promise<Buffer> {
    let res: Response;
    try {
      res = await this.doFetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: REPLY_TYPE, ...this.config.headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new TsaFailure('TIMEOUT', `no answer within ${this.timeoutMs} ms`);
      throw new TsaFailure('UNREACHABLE', err.message);
    }
    const bytes = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    if (res.status !== 200) throw new TsaFailure('HTTP_STATUS', `HTTP ${res.status}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== REPLY_TYPE) throw new TsaFailure('BAD_CONTENT_TYPE', `content-type ${type || '(none)'}`);
    return bytes;
  }
}

const stripZeros = (b: Buffer) => {
  let s = b;
  while (s.length > 1 && s[0] === 0) s = s.subarray(1);
  return s;
};
