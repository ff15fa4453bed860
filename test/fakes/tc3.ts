/**
 * The server side of Tencent Cloud API 3.0 signing (TC3-HMAC-SHA256), written from the
 * documentation (https://cloud.tencent.com/document/api/213/30654), independently of the SDK that
 * signs, so a mistake on either side shows up as a refused request:
 *
 *   CanonicalRequest = Method \n "/" \n Query \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 *   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(sha256(CanonicalRequest))
 *   SecretDate = HMAC("TC3"+SecretKey, Date); SecretService = HMAC(SecretDate, service);
 *   SecretSigning = HMAC(SecretService, "tc3_request"); Signature = hex(HMAC(SecretSigning, StringToSign))
 *
 * Header values are lower-cased and trimmed. The host is signed without a port (Tencent Cloud is
 * only ever reached on the default port; the test gateway adds one to the Host header).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export interface Tc3Key {
  secretId: string;
  secretKey: string;
  /** Temporary keys must come with their token (X-TC-Token). */
  token?: string;
}

export type Tc3Outcome =
  | { ok: true; secretId: string; service: string; timestamp: number }
  | { ok: false; code: string; message: string };

const hmac = (key: string | Buffer, msg: string): Buffer => createHmac('sha256', key).update(msg, 'utf8').digest();
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const fail = (code: string, message: string): Tc3Outcome => ({ ok: false, code, message });

const AUTH = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export function verifyTc3(
  req: http.IncomingMessage,
  body: Buffer,
  keys: ReadonlyMap<string, Tc3Key>,
  expectedService: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Tc3Outcome {
  const auth = req.headers.authorization;
  if (!auth) return fail('AuthFailure.SignatureFailure', 'The request is missing the Authorization header.');
  const m = AUTH.exec(auth);
  if (!m) return fail('AuthFailure.InvalidAuthorization', 'Authorization is not a TC3-HMAC-SHA256 authorization.');
  const [, secretId, date, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp)) return fail('MissingParameter', 'X-TC-Timestamp is required.');
  if (Math.abs(nowSeconds - timestamp) > 300) return fail('AuthFailure.SignatureExpire', 'The signature expired (timestamp off by more than 5 minutes).');
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return fail('AuthFailure.InvalidAuthorization', 'The credential date does not match X-TC-Timestamp.');
  if (service !== expectedService) return fail('AuthFailure.InvalidAuthorization', `The credential scope names service ${service}, the endpoint is ${expectedService}.`);
  const key = keys.get(secretId);
  if (!key) return fail('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
  if (key.token !== undefined && req.headers['x-tc-token'] !== key.token) return fail('AuthFailure.TokenFailure', 'The token is missing or invalid.');
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('content-type')) return fail('AuthFailure.InvalidAuthorization', 'host and content-type must be signed.');
  const canonicalHeaders = names
    .map((n) => {
      let v = String(req.headers[n] ?? '').trim().toLowerCase();
      if (n === 'host') v = v.replace(/:\d+$/, '');
      return `${n}:${v}\n`;
    })
    .join('');
  const [path, query = ''] = (req.url ?? '/').split('?') as [string, string?];
  const canonicalRequest = [req.method, path, query, canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha256(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${key.secretKey}`, date), service), 'tc3_request');
  const expected = createHmac('sha256', signing).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }
  return { ok: true, secretId, service, timestamp };
}
