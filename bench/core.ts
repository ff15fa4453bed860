/**
 * Foundation benchmarks (DESIGN "Performance budget"), reported as ratios measured in the same run:
 *  1. a face-checked state change through the function's real main() against the bare store round
 *     trips it needs (read the contract, read and spend the face check, commit CAS + event, the
 *     outbox insert), and against the budget's minimum of one read + one commit (CAS + event
 *     append): `rescind-request`, which is store work only, and `contract-sign`, the same round
 *     trips plus rendering and digitally signing the PDF (bench/documents.ts breaks that down);
 *  2. the expiry timer with 10k vs 100k contracts in the store and the same due set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContainer, setContainer, type Container } from '../shared/runtime/container';
import { createLogger } from '../shared/runtime/logger';
import { FixedClock } from '../shared/adapters/local/clock';
import { CONTRACT_SCHEMA_VERSION, type Contract } from '../shared/domain/contract';
import { chainEvents, GENESIS_HASH } from '../shared/domain/events';
import { subjectHash, type FaceCheck } from '../shared/identity/face-checks';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

const NOW = '2026-03-02T02:00:00.000Z';

const contractDoc = (id: string, over: Partial<Contract> = {}): Contract => ({
  _id: id, contractNo: `JT${id}`, kind: 'iou', flow: 'iou', title: '借条', state: 'awaiting_signatures',
  schemaVersion: CONTRACT_SCHEMA_VERSION,
  parties: [
    { side: 'initiator', role: 'lender', openid: 'o-a', details: { name: '张三', idNumber: '110105198506150313', phone: '13800138001' }, filledBy: 'self', status: 'to_sign', filledAt: NOW, signature: null, order: 1 },
    { side: 'counterparty', role: 'borrower', openid: 'o-b', details: { name: '李四', idNumber: '110105199311020425', phone: '13900139002' }, filledBy: 'initiator', status: 'waiting', filledAt: null, signature: null, order: 2 },
  ],
  memberOpenids: ['o-a', 'o-b'],
  form: { amountFen: 1_000_000, purpose: '周转', borrowDate: '2026-03-01', repayDate: '2026-06-01', annualRateBp: 600, repaymentPlan: [{ dueDate: '2026-06-01', principalFen: 1_000_000 }] },
  ruleFacts: { lprBp: 300, capBp: 1200 },
  shareToken: `tok-${id}`, payment: { status: 'paid', amountFen: 500, orderId: null, paidAt: NOW }, pending: null, reminders: { enabled: false },
  createdAt: NOW, updatedAt: NOW, initiatedAt: NOW, expiresAt: '2026-03-31T02:00:00.000Z', completedAt: null, document: null,
  eventHead: { seq: 0, hash: GENESIS_HASH },
  ...over,
});

type Act = 'sign' | 'rescind_request';

/** A contract ready for the act: the initiator to sign first, or both signed (a rescission may be asked). */
const readyFor = (act: Act, id: string): Contract => {
  const c = contractDoc(id);
  if (act === 'sign') return c;
  return {
    ...c, state: 'signed', expiresAt: null, completedAt: NOW,
    parties: c.parties.map((p) => ({ ...p, status: 'signed' as const })),
  };
};

const faceDoc = (token: string, contractId: string, purpose: Act): FaceCheck => ({
  _id: token, openid: 'o-a', purpose, contractId, subject: subjectHash('张三', '110105198506150313'), createdAt: NOW, expiresAt: '2026-03-02T04:00:00.000Z', usedAt: null, result: null,
});

const fresh = (label: string): { c: Container; dir: string } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `esign-bench-${label}-`));
  const c = createContainer({ ESIGN_DATA_DIR: dir }, { clock: new FixedClock(new Date(NOW)) as never, log: createLogger({ level: 'silent' }) });
  setContainer(c);
  return { c, dir };
};

