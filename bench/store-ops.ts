/**
 * State-changing operations against bare libsql (issue 17): each operation runs through its
 * function's real `main()` on real-size records (a signed contract's JSON is ~4.1 KB), interleaved
 * with bare libsql making the same round trips on the same documents — `JSON.parse` of the read,
 * `JSON.stringify` of each write, prepared statements, one `BEGIN IMMEDIATE … COMMIT`, tables
 * with the same indexes on plain columns — and nothing else.
 *
 * So that the baseline cannot drift from the operation, the store calls of one run of each
 * operation are recorded and compared with the baseline's declared round trips: a difference
 * stops the benchmark (the operation gained or lost a round trip; update the baseline).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { createContainer, setContainer, type Container } from '../shared/runtime/container';
import { createLogger } from '../shared/runtime/logger';
import { FixedClock } from '../shared/adapters/local/clock';
import { CONTRACT_SCHEMA_VERSION, type Contract } from '../shared/domain/contract';
import { chainEvents, GENESIS_HASH } from '../shared/domain/events';
import { subjectHash, type FaceCheck } from '../shared/identity/face-checks';
import type { Store } from '../shared/ports/store';

export const GOAL = 1.5;
const NOW = '2026-03-02T02:00:00.000Z';
const A = { name: '张三', idNumber: '110105198506150313', phone: '13800138001' };
const B = { name: '李四', idNumber: '110105199311020425', phone: '13900139002' };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;

const cert = (cn: string, serial: string) => ({
  subject: `CN=${cn},serialNumber=${serial.slice(0, 32)},O=个人,C=CN`, issuer: 'CN=电子签约平台个人签名 CA,O=电子签约平台,C=CN',
  serialNumber: serial, validFrom: NOW, validTo: '2026-03-02T03:00:00.000Z', fingerprintSha256: serial.repeat(2).slice(0, 64),
});

/** A signed IOU as the store holds it after two signatures (document, certificates, areas): ~4.1 KB. */
export const signedContract = (id: string): Contract => ({
  _id: id, contractNo: `JT2026030${id.slice(-8)}`, kind: 'iou', flow: 'iou', title: '借条', state: 'signed',
  schemaVersion: CONTRACT_SCHEMA_VERSION,
  parties: [
    { side: 'initiator', role: 'lender', openid: 'o-a', details: A, filledBy: 'self', status: 'signed', filledAt: NOW, signature: { type: 'seal', ref: null, faceCheckId: `fc-${id}-a-0000000000000000`, at: NOW }, order: 1 },
    { side: 'counterparty', role: 'borrower', openid: 'o-b', details: B, filledBy: 'initiator', status: 'signed', filledAt: NOW, signature: { type: 'seal', ref: null, faceCheckId: `fc-${id}-b-0000000000000000`, at: NOW }, order: 2 },
  ],
  memberOpenids: ['o-a', 'o-b'],
  form: {
    amountFen: 1_000_000, purpose: '个人资金周转，用于家庭装修', borrowDate: '2026-03-01', repayDate: '2027-03-01', annualRateBp: 600,
    repaymentPlan: Array.from({ length: 12 }, (_, m) => ({ dueDate: `2026-${String(m + 4).padStart(2, '0').replace('13', '01').replace('14', '02').replace('15', '03')}-01`, principalFen: 83_333 + (m === 11 ? 4 : 0) })),
    repaymentMethod: 'instalments', lateTerms: '逾期未还的，按年利率6%计收逾期利息', disputeResolution: 'court',
  },
  ruleFacts: { lprBp: 300, capBp: 1200 },
  shareToken: `tok-${id}-5f2c8e1a9b7d4c3e`, payment: { status: 'paid', amountFen: 500, orderId: `ord-${id}`, paidAt: NOW }, pending: null, reminders: { enabled: false },
  createdAt: NOW, updatedAt: NOW, initiatedAt: NOW, expiresAt: null, completedAt: NOW,
  document: {
    originalKey: `contracts/${id}/original-3f9a1c2b7d4e5f60.pdf`, originalSha256: 'a'.repeat(64),
    currentKey: `contracts/${id}/rev-2-9c8b7a6f5e4d3c2b.pdf`, currentSha256: 'b'.repeat(64),
    areas: [0, 1].map((party) => ({ party, fieldName: `Signature_${party + 1}`, pageIndex: 2, rect: { x: 62 + party * 250, y: 320.5, width: 220, height: 120 } })),
    signatures: [0, 1].map((party) => ({
      by: party === 0 ? ('initiator' as const) : ('counterparty' as const), party, fieldName: `Signature_${party + 1}`, signedAt: NOW, sha256: String(party).repeat(64),
      certificate: cert(party === 0 ? A.name : B.name, `${party}f3a9c2e7b1d4058a6c3e9f2b7d1a4c8e`),
      ...(party === 1 ? { longTerm: { fieldName: 'DocTimeStamp_1', timestampTime: NOW, certificates: 3, crls: 2 } } : {}),
    })),
    signedKey: `contracts/${id}/rev-2-9c8b7a6f5e4d3c2b.pdf`,
  },
  eventHead: { seq: 6, hash: 'c'.repeat(64) },
} as unknown as Contract);

