/**
 * SPEC C1 (parties, each with its status), C7 (my contracts stay listed): a contract stored in the
 * old two-party shape (`parties: {initiator, counterparty}`, no schemaVersion) in the SQLite store
 * is read in the current shape through the repository, and `npm run migrate` (scripts/migrate.ts)
 * rewrites it once — a second run changes nothing — keeping its membership and indexes.
 */
import fs from 'node:fs';
import { createContainer, type Container } from '../../shared/runtime/container';
import { createLogger } from '../../shared/runtime/logger';
import { FixedClock } from '../../shared/adapters/local/clock';
import { CONTRACT_SCHEMA_VERSION } from '../../shared/domain/contract';
import { CONTRACTS, findContracts, loadContract } from '../../shared/contracts/repository';
import { migrateContract } from '../../shared/contracts/migrations';
import { contractView } from '../../shared/contracts/views';
import { runMigrations } from '../../scripts/migrate';
import type { Doc } from '../../shared/ports/store';
import { tempDir } from '../support/emulator';

const NOW = '2026-03-01T02:00:00.000Z';
let container: Container;
let dir: string;
// A fresh store per case: each counts exactly what it stored.
beforeEach(() => {
  dir = tempDir('migrations');
  container = createContainer({ ESIGN_DATA_DIR: dir, NODE_ENV: 'test' }, { clock: new FixedClock(new Date(NOW)) as never, log: createLogger({ level: 'silent' }) });
});
afterEach(async () => {
  await container.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lender = { name: '张三', idNumber: '110105198506150313', phone: '13800138001' };
const borrower = { name: '李四', idNumber: '110105199311020425', phone: '13900139002' };
const cert = { subject: 's', issuer: 'i', serialNumber: '01', validFrom: NOW, validTo: NOW, fingerprintSha256: 'f' };

/** An IOU in rescind_pending as the code before schema version 2 stored it. */
const oldShape = (id: string): Doc => ({
  _id: id, contractNo: `JT${id}`, kind: 'iou', flow: 'iou', title: '借条', state: 'rescind_pending',
  parties: {
    initiator: { role: 'initiator', kindRole: 'lender', openid: 'o-lender', details: lender, filledBy: 'self', status: 'signed', filledAt: NOW, signature: { type: 'seal', ref: null, faceCheckId: 'f1', at: NOW } },
    counterparty: { role: 'counterparty', kindRole: 'borrower', openid: 'o-borrower', details: borrower, filledBy: 'initiator', status: 'signed', filledAt: null, signature: { type: 'seal', ref: null, faceCheckId: 'f2', at: NOW } },
  },
  memberOpenids: ['o-lender', 'o-borrower'],
  form: { amountFen: 100_000 }, ruleFacts: {}, shareToken: `tok-${id}`,
  payment: { status: 'paid', amountFen: 500, orderId: 'ord', paidAt: NOW },
  pending: { type: 'rescind', by: 'counterparty', reason: '协商一致', at: NOW, faceCheckId: 'f3' },
  reminders: { enabled: false },
  createdAt: NOW, updatedAt: NOW, initiatedAt: NOW, expiresAt: null, completedAt: NOW,
  document: {
    originalKey: 'k0', originalSha256: 'h0', currentKey: 'k2', currentSha256: 'h2', signedKey: 'k2',
    areas: [
      { role: 'initiator', fieldName: 'Sig_lender', pageIndex: 0, rect: { x: 1, y: 2, width: 3, height: 4 } },
      { role: 'counterparty', fieldName: 'Sig_borrower', pageIndex: 0, rect: { x: 5, y: 6, width: 3, height: 4 } },
    ],
    signatures: [
      { by: 'initiator', fieldName: 'Sig_lender', signedAt: NOW, sha256: 'h1', certificate: cert },
      { by: 'counterparty', fieldName: 'Sig_borrower', signedAt: NOW, sha256: 'h2', certificate: cert },
    ],
  },
  eventHead: { seq: 5, hash: 'e5' },
});

const expectCurrentShape = (c: Awaited<ReturnType<typeof loadContract>>) => {
  expect(c).not.toBeNull();
  expect(c!.schemaVersion).toBe(CONTRACT_SCHEMA_VERSION);
  expect(c!.parties).toEqual([
    { side: 'initiator', role: 'lender', openid: 'o-lender', details: lender, filledBy: 'self', status: 'signed', filledAt: NOW, signature: { type: 'seal', ref: null, faceCheckId: 'f1', at: NOW }, order: 1 },
    { side: 'counterparty', role: 'borrower', openid: 'o-borrower', details: borrower, filledBy: 'initiator', status: 'signed', filledAt: null, signature: { type: 'seal', ref: null, faceCheckId: 'f2', at: NOW }, order: 2 },
  ]);
  expect(c!.pending).toEqual({ type: 'rescind', by: 1, reason: '协商一致', at: NOW, faceCheckId: 'f3' });
  expect(c!.document!.areas.map((a) => [a.party, a.fieldName])).toEqual([[0, 'Sig_lender'], [1, 'Sig_borrower']]);
  expect(c!.document!.signatures.map((s) => [s.by, s.party, s.fieldName])).toEqual([['initiator', 0, 'Sig_lender'], ['counterparty', 1, 'Sig_borrower']]);
  expect(c!.memberOpenids).toEqual(['o-lender', 'o-borrower']);
};

test('an old-shape contract reads in the current shape before any migration ran (the read-time upgrade)', async () => {
  await container.store.insert(CONTRACTS, oldShape('ct-old-read'));
  expectCurrentShape(await loadContract(container, 'ct-old-read'));
  // The view a party gets is the two-party view it always was.
  const view = contractView((await loadContract(container, 'ct-old-read'))!, 1, NOW);
  expect(view).toMatchObject({ myRole: 'counterparty', myKindRole: 'borrower', pending: { type: 'rescind', by: 'counterparty' } });
  expect(view.parties.map((p) => [p.role, p.kindRole, p.isMe])).toEqual([['initiator', 'lender', false], ['counterparty', 'borrower', true]]);
  expect(view.actions).toEqual(['rescind_cancel']);
  // Nothing was written by reading.
  expect(((await container.store.get<Doc>(CONTRACTS, 'ct-old-read'))!).schemaVersion).toBeUndefined();
});

test('npm run migrate rewrites stored contracts once; a second run changes nothing; memberships and indexes stay valid', async () => {
  const ids = ['ct-old-a', 'ct-old-b'];
  for (const id of ids) await container.store.insert(CONTRACTS, oldShape(id));
  const first = await runMigrations(container.store);
  expect(first.contracts).toEqual({ scanned: 2, migrated: 2 });
  const stored = (await container.store.get<Doc>(CONTRACTS, 'ct-old-a'))!;
  expect(stored.schemaVersion).toBe(CONTRACT_SCHEMA_VERSION);
  expect(stored.version).toBe(2); // one compare-and-set write on top of the insert

  const second = await runMigrations(container.store);
  expect(second.contracts).toEqual({ scanned: 2, migrated: 0 });
  expect(((await container.store.get<Doc>(CONTRACTS, 'ct-old-a'))!).version).toBe(2); // untouched

  for (const id of ids) expectCurrentShape(await loadContract(container, id));
  // The member index and the share-token index still find them.
  for (const openid of ['o-lender', 'o-borrower']) {
    const mine = await findContracts(container, { memberOpenids: openid }, { orderBy: [['_id', 'asc']] });
    expect(mine.map((c) => c._id)).toEqual(expect.arrayContaining(ids));
  }
  expect((await findContracts(container, { shareToken: 'tok-ct-old-b' }))[0]!._id).toBe('ct-old-b');
});

test('migrateContract is idempotent: a current document comes back as the same object', () => {
  const once = migrateContract(oldShape('x'));
  expect(migrateContract(once as never)).toBe(once);
  expect(JSON.stringify(migrateContract(JSON.parse(JSON.stringify(once))))).toBe(JSON.stringify(once));
});
