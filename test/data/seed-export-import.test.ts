/**
 * Data in and out (issue 18, item 2): npm run seed fills a data dir through the functions with a
 * contract in each reachable state; data:export writes it as JSON lines; data:import puts it into a
 * fresh data dir (event chains checked); there, contract-verify of every imported contract with a
 * PDF passes — the signatures chain to the same platform CA and the audit chain is intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/server';
import { seed, SEED_PEOPLE } from '../../scripts/seed';
import { exportData, importData } from '../../scripts/data-io';
import { tempDir } from '../support/emulator';
import type { Contract } from '../../shared/domain/contract';

const start = (dataDir: string) => startEmulator({ port: 0, dataDir, timers: false, env: { NODE_ENV: 'test', ESIGN_LOG_LEVEL: 'silent' } });

test('seed → export → import into a new data dir → contract-verify of every contract passes', async () => {
  const from = tempDir('seed');
  let emu: Emulator = await start(from);
  let made: Record<string, string>;
  try {
    made = await seed(emu);
    const states = Object.fromEntries(await Promise.all(Object.values(made).map(async (id) => [id, (await emu.container.store.get<Contract>('contracts', id))!.state])));
    expect(Object.values(states).sort()).toEqual(Object.keys(made).sort());
  } finally {
    await emu.close();
  }
  const file = path.join(tempDir('export'), 'data.jsonl');
  const exported = await exportData(from, file);
  expect(exported.docs).toBeGreaterThan(50);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.filter((l) => l.collection === 'contracts')).toHaveLength(Object.keys(made).length);
  expect(lines.some((l) => l.file === 'keys/platform-ca.json')).toBe(true);

  const to = tempDir('import');
  const imported = await importData(file, to);
  expect(imported).toMatchObject({ docs: exported.docs, files: exported.files, contracts: Object.keys(made).length });
  await expect(importData(file, to)).rejects.toThrow(/already has a database/);

  emu = await start(to);
  try {
    const contracts = await emu.container.store.find<Contract>('contracts', {}, { limit: 100 });
    const withPdf = contracts.filter((c) => c.document !== null);
    expect(withPdf.length).toBeGreaterThanOrEqual(5);
    for (const c of contracts) {
      const openid = c.parties[0]!.openid!;
      const r = await (await fetch(`${emu.url}/fn/contract-verify`, { method: 'POST', headers: { 'x-openid': openid }, body: JSON.stringify({ contractId: c._id }) })).json() as any;
      expect([c.state, r.ok, r.error?.code ?? null]).toEqual([c.state, true, null]);
      expect([c.state, r.data.valid ?? r.data.ok]).toEqual([c.state, true]);
    }
    // A seeded user is still who they were.
    const me = await (await fetch(`${emu.url}/fn/user-profile`, { method: 'POST', headers: { 'x-openid': SEED_PEOPLE[0]!.openid }, body: '{}' })).json() as any;
    expect(me.data).toMatchObject({ verified: true, name: SEED_PEOPLE[0]!.name });
  } finally {
    await emu.close();
  }
}, 180_000);

test('import refuses a file name that would leave the data dir', async () => {
  const file = path.join(tempDir('evil'), 'x.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ file: '../escape.txt', base64: 'eA==' })}\n`);
  const to = tempDir('evil-to');
  await expect(importData(file, to)).rejects.toThrow(/bad file name/);
  expect(fs.existsSync(path.join(to, '..', 'escape.txt'))).toBe(false);
});