type Op = 'rescind_request' | 'rescind_refuse' | 'settle_request' | 'contract_fill';
type Main = (e: unknown, ctx: unknown) => Promise<{ ok: boolean; error?: unknown }>;
/** Loaded on first use (literal requires, so a bundler can follow them for profiling). */
const FN: Record<Op, () => { main: Main }> = {
  rescind_request: () => require('../functions/rescind-request'), rescind_refuse: () => require('../functions/rescind-refuse'),
  settle_request: () => require('../functions/settle-request'), contract_fill: () => require('../functions/contract-fill'),
};

/** The contract each operation acts on, and who acts. */
const readyFor = (op: Op, id: string): { contract: Contract; caller: string } => {
  const c = signedContract(id);
  if (op === 'rescind_request' || op === 'settle_request') return { contract: c, caller: 'o-a' };
  if (op === 'rescind_refuse') {
    return { contract: { ...c, state: 'rescind_pending', pending: { type: 'rescind', by: 0, reason: '双方协商一致', at: NOW, faceCheckId: `fc-${id}-req` } } as Contract, caller: 'o-b' };
  }
  // contract-fill: the borrower (对方填) confirms their details; nothing signed yet.
  const { document: _d, ...rest } = c;
  return {
    contract: {
      ...rest, document: null, state: 'awaiting_fill', completedAt: null, expiresAt: '2026-03-31T02:00:00.000Z',
      parties: [
        { ...c.parties[0]!, status: 'waiting', signature: null },
        { ...c.parties[1]!, details: null, filledBy: null, status: 'to_fill', filledAt: null, signature: null },
      ],
    } as Contract,
    caller: 'o-b',
  };
};

const payload = (op: Op, contractId: string, bizToken: string) =>
  op === 'contract_fill' ? { contractId, ...B }
    : op === 'rescind_refuse' ? { contractId, reason: '不同意解除' }
    : { contractId, bizToken, reason: '双方协商一致' };

/** The store round trips each operation makes (checked against a recording of the operation). */
const ROUND_TRIPS: Record<Op, string[]> = {
  rescind_request: ['get contracts', 'get face_checks', 'get subscriptions', 'commit cas:contracts,face_checks append:events,messages', 'compareAndSet messages', 'insert sms_outbox', 'compareAndSet messages'],
  rescind_refuse: ['get contracts', 'get subscriptions', 'commit cas:contracts append:events,messages', 'compareAndSet messages', 'insert sms_outbox', 'compareAndSet messages'],
  settle_request: ['get contracts', 'get face_checks', 'get subscriptions', 'commit cas:contracts,face_checks append:events,messages', 'compareAndSet messages', 'insert sms_outbox', 'compareAndSet messages'],
  contract_fill: ['get contracts', 'get users', 'get subscriptions', 'commit cas:contracts append:events,messages', 'compareAndSet messages', 'insert sms_outbox', 'compareAndSet messages'],
};

