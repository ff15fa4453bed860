/**
 * E1 timestamps: the embedded TSA and the RFC 3161 HTTP client against a local RFC 3161 server,
 * checked by OpenSSL's own implementation (`openssl ts`), and every way a TSA can fail turning
 * into a typed provider error — never a token from our clock.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LocalTsa, tsaIdentity } from '../../shared/adapters/local/tsa';
import { FixedClock } from '../../shared/adapters/local/clock';
import { Rfc3161Tsa } from '../../shared/adapters/rfc3161/client';
import { issueTsaCertificate } from '../../shared/documents/ca';
import { OID } from '../../shared/documents/oids';
import { checkTimestampToken, encodeTimestampRequest, parseTimestampResponse, parseTimestampToken } from '../../shared/documents/timestamp';
import { isTsaFailure, TsaFailure } from '../../shared/ports/tsa';
import { newCa, TestCa } from '../documents/signing-fixture';
import { run, tempDir, writeTemp } from '../documents/tools';
import { startTsaFake, TsaFake } from '../fakes/tsa';

let ca: TestCa;
let dir: string;
let files: { root: string; untrusted: string };
let fake: TsaFake;
const at = new Date('2026-03-01T08:00:00.750Z');
const clock = new FixedClock(at);
const data = Buffer.from('签名值 signature value bytes');
const digest = createHash('sha256').update(data).digest();

beforeAll(async () => {
  ca = newCa();
  dir = tempDir('esign-tsa-');
  const tsaCert = await issueTsaCertificate(ca.ca, { now: at });
  files = {
    root: writeTemp(dir, 'root.pem', ca.pems.rootCertPem),
    untrusted: writeTemp(dir, 'tsa-chain.pem', tsaCert.certPem + ca.pems.issuingCertPem),
  };
  fake = await startTsaFake(tsaIdentity(tsaCert, '1.2.156.112562.1.1'), () => clock.now());
});
afterAll(() => fake.close());

/** openssl ts -verify of a token over `data`, against the platform root. */
const opensslVerify = (token: Uint8Array, name: string, input: Buffer = data) => {
  const tok = writeTemp(dir, `${name}.tst`, token);
  const dataFile = writeTemp(dir, `${name}.data`, input);
  return run('openssl', ['ts', '-verify', '-in', tok, '-token_in', '-data', dataFile, '-CAfile', files.root, '-untrusted', files.untrusted]);
};

