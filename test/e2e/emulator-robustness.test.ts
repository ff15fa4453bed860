/**
 * The emulator is as robust as the functions (issue 18, item 6, found by fuzzing it): each input
 * that used to answer 500, reset the connection or break the emulator for good now gets a clear
 * 4xx and changes nothing, and the key files it makes on first use are written atomically and
 * repaired when an interrupted first write left them empty.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startTestEmulator, storeSnapshot, tempDir, type Client } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { readOrCreateLocalCa } from '../../shared/adapters/local/local-ca';

const localKeys = async (dir: string) => readOrCreateLocalCa(dir);
import { loadPlatformCa } from '../../shared/documents/ca';
import { LocalSecrets } from '../../shared/adapters/local/local-secrets';
import { loadOrCreateLocalKeys } from '../../shared/adapters/local/wechatpay-keys';
import { createFileAtomic } from '../../shared/adapters/local/atomic-file';
import { handwrittenKey } from '../../shared/contracts/file-keys';
import { localCaller } from '../../shared/runtime/caller';

let emu: Emulator;
let client: Client;
beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('robust'));
});
afterAll(() => emu.close());

test('GET /files/ with broken percent-encoding answers 400, not 500', async () => {
  const r = await client.raw('GET', '/files/%E0%A4%A?expires=1&sig=x');
  expect(r.status).toBe(400);
  expect(r.json.error.code).toBe('VALIDATION_FAILED');
});

describe('x-openid must be a safe id', () => {
  test.each(['../..', 'a/b', 'alice bob', 'a.b', 'x'.repeat(65), '..%2F..'])('%j is refused with 400 and nothing is stored', async (openid) => {
    const before = await storeSnapshot(emu.container.store);
    const r = await client.raw('POST', '/fn/signature-upload', { pngBase64: 'iVBORw0KGgo=' }, { 'x-openid': openid });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    expect(await storeSnapshot(emu.container.store)).toBe(before);
  });

  test('a safe id still calls', async () => {
    const r = await client.raw('POST', '/fn/user-profile', {}, { 'x-openid': 'alice_01-x' });
    expect(r.status).toBe(200);
  });

  test('the caller reader refuses an unsafe openid even when the HTTP layer is bypassed', () => {
    expect(localCaller({ emulatorCaller: { openid: '../..' } })).toBeNull();
    expect(localCaller({ emulatorCaller: { openid: 'alice' } })).toEqual({ openid: 'alice' });
  });

  test('a handwritten signature\'s storage key holds no caller string', () => {
    const key = handwrittenKey('o_ABCdef-123', 'hw_abcdefghij');
    expect(key).toMatch(/^signatures\/[0-9a-f]{32}\/hw_abcdefghij\.png$/);
    expect(key).not.toContain('o_ABCdef-123');
    expect(handwrittenKey('../..', 'hw_abcdefghij')).toMatch(/^signatures\/[0-9a-f]{32}\//);
  });

  test('POST /_emulator/coupons refuses an unsafe openid', async () => {
    const r = await client.raw('POST', '/_emulator/coupons', { openid: '../x', campaign: 'welcome' });
    expect(r.status).toBe(400);
  });
});

test('a body over 5 MB answers 413 (the connection is not reset)', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024 + 10, 0x20);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${emu.url}/fn/user-profile`, { method: 'POST', headers: { 'x-openid': 'alice', 'content-type': 'application/json', 'content-length': big.length } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(big);
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).error.code).toBe('VALIDATION_FAILED');
  // The emulator still answers.
  expect((await client.raw('GET', '/healthz')).status).toBe(200);
});

describe('advanceDays bounds', () => {
  test.each([[{ advanceDays: 1e12 }], [{ advanceMinutes: 1e300 }], [{ advanceDays: -1 }], [{ advanceDays: '1e12' }], [{ advanceDays: 40_000 }]])('%j → 400 and the clock is unchanged', async (body) => {
    const before = (await client.raw('GET', '/_emulator/clock')).json.offsetMinutes;
    const r = await client.raw('POST', '/_emulator/clock', body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    const after = await client.raw('GET', '/_emulator/clock');
    expect(after.json.offsetMinutes).toBe(before);
    expect(Number.isNaN(Date.parse(after.json.now))).toBe(false);
    expect((await client.raw('POST', '/fn/user-profile', {}, { 'x-openid': 'alice' })).status).toBe(200);
  });

  test('a jump within bounds still moves it', async () => {
    const before = (await client.raw('GET', '/_emulator/clock')).json.offsetMinutes;
    const r = await client.raw('POST', '/_emulator/clock', { advanceDays: 2 });
    expect(r.status).toBe(200);
    expect(r.json.offsetMinutes).toBe(before + 2 * 1440);
  });
});

describe('key files: atomic writes, an empty file repaired', () => {
  test('an empty keys/platform-ca.json (an interrupted first write) is made again and loads as a CA', async () => {
    const dir = tempDir('emptyca');
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', 'platform-ca.json'), '');
    const k = await localKeys(dir);
    expect(() => loadPlatformCa(k.pems)).not.toThrow();
    expect(k.signerIdSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'keys', 'platform-ca.json'), 'utf8')).signerIdSecret).toBe(k.signerIdSecret);
    // The second read is the same keys, and no temporary file is left behind.
    expect((await localKeys(dir)).signerIdSecret).toBe(k.signerIdSecret);
    expect(fs.readdirSync(path.join(dir, 'keys'))).toEqual(['platform-ca.json']);
  });

  test('a non-empty platform-ca.json that does not parse is reported, never replaced', async () => {
    const dir = tempDir('badca');
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', 'platform-ca.json'), '{"pems":');
    await expect(localKeys(dir)).rejects.toThrow(/not valid JSON/);
    expect(fs.readFileSync(path.join(dir, 'keys', 'platform-ca.json'), 'utf8')).toBe('{"pems":');
  });

  test('two first loads racing agree on one CA', async () => {
    const dir = tempDir('raceca');
    const [a, b] = await Promise.all([localKeys(dir), localKeys(dir)]);
    expect(a.signerIdSecret).toBe(b.signerIdSecret);
    expect(a.pems.rootCertPem).toBe(b.pems.rootCertPem);
  });

  test('an empty secret file is made again; WeChat Pay local keys too', async () => {
    const dir = tempDir('emptysecret');
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.writeFileSync(path.join(dir, 'secrets', 'verification-code-hmac'), '');
    const v = await new LocalSecrets(dir).get('verification-code-hmac');
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    fs.mkdirSync(path.join(dir, 'wechatpay'));
    fs.writeFileSync(path.join(dir, 'wechatpay', 'local-keys.json'), '');
    expect(loadOrCreateLocalKeys(dir).apiV3Key).toHaveLength(32);
  });

  test('createFileAtomic: first writer wins, nothing half-written, no temporary file left', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, 'k', 'f.json');
    const results = await Promise.all(['a', 'b', 'c'].map((c) => createFileAtomic(file, c.repeat(1000))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^(a{1000}|b{1000}|c{1000})$/);
    expect(fs.readdirSync(path.join(dir, 'k'))).toEqual(['f.json']);
  });
});