/** Wraps the store's methods to record the calls (only during the one recorded run). */
const record = async (store: Store, run: () => Promise<unknown>): Promise<string[]> => {
  const calls: string[] = [];
  const s = store as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = new Map<string, (...a: unknown[]) => unknown>();
  for (const m of ['get', 'insert', 'compareAndSet', 'commit', 'find', 'count', 'remove']) {
    const orig = s[m]!;
    saved.set(m, orig);
    s[m] = (...a: unknown[]) => {
      if (m === 'commit') {
        const writes = (Array.isArray(a[0]) ? a[0] : [a[0]]) as Array<{ collection: string; expectedVersion: number }>;
        const appends = (a[1] ?? []) as Array<{ collection: string }>;
        calls.push(`commit cas:${writes.map((w) => w.collection).join(',')} append:${appends.map((x) => x.collection).join(',')}`);
      } else calls.push(`${m} ${String(a[0])}`);
      return orig.apply(store, a);
    };
  }
  try {
    await run();
  } finally {
    for (const [m, f] of saved) s[m] = f;
  }
  return calls;
};

/**
 * Bare libsql: the tables a hand-written app would use (JSON document + the indexed fields as
 * plain columns with the same indexes), statements prepared once.
 */
class Bare {
  readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement> = {};
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE contracts (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, state, expiresAt, shareToken);
      CREATE INDEX c_state_expires ON contracts (state, expiresAt, _id);
      CREATE UNIQUE INDEX c_share ON contracts (shareToken);
      CREATE TABLE contracts_members (value NOT NULL, _id TEXT NOT NULL, PRIMARY KEY (value, _id)) WITHOUT ROWID;
      CREATE TABLE face_checks (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, openid, createdAt);
      CREATE INDEX f_openid ON face_checks (openid, createdAt DESC, _id);
      CREATE TABLE users (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, phone);
      CREATE INDEX u_phone ON users (phone, _id);
      CREATE TABLE events (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, contractId, seq);
      CREATE UNIQUE INDEX e_seq ON events (contractId, seq);
      CREATE TABLE messages (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, status, nextAttemptAt, contractId, createdAt);
      CREATE INDEX m_next ON messages (status, nextAttemptAt, _id);
      CREATE INDEX m_contract ON messages (contractId, createdAt, _id);
      CREATE TABLE subscriptions (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE sms_outbox (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, createdAt);
      CREATE INDEX s_created ON sms_outbox (createdAt, _id);
    `);
    const p = (k: string, sql: string) => (this.st[k] = this.db.prepare(sql));
    for (const t of ['contracts', 'face_checks', 'users', 'subscriptions']) p(`get ${t}`, `SELECT version, doc FROM ${t} WHERE _id = ?`).raw(true);
    p('insert contracts', 'INSERT INTO contracts (_id, version, doc, state, expiresAt, shareToken) VALUES (?, 1, ?, ?, ?, ?)');
    p('member', 'INSERT INTO contracts_members (value, _id) VALUES (?, ?)');
    p('cas contracts', 'UPDATE contracts SET version = version + 1, doc = ?, state = ?, expiresAt = ?, shareToken = ? WHERE _id = ? AND version = ?');
    p('insert face_checks', 'INSERT INTO face_checks (_id, version, doc, openid, createdAt) VALUES (?, 1, ?, ?, ?)');
    p('cas face_checks', 'UPDATE face_checks SET version = version + 1, doc = ?, openid = ?, createdAt = ? WHERE _id = ? AND version = ?');
    p('insert users', 'INSERT INTO users (_id, version, doc, phone) VALUES (?, 1, ?, ?)');
    p('insert events', 'INSERT INTO events (_id, version, doc, contractId, seq) VALUES (?, 1, ?, ?, ?)');
    p('insert messages', 'INSERT INTO messages (_id, version, doc, status, nextAttemptAt, contractId, createdAt) VALUES (?, 1, ?, ?, ?, ?, ?)');
    p('cas messages', 'UPDATE messages SET version = version + 1, doc = ?, status = ?, nextAttemptAt = ?, contractId = ?, createdAt = ? WHERE _id = ? AND version = ?');
    p('insert sms_outbox', 'INSERT INTO sms_outbox (_id, version, doc, createdAt) VALUES (?, 1, ?, ?)');
    p('begin', 'BEGIN IMMEDIATE');
    p('commit', 'COMMIT');
  }
  get<T>(t: string, id: string): (T & { version: number }) | null {
    const row = this.st[`get ${t}`]!.get([id]) as [number, string] | undefined;
    if (!row) return null;
    const doc = JSON.parse(row[1]) as T & { version: number };
    doc.version = row[0];
    return doc;
  }
  insertContract(c: Contract) {
    this.st['insert contracts']!.run([c._id, JSON.stringify(c), c.state, c.expiresAt, c.shareToken]);
    for (const m of c.memberOpenids) this.st.member!.run([m, c._id]);
  }
  insertFace(f: FaceCheck) {
    this.st['insert face_checks']!.run([f._id, JSON.stringify(f), f.openid, f.createdAt]);
  }
  insertUser(u: { _id: string; realName: { phone: string } }) {
    this.st['insert users']!.run([u._id, JSON.stringify(u), u.realName.phone]);
  }
  /** One transaction: the CAS writes, then the appended events and messages. */
  commit(c: Contract & { version: number }, face: (FaceCheck & { version: number }) | null, events: Array<{ _id: string; contractId: string; seq: number }>, messages: Array<Record<string, unknown> & { _id: string }>): void {
    const { version, ...cdoc } = c;
    const cjson = JSON.stringify(cdoc);
    const fjson = face ? JSON.stringify({ ...face, version: undefined }) : null;
    this.st.begin!.run([]);
    if (this.st['cas contracts']!.run([cjson, c.state, c.expiresAt, c.shareToken, c._id, version]).changes !== 1) throw new Error('bare CAS lost');
    if (face && this.st['cas face_checks']!.run([fjson, face.openid, face.createdAt, face._id, face.version]).changes !== 1) throw new Error('bare CAS lost');
    for (const e of events) this.st['insert events']!.run([e._id, JSON.stringify(e), e.contractId, e.seq]);
    for (const m of messages) this.st['insert messages']!.run([m._id, JSON.stringify(m), m.status as string, m.nextAttemptAt as string, m.contractId as string, m.createdAt as string]);
    this.st.commit!.run([]);
  }
  /** The outbox's delivery: claim the row (CAS), the local SMS provider's insert, mark it sent (CAS). */
  deliver(m: Record<string, unknown> & { _id: string }): void {
    const cas = (doc: Record<string, unknown>, v: number) => {
      if (this.st['cas messages']!.run([JSON.stringify(doc), doc.status as string, doc.nextAttemptAt as string, doc.contractId as string, doc.createdAt as string, m._id, v]).changes !== 1) throw new Error('bare CAS lost');
    };
    cas({ ...m, status: 'sending', attempts: 1 }, 1);
    const sms = m.sms as { phone: string; template: string; params: string[] };
    this.st['insert sms_outbox']!.run([`sms-${m._id}`, JSON.stringify({ _id: `sms-${m._id}`, phone: sms.phone, template: sms.template, params: sms.params, text: '【电子签】张三申请解除《借条》，理由：双方协商一致。', createdAt: NOW }), NOW]);
    cas({ ...m, status: 'sent', attempts: 1, sentAt: NOW }, 2);
  }
}

const faceDoc = (token: string, contractId: string, openid: string, purpose: string, who: typeof A): FaceCheck => ({
  _id: token, openid, purpose, contractId, subject: subjectHash(who.name, who.idNumber), createdAt: NOW, expiresAt: '2026-03-02T04:00:00.000Z', usedAt: null, result: null,
} as FaceCheck);

const userDoc = (openid: string, who: typeof A) => ({
  _id: openid, realName: { ...who, birthDate: who === A ? '1985-06-15' : '1993-11-02', idKind: 'mainland', verifiedAt: NOW }, createdAt: NOW, updatedAt: NOW,
});

/** A message row as the outbox stores it (an SMS to the other party). */
const messageRow = (id: string, contractId: string) => ({
  _id: id, kind: 'sms', status: 'pending', attempts: 0, nextAttemptAt: NOW, contractId, createdAt: NOW,
  sms: { phone: B.phone, template: 'rescind_requested', params: ['张三', '借条', '双方协商一致'] }, lastError: null,
});

export interface OpFigures { op: Op; n: number; opMs: number; bareMs: number; ratio: number; recordBytes: number; roundTrips: string[] }

export const benchOp = async (op: Op, n = 500): Promise<OpFigures> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `esign-bench-ops-${op}-`));
  const c: Container = createContainer({ ESIGN_DATA_DIR: dir }, { clock: new FixedClock(new Date(NOW)) as never, log: createLogger({ level: 'silent' }) });
  setContainer(c);
  const bare = new Bare(path.join(dir, 'bare.sqlite'));
  const fn = FN[op]().main;
  const store = c.store;
  const purpose = op === 'contract_fill' || op === 'rescind_refuse' ? null : op;
  const tokens: string[] = [];
  let caller = 'o-a';
  for (const u of [userDoc('o-a', A), userDoc('o-b', B)]) {
    await store.insert('users', u);
    bare.insertUser(u);
  }
  for (let i = 0; i <= n; i++) {
    const id = `ct_ops${String(i).padStart(10, '0')}`;
    const r = readyFor(op, id);
    caller = r.caller;
    await store.insert('contracts', r.contract);
    bare.insertContract(r.contract);
    if (purpose) {
      const who = caller === 'o-a' ? A : B;
      const { bizToken } = await c.face.start({ name: who.name, idNumber: who.idNumber });
      await store.insert('face_checks', faceDoc(bizToken, id, caller, purpose, who));
      bare.insertFace(faceDoc(bizToken, id, caller, purpose, who));
      tokens.push(bizToken);
    } else tokens.push('');
  }
  const recordBytes = JSON.stringify(readyFor(op, 'ct_ops0000000000').contract).length;
  const ctx = { emulatorCaller: { openid: caller } };
  // The recorded run (contract n) proves the baseline makes the operation's round trips.
  const id0 = `ct_ops${String(n).padStart(10, '0')}`;
  const roundTrips = await record(store, async () => {
    const r = await fn(payload(op, id0, tokens[n]!), ctx);
    if (!r.ok) throw new Error(`${op} failed: ${JSON.stringify(r.error)}`);
  });
  if (process.env.BENCH_SHOW_ROUND_TRIPS) console.log(op, JSON.stringify(roundTrips));
  if (JSON.stringify(roundTrips) !== JSON.stringify(ROUND_TRIPS[op])) {
    throw new Error(`${op}: the operation's round trips changed, update the baseline:\n  recorded ${JSON.stringify(roundTrips)}\n  baseline ${JSON.stringify(ROUND_TRIPS[op])}`);
  }
  const opTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `ct_ops${String(i).padStart(10, '0')}`;
    let t = now();
    const r = await fn(payload(op, id, tokens[i]!), ctx);
    opTimes.push(now() - t);
    if (!r.ok) throw new Error(`${op} failed: ${JSON.stringify(r.error)}`);

