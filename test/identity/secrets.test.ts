/** The local secrets adapter: random per data dir, kept across restarts, private, declared names only. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalSecrets } from '../../shared/adapters/local/local-secrets';
import type { SecretName } from '../../shared/ports/secrets';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esign-secrets-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a secret is 32 random bytes, written once (0600) and read back by the next process', async () => {
  const first = await new LocalSecrets(dir).get('verification-code-hmac');
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  const file = path.join(dir, 'secrets', 'verification-code-hmac');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(await new LocalSecrets(dir).get('verification-code-hmac')).toBe(first);
  expect(await new LocalSecrets(dir).get('signing-password-pepper')).not.toBe(first);
});

test('two instances starting together agree on one value', async () => {
  const fresh = fs.mkdtempSync(path.join(dir, 'race-'));
  const values = await Promise.all([new LocalSecrets(fresh), new LocalSecrets(fresh), new LocalSecrets(fresh)].map((s) => s.get('signing-password-pepper')));
  expect(new Set(values).size).toBe(1);
});

test('an undeclared name is refused and touches no file', async () => {
  await expect(new LocalSecrets(dir).get('../../etc/passwd' as SecretName)).rejects.toThrow('unknown secret');
  expect(fs.readdirSync(path.join(dir, 'secrets')).sort()).toEqual(['signing-password-pepper', 'verification-code-hmac']);
});
