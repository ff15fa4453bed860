/**
 * DESIGN "Data and concurrency", SPEC C1/C3/C4: two parties acting on one contract at the same
 * moment — exactly one wins, the other gets CONFLICT or INVALID_TRANSITION, and the event chain has
 * no gap. Run twice: requests racing inside one emulator, and racing across two emulator
 * processes sharing the same SQLite file (true parallelism).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { verifyChain, type ContractEvent } from '../../shared/domain/events';
import type { Contract } from '../../shared/domain/contract';
import { disarm, holdNextCommit, type Match } from '../support/interleave';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
let dir: string;
const a = person('o-ca', '孙一', 40);
const b = person('o-cb', '李二', 40);

beforeAll(async () => {
  ({ emu, client, dir } = await startTestEmulator('concurrency'));
  await client.verify(a);
  await client.verify(b);
});
afterAll(() => emu.close());

/** A contract where the initiator has signed and the other party is to sign: revoke and reject both apply. */
const readyContract = async (): Promise<string> => {
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  await client.ok('contract-sign', a.openid, { contractId: v.id, bizToken: await client.face(a, 'sign', v.id), signature: { type: 'seal' } });
  return v.id;
};

const checkOutcome = async (id: string, results: Array<{ ok: boolean; error?: { code: string } }>) => {
  const winners = results.filter((r) => r.ok);
  const losers = results.filter((r) => !r.ok);
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(1);
  expect(['CONFLICT', 'INVALID_TRANSITION']).toContain(losers[0]!.error!.code);
  const c = (await emu.container.store.get<Contract>('contracts', id))!;
  expect(['revoked', 'rejected']).toContain(c.state);
  const evs = await emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
  expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i + 1));
  expect(evs.filter((e) => e.type === 'revoked' || e.type === 'rejected')).toHaveLength(1);
  expect(verifyChain(evs, c.eventHead)).toEqual({ ok: true });
  return c.state;
};

// Each outcome of the race is produced on purpose: the one held at its commit (after it read and
// decided) loses to the other, which commits first; the loser re-reads and the table refuses it.
describe('within one emulator: revoke and reject at once (C3, C4)', () => {
  afterEach(() => disarm(emu.container.store));
  const movesTo = (id: string, state: string): Match => (info) => info.writes.some((w) => w.collection === 'contracts' && w.doc._id === id && (w.doc as unknown as Contract).state === state);

  test('reject commits while revoke waits at its commit: rejected, and the revoke is refused', async () => {
    const id = await readyContract();
    const gate = holdNextCommit(emu.container.store, movesTo(id, 'revoked'));
    const revoke = client.call('contract-revoke', a.openid, { contractId: id });
    await gate.reached;
    const reject = await client.call('contract-reject', b.openid, { contractId: id, reason: '金额有误' });
    gate.release();
    expect(await checkOutcome(id, [await revoke, reject])).toBe('rejected');
    expect(reject.ok).toBe(true);
  });

  test('revoke commits while reject waits at its commit: revoked, and the reject is refused', async () => {
    const id = await readyContract();
    const gate = holdNextCommit(emu.container.store, movesTo(id, 'rejected'));
    const reject = client.call('contract-reject', b.openid, { contractId: id, reason: '金额有误' });
    await gate.reached;
    const revoke = await client.call('contract-revoke', a.openid, { contractId: id });
    gate.release();
    expect(await checkOutcome(id, [revoke, await reject])).toBe('revoked');
    expect(revoke.ok).toBe(true);
  });
});

test('two parties answering at once: rescind request vs settle request on a signed IOU', async () => {
  const id = await readyContract();
  await client.ok('contract-sign', b.openid, { contractId: id, bizToken: await client.face(b, 'sign', id), signature: { type: 'seal' } });
  const [t1, t2] = [await client.face(a, 'rescind_request', id), await client.face(b, 'settle_request', id)];
  const results = await Promise.all([
    client.call('rescind-request', a.openid, { contractId: id, reason: '协商一致', bizToken: t1 }),
    client.call('settle-request', b.openid, { contractId: id, reason: '已还清', bizToken: t2 }),
  ]);
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(['CONFLICT', 'INVALID_TRANSITION']).toContain(results.find((r) => !r.ok)!.error!.code);
  const c = (await emu.container.store.get<Contract>('contracts', id))!;
  expect(['rescind_pending', 'settle_pending']).toContain(c.state);
  const evs = await emu.container.store.find<ContractEvent>('events', { contractId: id });
  expect(verifyChain(evs, c.eventHead)).toEqual({ ok: true });
});

describe('across two processes on the same data file', () => {
  let child: ChildProcess;
  let other: Client;
  beforeAll(async () => {
    child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../../emulator/main.ts')], {
      env: { ...process.env, PORT: '0', ESIGN_DATA_DIR: dir, ESIGN_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`second emulator exited ${code}`)));
      setTimeout(() => reject(new Error('second emulator did not start')), 20_000).unref();
    });
    other = new Client({ url } as Emulator);
  }, 30_000);
  afterAll(() => {
    child.kill('SIGTERM');
  });

  test('F2 one payment notification delivered 10 times at once, half to each process: one initiation, one payment event', async () => {
    const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
    const { orderId } = await client.ok('contract-pay', a.openid, { contractId: v.id });
    // Both processes verify with the keys kept in the shared data dir.
    const sim = emu.container.local!.payments.simulator;
    const n = sim.buildNotification({ outTradeNo: orderId });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => sim.deliver(n, `${i % 2 ? other.emu.url : emu.url}/webhooks/payment`)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(204));
    const c = (await emu.container.store.get<Contract>('contracts', v.id))!;
    expect(c).toMatchObject({ state: 'awaiting_signatures', payment: { status: 'paid', orderId } });
    const evs = await emu.container.store.find<ContractEvent>('events', { contractId: v.id }, { orderBy: [['seq', 'asc']] });
    expect(evs.map((e) => e.type)).toEqual(['created', 'payment_confirmed', 'initiated']);
    expect(verifyChain(evs, c.eventHead)).toEqual({ ok: true });
  });

  test('revoke on one process, reject on the other, on 12 contracts', async () => {
    for (let i = 0; i < 12; i++) {
      const id = await readyContract();
      const results = await Promise.all([
        client.call('contract-revoke', a.openid, { contractId: id }),
        other.call('contract-reject', b.openid, { contractId: id, reason: '不同意' }),
      ]);
      await checkOutcome(id, results);
    }
  });
});

test('a new user verified twice at once: the request whose insert loses answers CONFLICT, not INTERNAL, and one profile stays', async () => {
  const p = person('o-twice', '周双', 35);
  await client.verify(p);
  const stored = await emu.container.store.get('users', p.openid);
  // The second request read "no such user" just before the first one inserted it: replay that
  // interleaving exactly, by hiding the user from this request's read.
  const store = emu.container.store;
  const realGet = store.get.bind(store);
  const spy = jest.spyOn(store, 'get').mockImplementation(async (collection: string, id: string) =>
    (collection === 'users' && id === p.openid ? null : realGet(collection, id)) as never);
  try {
    const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'realname', name: p.name, idNumber: p.idNumber });
    await client.raw('POST', `/_emulator/face/${bizToken}`, { pass: true });
    const r = await client.call('identity-verify', p.openid, { name: p.name, idNumber: p.idNumber, phone: p.phone, bizToken });
    expect([r.status, r.error?.code]).toEqual([409, 'CONFLICT']);
  } finally {
    spy.mockRestore();
  }
  expect(await emu.container.store.get('users', p.openid)).toEqual(stored);
});

export type { Person };
