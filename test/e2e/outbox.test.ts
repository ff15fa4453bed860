/**
 * The outbox (SPEC M1, N1, S1) and one commit per operation, over the emulator: messages are rows
 * of the commit that caused them, tried once right after it, then retried by timer-outbox with
 * backoff when the provider's error is retryable; never sent twice; visibly failed after the last
 * attempt — and the call that caused them still answered ok. A sign whose commit loses keeps its
 * face check (V1) for the retry.
 */
import type { Contract } from '../../shared/domain/contract';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';
import { disarm, holdNextCommit, type Match } from '../support/interleave';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const lender = person('o-ob-lender', '赵一', 40);
const borrower = person('o-ob-borrower', '钱二', 30);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('outbox'));
  await client.verify(lender);
  await client.verify(borrower);
});
afterEach(() => disarm(emu.container.store));
afterAll(() => emu.close());

/** A paid IOU whose borrower was filled in by the lender (我来填): the lender signs next. */
const paidIou = async (): Promise<string> => {
  const v = await client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()),
  });
  await client.pay(lender.openid, v.id);
  return v.id;
};

const sign = async (who: Person, contractId: string, bizToken?: string) =>
  client.call('contract-sign', who.openid, { contractId, bizToken: bizToken ?? (await client.face(who, 'sign', contractId)), signature: { type: 'seal' } });

const outbox = async (contractId: string): Promise<any[]> => (await client.raw('GET', `/_emulator/outbox?contractId=${contractId}`)).json.messages;
const invitesTo = async (p: Person): Promise<number> => (await client.sms(p.phone)).filter((m) => m.template === 'invite_sign').length;

describe('M1 delivery through the outbox', () => {
  test('two injected SMS faults: the invitation is retried by timer-outbox and delivered exactly once, after three attempts', async () => {
    const id = await paidIou();
    const before = await invitesTo(borrower);
    expect((await client.raw('POST', '/_emulator/faults', { sms: 2 })).json).toMatchObject({ ok: true, sms: 2 });

    const r = await sign(lender, id);
    expect(r.ok).toBe(true); // a provider failure never fails the call that caused the message
    let [invite] = (await outbox(id)).filter((m) => m.template === 'invite_sign');
    expect(invite).toMatchObject({ kind: 'sms', state: 'retry_wait', attempts: 1, lastError: { code: 'LimitExceeded.DeliveryFrequencyLimit', retryable: true } });
    expect(invite.to).toBe(borrower.phone.replace(/^(\d{3})\d+(\d{4})$/, '$1****$2'));
    expect(await invitesTo(borrower)).toBe(before);

    // Not yet due (60 s backoff): the timer leaves it alone.
    expect((await client.timer('timer-outbox')).data).toEqual({ delivered: 0, retrying: 0, failed: 0, abandoned: 0 });
    await client.advanceMinutes(1);
    expect((await client.timer('timer-outbox')).data).toEqual({ delivered: 0, retrying: 1, failed: 0, abandoned: 0 });
    [invite] = (await outbox(id)).filter((m) => m.template === 'invite_sign');
    expect(invite).toMatchObject({ state: 'retry_wait', attempts: 2 });
    await client.advanceMinutes(2); // the second backoff doubles: 120 s
    expect((await client.timer('timer-outbox')).data).toEqual({ delivered: 1, retrying: 0, failed: 0, abandoned: 0 });
    [invite] = (await outbox(id)).filter((m) => m.template === 'invite_sign');
    expect(invite).toMatchObject({ state: 'sent', attempts: 3 });
    expect(await invitesTo(borrower)).toBe(before + 1);

    // Running the timer again sends nothing twice.
    await client.advanceMinutes(60);
    expect((await client.timer('timer-outbox')).data).toEqual({ delivered: 0, retrying: 0, failed: 0, abandoned: 0 });
    expect(await invitesTo(borrower)).toBe(before + 1);
  });

  test('faults beyond the limit: the message ends failed, visible with the provider\'s code, after five attempts; the sign stays done', async () => {
    const id = await paidIou();
    await client.raw('POST', '/_emulator/faults', { sms: 50 });
    const before = await invitesTo(borrower);
    expect((await sign(lender, id)).ok).toBe(true);
    for (let i = 0; i < 6; i++) {
      await client.advanceMinutes(31);
      await client.timer('timer-outbox');
    }
    await client.raw('POST', '/_emulator/faults', { sms: 0 });
    const [invite] = (await outbox(id)).filter((m) => m.template === 'invite_sign');
    expect(invite).toMatchObject({ state: 'failed', attempts: 5, lastError: { code: 'LimitExceeded.DeliveryFrequencyLimit' } });
    expect(await invitesTo(borrower)).toBe(before);
    const c = await client.ok('contract-get', lender.openid, { contractId: id });
    expect(c.state).toBe('awaiting_signatures');
    expect(c.parties.find((p: { role: string }) => p.role === 'initiator').status).toBe('signed');
  });

  test('a bad faults body is refused and changes nothing', async () => {
    const r = await client.raw('POST', '/_emulator/faults', { sms: -1 });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    expect((await client.raw('POST', '/_emulator/faults', {})).json).toMatchObject({ sms: 0, email: 0 });
  });
});

describe('one commit per operation: the face check is spent with the contract write or not at all', () => {
  test('a sign that loses its compare-and-set on every attempt answers CONFLICT and leaves its face check usable; the retry with the same check signs', async () => {
    const id = await paidIou();
    const store = emu.container.store;
    const bizToken = await client.face(lender, 'sign', id);
    // Hold each of the sign's three commit attempts; while it is held, another writer commits the contract first.
    const isSign: Match = (info) =>
      info.writes.some((w) => w.collection === 'contracts' && w.doc._id === id) && info.writes.some((w) => w.collection === 'face_checks');
    const gates = [holdNextCommit(store, isSign), holdNextCommit(store, isSign), holdNextCommit(store, isSign)];
    const pending = sign(lender, id, bizToken);
    for (const gate of gates) {
      await gate.reached;
      const c = (await store.get<Contract>('contracts', id))!;
      expect(await store.compareAndSet('contracts', { ...c, updatedAt: new Date().toISOString() }, c.version!)).toBe(true);
      gate.release();
    }
    const lost = await pending;
    expect(lost.error?.code).toBe('CONFLICT');
    const check = await store.get<{ _id: string; status?: string; usedAt: string | null }>('face_checks', bizToken);
    expect(check?.usedAt).toBeNull();
    expect(check?.status).not.toBe('used');
    expect((await store.get<Contract>('contracts', id))!.parties[0]!.status).toBe('to_sign');

    const retry = await sign(lender, id, bizToken);
    expect(retry.ok).toBe(true);
    expect((await store.get<{ _id: string; status?: string }>('face_checks', bizToken))?.status).toBe('used');
    // The spent check cannot be used twice.
    const again = await sign(lender, id, bizToken);
    expect(again.error?.code).toBe('INVALID_TRANSITION');
  });
});
