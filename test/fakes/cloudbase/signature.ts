/**
 * The server side of the CloudBase /admin request signature (TC3-HMAC-SHA256, service "tcb",
 * with signed parameters), reconstructed from what arrives on the wire and written independently
 * of @cloudbase/signature-nodejs:
 *
 *   Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/tcb/tc3_request, SignedParams=<k1;k2…>,
 *                  SignedHeaders=<h1;h2…>, Signature=<hex>
 *   CanonicalRequest = method \n //host/path \n query \n h1:v1\n…  \n h1;h2… \n hex(sha256(payload))
 *   payload          = for each signed param k (lower-cased name): "&k=" + value + "\r\n",
 *                      value = the JSON text of the body field (strings as they are), trimmed
 *   StringToSign     = "TC3-HMAC-SHA256" \n X-Timestamp \n date/tcb/tc3_request \n hex(sha256(CanonicalRequest))
 *
 * Header values are lower-cased and trimmed; the method is signed as the SDK names it ("post").
 * Every non-empty body field must be signed, so nothing can be added to a signed request, and the
 * signature is good for X-Signature-Expires (600 s) around X-Timestamp.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export type TcbSignatureOutcome = { ok: true; secretId: string } | { ok: false; message: string };

const AUTH = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/tcb\/tc3_request,(?: SignedParams=([^,]*),)? SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;
const sha256 = (d: string): string => createHash('sha256').update(d, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string): Buffer => createHmac('sha256', key).update(msg, 'utf8').digest();
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)).trim();

export function verifyTcbSignature(
  req: http.IncomingMessage,
  body: Record<string, unknown>,
  keys: ReadonlyMap<string, string>,
  nowSeconds = Math.floor(Date.now() / 1000),
): TcbSignatureOutcome {
  const m = AUTH.exec(String(req.headers.authorization ?? ''));
  if (!m) return { ok: false, message: 'authorization header missing or malformed' };
  const [, secretId, date, signedParams = '', signedHeaders, signature] = m as unknown as [string, string, string, string | undefined, string, string];
  const secretKey = keys.get(secretId);
  if (!secretKey) return { ok: false, message: 'unknown SecretId' };
  const timestamp = Number(req.headers['x-timestamp']);
  const expires = Number(req.headers['x-signature-expires'] ?? 600);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > Math.min(expires, 600)) return { ok: false, message: 'signature expired' };
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return { ok: false, message: 'credential date does not match X-Timestamp' };

  const byLowerName = new Map(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  const params = signedParams ? signedParams.split(';') : [];
  const signed = new Set(params);
  for (const [k, v] of byLowerName) {
    if (v !== undefined && text(v) !== '' && !signed.has(k)) return { ok: false, message: `body field ${k} is not signed` };
  }
  const payload = createHash('sha256');
  for (const k of params) {
    if (!byLowerName.has(k)) return { ok: false, message: `signed field ${k} is missing` };
    payload.update(`&${k}=`).update(text(byLowerName.get(k))).update('\r\n');
  }
  const headerNames = signedHeaders.split(';');
  if (!headerNames.includes('host') || !headerNames.includes('content-type')) return { ok: false, message: 'host and content-type must be signed' };
  const canonicalHeaders = headerNames.map((h) => `${h}:${String(req.headers[h] ?? '').trim().toLowerCase()}\n`).join('');
  const [path, query = ''] = (req.url ?? '/').split('?') as [string, string?];
  const canonical = [String(req.method).toLowerCase(), `//${req.headers.host}${path}`, query, canonicalHeaders, signedHeaders, payload.digest('hex')].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/tcb/tc3_request`, sha256(canonical)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${secretKey}`, date), 'tcb'), 'tc3_request');
  const expected = createHmac('sha256', signing).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, message: 'signature mismatch' };
  return { ok: true, secretId };
}
