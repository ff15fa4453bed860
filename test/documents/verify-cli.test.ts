import { join } from 'node:path';
import { newCa, twoSignerIou } from './signing-fixture';
import { run, tempDir, writeTemp } from './tools';

jest.setTimeout(60_000);

const tsx = join(__dirname, '../../node_modules/.bin/tsx');
const cli = join(__dirname, '../../scripts/verify-pdf.ts');

test('verify-pdf CLI: readable report, exit 0 when valid, 1 when modified or untrusted, 2 on bad usage', async () => {
  const ca = newCa();
  const { borrower } = await twoSignerIou(ca.ca);
  const dir = tempDir();
  const root = writeTemp(dir, 'root.pem', ca.pems.rootCertPem);
  const good = writeTemp(dir, 'good.pdf', borrower.bytes);

  const ok = run(tsx, [cli, good, '--root', root]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('签名 Signature #1: Sig_lender  有效 VALID');
  expect(ok.stdout).toContain('签署人 Signer:        张三');
  expect(ok.stdout).toContain('签名 Signature #2: Sig_borrower  有效 VALID');
  expect(ok.stdout).toContain('李小明');
  expect(ok.stdout).toContain('覆盖全文 covers whole file');
  expect(ok.stdout).toMatch(/结论 Result: .*VALID$/m);

  const appended = writeTemp(dir, 'appended.pdf', Buffer.concat([Buffer.from(borrower.bytes), Buffer.from('\n% unsigned note\n')]));
  const bad = run(tsx, [cli, appended, '--root', root]);
  expect(bad.status).toBe(1);
  // E1: the real cause — bytes after the last %%EOF, not an unsigned revision.
  expect(bad.stdout).toContain('[APPENDED_BYTES]');
  expect(bad.stdout).toContain('bytes appended after the last revision');
  expect(bad.stdout).toMatch(/INVALID$/m);

  const untrusted = run(tsx, [cli, good]);
  expect(untrusted.status).toBe(1);
  expect(untrusted.stdout).toContain('证书链无法连接到受信任的根证书');

  const json = run(tsx, [cli, good, '--root', root, '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, modifiedAfterLastSignature: false });

  expect(run(tsx, [cli]).status).toBe(2);
  expect(run(tsx, [cli, join(dir, 'missing.pdf'), '--root', root]).status).toBe(2);
});