    t = now();
    const contract = bare.get<Contract>('contracts', id)!;
    const check = purpose ? bare.get<FaceCheck>('face_checks', tokens[i]!) : null;
    if (op === 'contract_fill') bare.get('users', caller);
    bare.get('subscriptions', contract.parties[caller === 'o-a' ? 1 : 0]!.openid!);
    const chained = chainEvents(id, contract.eventHead, NOW, [{ type: 'rescind_requested', actor: { role: 'initiator', openid: caller }, data: {} }]);
    const face = check ? { ...check, usedAt: NOW } : null;
    const msg = messageRow(`msg-${id}`, id);
    bare.commit({ ...contract, state: 'rescind_pending', eventHead: chained.head, updatedAt: NOW }, face, chained.docs as never, [msg]);
    bare.deliver(msg);
    bareTimes.push(now() - t);
  }
  bare.db.close();
  await c.close();
  setContainer(null);
  fs.rmSync(dir, { recursive: true, force: true });
  const opMs = median(opTimes);
  const bareMs = median(bareTimes);
  return { op, n, opMs, bareMs, ratio: opMs / bareMs, recordBytes, roundTrips };
};

export const OPS: Op[] = (process.env.BENCH_OPS?.split(',') as Op[] | undefined) ?? ['rescind_request', 'rescind_refuse', 'settle_request', 'contract_fill'];

export const printOps = async (n = 500): Promise<boolean> => {
  let pass = true;
  for (const op of OPS) {
    const r = await benchOp(op, n);
    const ok = r.ratio <= GOAL;
    pass &&= ok;
    console.log(`${op.replace('_', '-').padEnd(16)} main() ${r.opMs.toFixed(3)} ms  bare libsql ${r.bareMs.toFixed(3)} ms  → ${r.ratio.toFixed(2)}× (goal ≤ ${GOAL}×) ${ok ? 'PASS' : 'FAIL'}   [${r.recordBytes} B record; ${r.roundTrips.join(' | ')}]`);
  }
  return pass;
};

if (require.main === module) {
  printOps(Number(process.argv[2] ?? 500)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
