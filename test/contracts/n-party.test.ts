/**
 * SPEC C1, C5, C6, U2: a contract with three signers (an own file, one of them 对方填) in the
 * SQLite store, listed under each signer's openid by 我的合同 (C7), and moved through the
 * transition table by contracts/transition.ts — fill, signatures in order, NOT_YOUR_TURN, reject,
 * revoke, rescind. Each case starts from its own freshly stored contract.
 */
import fs from 'node:fs';
import { createContainer, type Container } from '../../shared/runtime/container';
import { createLogger } from '../../shared/runtime/logger';
import { CONTRACT_SCHEMA_VERSION, type Contract, type Party, type PartyStatus, type SigningOrder } from '../../shared/domain/contract';
import { GENESIS_HASH } from '../../shared/domain/events';
import { initialStatuses, signingPositions } from '../../shared/lifecycle/table';
import { CONTRACTS, loadContract } from '../../shared/contracts/repository';
import { runTransition, type TransitionRequest } from '../../shared/contracts/transition';
import { contractList } from '../../shared/operations/contract-list';
import { AppError } from '../../shared/errors';
import { tempDir } from '../support/emulator';
import { FixedClock } from '../../shared/adapters/local/clock';

const NOW = '2026-03-01T02:00:00.000Z';
let container: Container;
let dir: string;
beforeAll(() => {
  dir = tempDir('n-party');
  container = createContainer({ ESIGN_DATA_DIR: dir, NODE_ENV: 'test' }, { clock: new FixedClock(new Date(NOW)) as never, log: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await container.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const PEOPLE = [
  { name: '甲', idNumber: '110101199001011237', phone: '13800000001' },
  { name: '乙', idNumber: '110101199203074517', phone: '13800000002' },
  { name: '丙', idNumber: '11010119850615061X', phone: '13800000003' },
];

let seq = 0;
/**
 * An own-file draft with `count` signers, stored as contract-create would store it; `toFill` marks
 * the 对方填 signers (bound to their openid by the share link already, details still to enter).
 */
const storeOwnFile = async (count: number, toFill: number[], order: SigningOrder = 'sequential'): Promise<{ id: string; openids: string[] }> => {
  const id = `ct-nparty-${++seq}`;
  const openids = Array.from({ length: count }, (_, i) => `o-${seq}-${i}`);
  const fills = openids.map((_, i) => toFill.includes(i));
  const statuses = initialStatuses('own_file', fills);
  const orders = signingPositions('own_file', count, order);
  const parties: Party[] = openids.map((openid, i) => ({
    side: i === 0 ? 'initiator' : 'signer', role: 'signer', openid,
    details: fills[i] ? null : { ...PEOPLE[i]! }, filledBy: i === 0 ? 'self' : fills[i] ? null : 'initiator',
    status: statuses[i]!, filledAt: i === 0 ? NOW : null, signature: null, order: orders[i]!,
  }));
  const c: Contract = {
    _id: id, contractNo: `ZY${seq}`, kind: 'own_file', flow: 'own_file', title: '合作协议', state: 'draft', schemaVersion: CONTRACT_SCHEMA_VERSION,
    parties, signingOrder: order, memberOpenids: openids, form: {}, ruleFacts: {}, shareToken: `tok-${id}`,
    payment: { status: 'waived', amountFen: 0, orderId: null, paidAt: NOW }, pending: null, reminders: { enabled: false },
    createdAt: NOW, updatedAt: NOW, initiatedAt: null, expiresAt: null, completedAt: null, document: null, eventHead: { seq: 0, hash: GENESIS_HASH },
  };
  await container.store.insert(CONTRACTS, c);
  return { id, openids };
};

const signature = { type: 'seal' as const, ref: null };
const move = (id: string, action: TransitionRequest['action'], by: string | 'system', extra: Partial<TransitionRequest> = {}) =>
  runTransition(container, { contractId: id, action, by: by === 'system' ? 'system' : { openid: by }, ...extra });
const sign = (id: string, openid: string) => move(id, 'sign', openid, { signature, faceCheckId: `fc-${openid}` });
const fill = (id: string, openid: string, person: (typeof PEOPLE)[number]) => move(id, 'fill', openid, { fill: { details: { ...person }, openid } });
const statusesOf = async (id: string): Promise<PartyStatus[]> => (await loadContract(container, id))!.parties.map((p) => p.status);
const refusal = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('C1 C5 U2 three signers, one 对方填, in the listed order', () => {
  test('each signer lists it under 我的合同 (C7) with their own status', async () => {
    const { id, openids } = await storeOwnFile(3, [2]);
    for (const [i, openid] of openids.entries()) {
      const page = (await contractList({}, { caller: { openid }, deps: container, requestId: 'r' })) as { items: Array<{ id: string; myRole: string; myStatus: string }> };
      expect(page.items.filter((row) => row.id === id)).toEqual([expect.objectContaining({ id, myRole: i === 0 ? 'initiator' : 'signer', myStatus: i === 2 ? 'to_fill' : 'waiting' })]);
    }
    const stranger = (await contractList({}, { caller: { openid: 'o-stranger' }, deps: container, requestId: 'r' })) as { items: unknown[] };
    expect(stranger.items).toEqual([]);
  });

  test('fill, then signatures in order; the third before the second is NOT_YOUR_TURN naming the second; the last one brings it into force', async () => {
    const { id, openids } = await storeOwnFile(3, [2]);
    const [a, b, c] = openids as [string, string, string];
    const initiated = await move(id, 'initiate', 'system');
    expect(initiated.contract.state).toBe('awaiting_fill');
    expect(initiated.decision.notify).toEqual([]); // the 对方填 signer has no phone on file yet: the share link reaches them

    // A signer who still has to fill cannot sign; the initiator cannot either while details are missing.
    expect((await refusal(sign(id, a))).code).toBe('INVALID_TRANSITION');
    const filled = await fill(id, c, PEOPLE[2]!);
    expect(filled.contract.state).toBe('awaiting_signatures');
    expect(filled.decision.notify).toEqual([{ party: 0, sms: 'invite_sign' }]);
    expect(await statusesOf(id)).toEqual(['to_sign', 'waiting', 'waiting']);
    expect((await loadContract(container, id))!.parties[2]).toMatchObject({ details: PEOPLE[2], filledBy: 'self', filledAt: NOW });

    const first = await sign(id, a);
    expect(first.decision.notify).toEqual([{ party: 1, sms: 'invite_sign' }]);
    expect(await statusesOf(id)).toEqual(['signed', 'to_sign', 'waiting']);

    const early = await refusal(sign(id, c));
    expect(early.code).toBe('NOT_YOUR_TURN');
    expect(early.details).toMatchObject({ state: 'awaiting_signatures', action: 'sign', turn: [{ index: 1, side: 'signer', role: 'signer', name: '乙' }] });
    expect(await statusesOf(id)).toEqual(['signed', 'to_sign', 'waiting']); // refused: nothing changed

    const second = await sign(id, b);
    expect(second.decision.notify).toEqual([{ party: 2, sms: 'invite_sign' }]);
    expect(await statusesOf(id)).toEqual(['signed', 'signed', 'to_sign']);
    expect((await refusal(sign(id, b))).code).toBe('INVALID_TRANSITION'); // signed already

    const last = await sign(id, c);
    expect(last.contract.state).toBe('signed');
    expect(last.decision.notify).toEqual([{ party: 0, sms: 'contract_signed' }, { party: 1, sms: 'contract_signed' }]);
    const stored = (await loadContract(container, id))!;
    expect(stored.state).toBe('signed');
    expect(stored.parties.map((p) => [p.status, p.signature?.faceCheckId])).toEqual([['signed', `fc-${a}`], ['signed', `fc-${b}`], ['signed', `fc-${c}`]]);
    expect(stored.completedAt).toBe(NOW);
    expect(stored.expiresAt).toBeNull();
    expect(stored.memberOpenids).toEqual(openids);

    // C6: more than two parties cannot be rescinded — a release agreement is needed.
    for (const openid of openids) {
      expect((await refusal(move(id, 'rescind_request', openid, { reason: '协商一致', faceCheckId: 'fc' }))).code).toBe('MULTI_PARTY_RESCIND_UNSUPPORTED');
    }
    expect((await loadContract(container, id))!.state).toBe('signed');
  });

  test('C4 a signer whose turn has not come refuses: it ends for all and every other party is told', async () => {
    const { id, openids } = await storeOwnFile(3, []);
    await move(id, 'initiate', 'system');
    await sign(id, openids[0]!);
    const r = await move(id, 'reject', openids[2]!, { reason: '条款有误' });
    expect(r.contract.state).toBe('rejected');
    expect(r.decision.notify).toEqual([{ party: 0, sms: 'rejected' }, { party: 1, sms: 'rejected' }]);
    const stored = (await loadContract(container, id))!;
    expect(stored.parties.map((p) => p.status)).toEqual(['signed', 'to_sign', 'rejected']);
    expect(stored.parties[2]!.rejectReason).toBe('条款有误');
    expect(stored.expiresAt).toBeNull();
    // Over for everyone: nobody can sign or refuse any more.
    expect((await refusal(sign(id, openids[1]!))).code).toBe('INVALID_TRANSITION');
    expect((await refusal(move(id, 'reject', openids[1]!, { reason: 'x' }))).code).toBe('INVALID_TRANSITION');
  });

  test('C3 the initiator may revoke while no other signer acted; once one filled, revoke is refused', async () => {
    const untouched = await storeOwnFile(3, [2]);
    await move(untouched.id, 'initiate', 'system');
    const revoked = await move(untouched.id, 'revoke', untouched.openids[0]!);
    expect(revoked.contract.state).toBe('revoked');
    expect((await loadContract(container, untouched.id))!.memberOpenids).toEqual([untouched.openids[0]]); // the others no longer see it

    const acted = await storeOwnFile(3, [1, 2]);
    await move(acted.id, 'initiate', 'system');
    const one = await fill(acted.id, acted.openids[1]!, PEOPLE[1]!);
    expect(one.contract.state).toBe('awaiting_fill'); // another signer still has to fill
    expect(await statusesOf(acted.id)).toEqual(['waiting', 'waiting', 'to_fill']);
    expect((await refusal(move(acted.id, 'revoke', acted.openids[0]!))).code).toBe('INVALID_TRANSITION');
    expect((await loadContract(container, acted.id))!.state).toBe('awaiting_fill');
    // Only the initiator revokes.
    expect((await refusal(move(acted.id, 'revoke', acted.openids[2]!))).code).toBe('INVALID_TRANSITION');
  });

  test('C5 order `any`: after the initiator, the others sign in either order', async () => {
    const { id, openids } = await storeOwnFile(3, [], 'any');
    expect((await loadContract(container, id))!.parties.map((p) => p.order)).toEqual([1, 2, 2]);
    const started = await move(id, 'initiate', 'system');
    expect(started.decision.notify).toEqual([{ party: 0, sms: 'invite_sign' }]);
    expect((await refusal(sign(id, openids[2]!))).details).toMatchObject({ turn: [{ index: 0, side: 'initiator', name: '甲' }] });
    const first = await sign(id, openids[0]!);
    expect(first.decision.notify).toEqual([{ party: 1, sms: 'invite_sign' }, { party: 2, sms: 'invite_sign' }]);
    expect(await statusesOf(id)).toEqual(['signed', 'to_sign', 'to_sign']);
    await sign(id, openids[2]!);
    expect(await statusesOf(id)).toEqual(['signed', 'to_sign', 'signed']);
    expect((await sign(id, openids[1]!)).contract.state).toBe('signed');
  });
});

describe('C6 an own file with two signers can be rescinded', () => {
  test('request by the second signer → rescind_pending, the initiator is told; the initiator confirms', async () => {
    const { id, openids } = await storeOwnFile(2, []);
    await move(id, 'initiate', 'system');
    await sign(id, openids[0]!);
    expect((await sign(id, openids[1]!)).contract.state).toBe('signed');
    const asked = await move(id, 'rescind_request', openids[1]!, { reason: '协商一致', faceCheckId: 'fc-r' });
    expect(asked.contract.state).toBe('rescind_pending');
    expect(asked.contract.pending).toMatchObject({ type: 'rescind', by: 1, reason: '协商一致' });
    expect(asked.decision.notify).toEqual([{ party: 0, sms: 'rescind_requested' }]);
    expect((await refusal(move(id, 'rescind_confirm', openids[1]!, { faceCheckId: 'x' }))).code).toBe('INVALID_TRANSITION'); // not the requester's to confirm
    const done = await move(id, 'rescind_confirm', openids[0]!, { faceCheckId: 'fc-c' });
    expect(done.contract.state).toBe('rescinded');
    expect(done.decision.notify).toEqual([{ party: 1, sms: 'rescind_answered' }]);
  });
});