export const benchSign = async (n = 1000, act: Act = 'sign'): Promise<Record<string, number>> => {
  const { c, dir } = fresh(act);
  const fn = require(act === 'sign' ? '../functions/contract-sign' : '../functions/rescind-request').main;
  const payload = (contractId: string, bizToken: string) =>
    act === 'sign' ? { contractId, bizToken, signature: { type: 'seal' } } : { contractId, bizToken, reason: '双方协商一致' };
  const store = c.store;
  // The signer is a verified user: signing picks their default seal from their account (A5).
  await store.insert('users', { _id: 'o-a', realName: { name: '张三', idNumber: '110105198506150313', phone: '13800138001', birthDate: '1985-06-15', idKind: 'mainland', verifiedAt: NOW, faceCheckId: 'fc-bench-realname' }, createdAt: NOW, updatedAt: NOW });
  // Face checks started with the simulator so the operation's provider call is real (in-process).
  const tokens: string[] = [];
  for (let i = 0; i < 2 * n; i++) {
    const id = `ct_bench${String(i).padStart(10, '0')}`;
    await store.insert('contracts', readyFor(act, id));
    const { bizToken } = await c.face.start({ name: '张三', idNumber: '110105198506150313' });
    await store.insert('face_checks', faceDoc(bizToken, id, act));
    tokens.push(bizToken);
  }
  // Interleaved, so drift on a noisy machine hits all three series alike.
  const opTimes: number[] = [];
  const bareTimes: number[] = [];
  const minTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `ct_bench${String(i).padStart(10, '0')}`;
    let t = now();
    const r = await fn(payload(id, tokens[i]!), { emulatorCaller: { openid: 'o-a' } });
    opTimes.push(now() - t);
    if (!r.ok) throw new Error(`${act} failed: ${JSON.stringify(r.error)}`);

    // The round trips a sign needs, bare: read the contract (and, signing, the signer's account for
    // their seal), read and spend the face check, commit (CAS + event), and the SMS (the local
    // outbox is a store insert).
    const bareId = `ct_bench${String(n + i).padStart(10, '0')}`;
    t = now();
    const c1 = (await store.get<Contract>('contracts', bareId))!;
    if (act === 'sign') await store.get('users', 'o-a');
    const f = (await store.get<FaceCheck>('face_checks', tokens[n + i]!))!;
    await store.compareAndSet('face_checks', { ...f, usedAt: NOW }, f.version!);
    const chained = chainEvents(bareId, c1.eventHead, NOW, [{ type: 'signed', actor: { role: 'initiator', openid: 'o-a' }, data: {} }]);
    await store.commit({ collection: 'contracts', doc: { ...c1, eventHead: chained.head }, expectedVersion: c1.version! }, [{ collection: 'events', docs: chained.docs }]);
    await store.insert('sms_outbox', { _id: `sms-${i}`, phone: '13900139002', template: 'invite_sign', params: [], text: 't', createdAt: NOW });
    bareTimes.push(now() - t);

    // The budget's minimum for any state change: one read + one commit (CAS + event append).
    t = now();
    const c3 = (await store.get<Contract>('contracts', bareId))!;
    const ch2 = chainEvents(bareId, c3.eventHead, NOW, [{ type: 'signed', actor: { role: 'initiator', openid: 'o-a' }, data: {} }]);
    await store.commit({ collection: 'contracts', doc: { ...c3, eventHead: ch2.head }, expectedVersion: c3.version! }, [{ collection: 'events', docs: ch2.docs }]);
    minTimes.push(now() - t);
  }
  await c.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const op = median(opTimes);
  const bare = median(bareTimes);
  const min = median(minTimes);
  return { signMedianMs: op, bareSameRoundTripsMs: bare, bareReadPlusCommitMs: min, ratioVsSameRoundTrips: op / bare, ratioVsReadPlusCommit: op / min };
};

export const benchTimer = async (total: number, due = 200): Promise<{ total: number; due: number; ms: number; expired: number }> => {
  const { c, dir } = fresh(`timer${total}`);
  const store = c.store;
  const states = ['signed', 'awaiting_signatures', 'awaiting_fill', 'settled', 'rejected'] as const;
  for (let i = 0; i < total; i++) {
    const isDue = i % Math.floor(total / due) === 0 && i / Math.floor(total / due) < due;
    const state = isDue ? 'awaiting_signatures' : states[i % states.length]!;
    // Not due: either not awaiting, or its 30 days end in the future.
    const expiresAt = isDue ? '2026-03-01T00:00:00.000Z' : state.startsWith('awaiting') ? '2026-04-01T00:00:00.000Z' : null;
    await store.insert('contracts', contractDoc(`ct_t${String(i).padStart(12, '0')}`, { state, expiresAt, memberOpenids: [`o-${i % 5000}`, `o-x${i % 777}`] }));
  }
  const timer = require('../functions/timer-expire').main;
  const t = now();
  const r = await timer({}, {});
  const ms = now() - t;
  await c.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return { total, due, ms, expired: r.data.expired };
};
