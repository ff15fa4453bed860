/**
 * E2 the anchor timer's window (evidence/anchors.ts) on the local container: a busy window is cut
 * at 500 heads and the rest anchored by the next run; contracts stored before heads were signed
 * are left out; a TSA failure stores nothing and leaves the window for the next run; every head
 * anchored has a proof that leads to its anchor's root, and the root's token imprint is SHA-256
 * of the root.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createContainer, type Container } from '../../shared/runtime/container';
import { createLogger } from '../../shared/runtime/logger';
import { FixedClock } from '../../shared/adapters/local/clock';
import { CONTRACT_SCHEMA_VERSION, type Contract } from '../../shared/domain/contract';
import { CONTRACTS } from '../../shared/contracts/repository';
import { signHead } from '../../shared/contracts/chain-heads';
import { parseTimestampToken } from '../../shared/documents/timestamp';
import { ANCHOR_PROOFS, ANCHORS, runAnchor, type AnchorDoc, type AnchorProofDoc } from '../../shared/evidence/anchors';
import { verifyInclusion } from '../../shared/evidence/merkle';
import { TsaFailure } from '../../shared/ports/tsa';
import { tempDir } from '../support/emulator';

const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const clock = new FixedClock(new Date(T0));
let container: Container;
let dir: string;
beforeAll(() => {
  dir = tempDir('anchors');
  container = createContainer({ ESIGN_DATA_DIR: dir, NODE_ENV: 'test' }, { clock: clock as never, log: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await container.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const hashOf = (s: string) => createHash('sha256').update(s).digest('hex');
/** A contract as a commit at `at` leaves it: its head, signed (or, stored before E2, not). */
const storeContract = async (n: number, at: string, signed = true) => {
  const id = `ct_anchor${String(n).padStart(5, '0')}`;
  const head = { seq: 3, hash: hashOf(id) };
  const c = {
    _id: id, contractNo: `JT${n}`, kind: 'iou', flow: 'initiator_fills', title: '借条', state: 'signed', schemaVersion: CONTRACT_SCHEMA_VERSION,
    parties: [], memberOpenids: [], form: {}, ruleFacts: {}, shareToken: `tok-${id}`,
    payment: { status: 'waived', amountFen: 0, orderId: null, paidAt: at }, pending: null, reminders: { enabled: false },
    createdAt: at, updatedAt: at, initiatedAt: at, expiresAt: null, completedAt: at, document: null, eventHead: head,
    ...(signed ? { signedHead: await signHead(container, id, head, at) } : {}),
  } as unknown as Contract;
  await container.store.insert(CONTRACTS, c);
  return c;
};

test('a busy window is cut at 500 heads, the rest anchored next run; unsigned legacy heads are left out; a TSA failure stores nothing', async () => {
  const contracts: Contract[] = [];
  for (let i = 0; i < 502; i++) contracts.push(await storeContract(i, new Date(T0 + 1000 + i).toISOString()));
  await storeContract(9999, new Date(T0 + 500).toISOString(), false);
  clock.set(new Date(T0 + 10 * 60_000));

  const down = { ...container, tsa: { timestamp: async () => { throw new TsaFailure('UNREACHABLE', 'down'); } } };
  await expect(runAnchor(down)).rejects.toBeInstanceOf(TsaFailure);
  expect(await container.store.find(ANCHORS, {})).toEqual([]);
  expect(await container.store.find(ANCHOR_PROOFS, {}, { limit: 10 })).toEqual([]);

  const first = await runAnchor(container);
  // 500 read (the legacy one among them, left out); cut before the last instant read: 498 signed heads.
  expect(first).toMatchObject({ anchored: 498, skipped: false });
  const second = await runAnchor(container);
  expect(second).toMatchObject({ anchored: 4, skipped: false });
  expect(await runAnchor(container)).toEqual({ anchored: 0, anchorId: null, skipped: false });

  const proofs: AnchorProofDoc[] = [];
  for (let skip = 0; ; skip += 100) {
    const page = await container.store.find<AnchorProofDoc>(ANCHOR_PROOFS, {}, { limit: 100, skip });
    proofs.push(...page);
    if (page.length < 100) break;
  }
  expect(proofs.map((p) => p.contractId).sort()).toEqual(contracts.map((c) => c._id).sort());
  const anchors = new Map((await container.store.find<AnchorDoc>(ANCHORS, {})).filter((a) => a._id !== 'state').map((a) => [a._id, a]));
  expect([...anchors.values()].map((a) => a.treeSize).sort((a, b) => a - b)).toEqual([4, 498]);
  for (const p of proofs) {
    const a = anchors.get(p.anchorId)!;
    expect(verifyInclusion({ contractId: p.contractId, head: { seq: p.seq, hash: p.hash } }, p.proof, Buffer.from(a.root, 'hex'))).toBe(true);
  }
  for (const a of anchors.values()) {
    const token = parseTimestampToken(Buffer.from(a.token, 'base64'));
    expect(token.imprint.toString('hex')).toBe(createHash('sha256').update(Buffer.from(a.root, 'hex')).digest('hex'));
    expect(token.genTime.toISOString()).toBe(a.anchoredAt);
  }
}, 120_000);
