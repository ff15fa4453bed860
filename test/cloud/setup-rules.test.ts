/**
 * Issue 16 item 6, private by default: the security rules files deny every client-side read and
 * write, and the real setup command (manager-node → TCB API, against the local TCB management
 * server) applies them to every declared collection and to the storage bucket, on every run; and
 * it gives the payment webhook, and only it, its public HTTP path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSecurityRules, RULES_DIR } from '../../scripts/setup-cloudbase';
import { ALL_COLLECTIONS } from '../../shared/store/collections';
import { startCloudFakes, type CloudFakes } from '../fakes';

let f: CloudFakes;
beforeAll(async () => {
  f = await startCloudFakes();
});
afterAll(() => f.close());

test('the rules files deny every client read and write', () => {
  for (const name of ['database', 'storage']) {
    expect(JSON.parse(fs.readFileSync(path.join(RULES_DIR, `${name}.json`), 'utf8'))).toEqual({ read: false, write: false });
  }
  expect(loadSecurityRules()).toEqual({ database: { read: false, write: false }, storage: { read: false, write: false } });
});

test('a rules file that opens anything is refused before anything is applied', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
  fs.writeFileSync(path.join(dir, 'database.json'), JSON.stringify({ read: 'auth.openid == doc._openid', write: false }));
  fs.writeFileSync(path.join(dir, 'storage.json'), JSON.stringify({ read: false, write: false }));
  expect(() => loadSecurityRules(dir)).toThrow(/database\.json must deny/);
  fs.writeFileSync(path.join(dir, 'database.json'), JSON.stringify({ read: false, write: false }));
  fs.writeFileSync(path.join(dir, 'storage.json'), JSON.stringify({ read: true, write: false }));
  expect(() => loadSecurityRules(dir)).toThrow(/storage\.json must deny/);
});

test('the setup command applies them to every collection and to the bucket, and again on a second run', async () => {
  const first = await f.setup();
  expect(first.httpPathsCreated).toEqual(['/payment-notify']);
  const expected = [...ALL_COLLECTIONS.map((c) => `collection:${c.name}`), 'storage'];
  expect(first.rulesApplied).toEqual(expected);
  expect([...f.tcb.rules.keys()].sort()).toEqual([...expected].sort());
  for (const [, applied] of f.tcb.rules) expect(applied).toEqual({ permission: 'CUSTOM', rule: { read: false, write: false } });
  // Loosened in the console, put back by the next run.
  f.tcb.rules.set('storage', { permission: 'READONLY', rule: null });
  expect((await f.setup()).rulesApplied).toEqual(expected);
  expect(f.tcb.rules.get('storage')).toEqual({ permission: 'CUSTOM', rule: { read: false, write: false } });
});

test('the payment webhook gets its public HTTP path, once, without CloudBase login (WeChat Pay signs instead); no other function gets one', async () => {
  const before = new Map(f.tcb.httpAccess);
  const again = await f.setup();
  expect(again.httpPathsCreated).toEqual([]);
  expect([...f.tcb.httpAccess]).toEqual([...before]);
  expect([...f.tcb.httpAccess]).toEqual([['/payment-notify', { name: 'payment-notify', type: 1, auth: false }]]);
});