describe('E1 the embedded TSA', () => {
  test('its token over a SHA-256 digest: OpenSSL verifies it against the platform root; genTime is the clock’s, to the second', async () => {
    const tsa = await LocalTsa.forPlatformCa(ca.ca, clock);
    const token = await tsa.timestamp(digest, 'sha256');
    const r = opensslVerify(token, 'local');
    expect(r.stdout.trim()).toBe('Verification: OK');
    const parsed = parseTimestampToken(Buffer.from(token));
    expect(parsed.genTime.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(parsed.policy).toBe(OID.localTsaPolicy);
    expect(parsed.imprint.equals(digest)).toBe(true);
    expect(parsed.tsaCertificate?.extKeyUsage).toEqual([OID.kpTimeStamping]);
    expect(checkTimestampToken(parsed, () => digest)).toEqual({ imprint: true, signature: true, tsaCertificate: true, problems: [] });
    // OpenSSL reads the same time and policy.
    const text = run('openssl', ['ts', '-reply', '-in', writeTemp(dir, 'local2.tst', token), '-token_in', '-text']).stdout;
    expect(text).toContain('Time stamp: Mar  1 08:00:00 2026 GMT');
    expect(text).toContain(`Policy OID: ${OID.localTsaPolicy}`);
  });

  test('a token over other data is refused by OpenSSL and by our check, by name', async () => {
    const token = await (await LocalTsa.forPlatformCa(ca.ca, clock)).timestamp(digest, 'sha256');
    expect(opensslVerify(token, 'other', Buffer.from('other data')).stdout).not.toContain('Verification: OK');
    const check = checkTimestampToken(parseTimestampToken(Buffer.from(token)), () => Buffer.alloc(32, 1));
    expect(check.imprint).toBe(false);
    expect(check.signature).toBe(true);
    expect(check.problems).toEqual(['时间戳的消息摘要（imprint）与被盖时间戳的数据不符']);
  });

  test('switched off, it throws a TSA provider error instead of stamping', async () => {
    const tsa = await LocalTsa.forPlatformCa(ca.ca, clock);
    tsa.unavailable = true;
    const e = await tsa.timestamp(digest, 'sha256').catch((x: unknown) => x);
    expect(isTsaFailure(e)).toBe(true);
    expect((e as TsaFailure).code).toBe('PROVIDER_ERROR');
    expect((e as TsaFailure).details).toEqual({ provider: 'tsa', providerCode: 'UNREACHABLE' });
  });
});

describe('E1 the RFC 3161 HTTP client against a local RFC 3161 server', () => {
  test('POSTs application/timestamp-query with a nonce and certReq; the token verifies with OpenSSL', async () => {
    const tsa = new Rfc3161Tsa({ url: fake.url, policy: '1.2.156.112562.1.1' });
    const before = fake.requests.length;
    const token = await tsa.timestamp(digest, 'sha256');
    expect(fake.requests.slice(before)).toEqual([{ hashAlg: 'sha256', nonce: true, certReq: true, policy: '1.2.156.112562.1.1' }]);
    expect(opensslVerify(token, 'http').stdout.trim()).toBe('Verification: OK');
  });

  test('our request is one OpenSSL reads; OpenSSL’s request gets a reply OpenSSL verifies (both sides interoperate)', async () => {
    const ours = writeTemp(dir, 'ours.tsq', encodeTimestampRequest({ hashAlg: 'sha256', digest, nonce: Buffer.from([1, 2, 3]), certReq: true }));
    const text = run('openssl', ['ts', '-query', '-in', ours, '-text']).stdout;
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toContain('Nonce: 0x010203');
    expect(text).toContain('Certificate required: yes');

    const dataFile = writeTemp(dir, 'q.data', data);
    const query = writeTemp(dir, 'openssl.tsq', '');
    expect(run('openssl', ['ts', '-query', '-data', dataFile, '-sha256', '-cert', '-out', query]).status).toBe(0);
    const res = await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: readFileSync(query) });
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    const replyFile = writeTemp(dir, 'openssl.tsr', Buffer.from(await res.arrayBuffer()));
    const v = run('openssl', ['ts', '-verify', '-queryfile', query, '-in', replyFile, '-CAfile', files.root, '-untrusted', files.untrusted]);
    expect(v.stdout.trim()).toBe('Verification: OK');
  });

  test.each([
    ['reject', 'REJECTED'],
    ['wrong-nonce', 'NONCE_MISMATCH'],
    ['wrong-imprint', 'IMPRINT_MISMATCH'],
    ['no-token', 'NO_TOKEN'],
    ['http-500', 'HTTP_STATUS'],
    ['html', 'BAD_CONTENT_TYPE'],
    ['garbage', 'MALFORMED'],
  ] as const)('a TSA that answers %s fails the step with PROVIDER_ERROR / %s (no token, no fallback)', async (how, code) => {
    fake.misbehave(how);
    const e = await new Rfc3161Tsa({ url: fake.url }).timestamp(digest, 'sha256').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TsaFailure);
    expect((e as TsaFailure).details).toEqual({ provider: 'tsa', providerCode: code });
  });

  test('a rejection names the TSA’s failInfo; a policy the TSA does not serve is rejected as unacceptedPolicy', async () => {
    fake.misbehave('reject');
    const e = (await new Rfc3161Tsa({ url: fake.url }).timestamp(digest, 'sha256').catch((x: unknown) => x)) as TsaFailure;
    expect(e.tsaMessage).toBe('rejection systemFailure clock not synchronised');
    const p = (await new Rfc3161Tsa({ url: fake.url, policy: '1.2.3.4' }).timestamp(digest, 'sha256').catch((x: unknown) => x)) as TsaFailure;
    expect(p.details).toEqual({ provider: 'tsa', providerCode: 'REJECTED' });
    expect(p.tsaMessage).toBe('rejection unacceptedPolicy');
  });

  test('no answer in time is TIMEOUT; nothing listening is UNREACHABLE', async () => {
    fake.misbehave('hang');
    const t = (await new Rfc3161Tsa({ url: fake.url, timeoutMs: 300 }).timestamp(digest, 'sha256').catch((x: unknown) => x)) as TsaFailure;
    expect(t.details).toEqual({ provider: 'tsa', providerCode: 'TIMEOUT' });
    const u = (await new Rfc3161Tsa({ url: 'http://127.0.0.1:1/tsa' }).timestamp(digest, 'sha256').catch((x: unknown) => x)) as TsaFailure;
    expect(u.details).toEqual({ provider: 'tsa', providerCode: 'UNREACHABLE' });
  });
});
