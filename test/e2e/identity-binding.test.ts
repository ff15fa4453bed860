/**
 * Who may act on a contract is the person it names (V1, C5, C10, A3, P3): the face checked for a
 * signature, an acceptance, a rescission or a settlement must be that person's — not merely the
 * account's current real name — and a handwritten signature is only ever the caller's own.
 */
import { counterpartyOf, initiatorOf, type Contract } from '../../shared/domain/contract';
import type { Emulator } from '../../emulator/server';
import { handwrittenPng } from '../documents/png';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';

let emu: Emulator;
let client: Client;
const alice = person('o-ib-alice', '周一', 40);
const bob = person('o-ib-bob', '吴二', 40);
const carol = person('o-ib-carol', '郑三', 40);
const dave = person('o-ib-dave', '王四', 40);
const erin = person('o-ib-erin', '冯五', 40);

const stored = async (id: string) => (await emu.container.store.get<Contract>('contracts', id))!;
const events = async (id: string) => (await emu.container.store.find<{ _id: string; type: string }>('events', { contractId: id }, { limit: 100 })).map((e) => e.type);
const sign = async (p: Person, id: string) => client.ok('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });

/** An IOU alice lends to `other`, details typed by alice (我来填) with `name`, paid. */
const paidIou = async (other: Person, name = other.name) => {
  const v = await client.ok('contract-create', alice.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name, idNumber: other.idNumber, phone: other.phone }, form: iouForm(client.today()),
  });
  await client.pay(alice.openid, v.id);
  return { id: v.id as string, token: v.shareToken as string };
};

/**
 * The account now carries another person's verified identity. identity-verify no longer allows
 * that (USE_RENAME / ID_NUMBER_FIXED, tested below), so the guards these tests hold — defence in
 * depth against any future path that changes the real name — are reached by writing the user
 * record directly, as such a path would.
 */
const reassign = async (openid: string, as: Person) => {
  const u = (await emu.container.store.get<{ _id: string; realName: Record<string, unknown>; version?: number }>('users', openid))!;
  expect(await emu.container.store.compareAndSet('users', { ...u, realName: { ...u.realName, name: as.name, idNumber: as.idNumber, phone: as.phone } }, u.version ?? 0)).toBe(true);
};

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('identity-binding'));
  for (const p of [alice, bob, carol, dave, erin]) await client.verify(p);
});
afterAll(() => emu.close());

test('A3/C5: an account verified anew as someone else cannot start the face check to sign what its old identity was invited to', async () => {
  const { id, token } = await paidIou(dave);
  await client.ok('share-open', dave.openid, { token });
  await sign(alice, id);
  // Dave's WeChat account is re-verified as carol (her own face, her own ID number).
  await reassign(dave.openid, carol);
  const before = JSON.stringify(await stored(id));
  const r = await client.call('face-start', dave.openid, { purpose: 'sign', contractId: id });
  expect(r.status).toBe(403);
  expect(r.error?.code).toBe('IDENTITY_MISMATCH');
  expect(JSON.stringify(await stored(id))).toBe(before);
  expect(counterpartyOf(await stored(id)).status).toBe('to_sign');
});

test('C5/V1: a face check made of the named person before the account changed hands still signs; one made of someone else never does', async () => {
  const { id, token } = await paidIou(erin);
  await client.ok('share-open', erin.openid, { token });
  await sign(alice, id);
  // A check started while the account was erin's is erin's face: it stays good for erin's signature.
  const erinsCheck = await client.face(erin, 'sign', id);
  await reassign(erin.openid, bob);
  const signed = await client.ok('contract-sign', erin.openid, { contractId: id, bizToken: erinsCheck, signature: { type: 'seal' } });
  expect(signed.state).toBe('signed');
  expect(counterpartyOf(await stored(id)).signature?.faceCheckId).toBe(erinsCheck);
  // Now bob's face on erin's account: rescinding erin's IOU is refused before anything is spent.
  const r = await client.call('face-start', erin.openid, { purpose: 'rescind_request', contractId: id });
  expect(r.error?.code).toBe('IDENTITY_MISMATCH');
  expect((await stored(id)).state).toBe('signed');
});

test('P3/C10: 我来填 with the right ID number but another name is refused at the share link; the place stays free', async () => {
  const { id, token } = await paidIou(bob, '李鬼');
  const r = await client.call('share-open', bob.openid, { token });
  expect(r.status).toBe(403);
  expect(r.error?.code).toBe('IDENTITY_MISMATCH');
  const c = await stored(id);
  expect(counterpartyOf(c).openid).toBeNull();
  expect(c.memberOpenids).toEqual([alice.openid]);
  expect(await events(id)).not.toContain('share_opened');
});

describe('A5: a handwritten signature is the caller\'s own', () => {
  let id: string;
  let bobsRef: string;
  /**
 * The account now carries another person's verified identity. identity-verify no longer allows
 * that (USE_RENAME / ID_NUMBER_FIXED, tested below), so the guards these tests hold — defence in
 * depth against any future path that changes the real name — are reached by writing the user
 * record directly, as such a path would.
 */
const reassign = async (openid: string, as: Person) => {
  const u = (await emu.container.store.get<{ _id: string; realName: Record<string, unknown>; version?: number }>('users', openid))!;
  expect(await emu.container.store.compareAndSet('users', { ...u, realName: { ...u.realName, name: as.name, idNumber: as.idNumber, phone: as.phone } }, u.version ?? 0)).toBe(true);
};

beforeAll(async () => {
    ({ ref: bobsRef } = await client.ok('signature-upload', bob.openid, { pngBase64: handwrittenPng().toString('base64') }));
    const v = await client.ok('contract-create', alice.openid, {
      kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: carol.name, idNumber: carol.idNumber, phone: carol.phone }, form: iouForm(client.today()),
    });
    id = v.id;
    await client.pay(alice.openid, id);
  });

  test.each([
    ['a path into another user\'s folder', () => `../${bob.openid}/${bobsRef}`],
    ['a path out of storage', () => '../../../../../../tmp/x'],
    ['another user\'s ref, as such', () => bobsRef],
  ])('%s is VALIDATION_FAILED, before the face check is spent', async (_, ref) => {
    const bizToken = await client.face(alice, 'sign', id);
    const r = await client.call('contract-sign', alice.openid, { contractId: id, bizToken, signature: { type: 'handwritten', ref: ref() } });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('VALIDATION_FAILED');
    expect(initiatorOf(await stored(id)).status).toBe('to_sign');
    const check = await emu.container.store.get<{ _id: string; usedAt: string | null }>('face_checks', bizToken);
    expect(check?.usedAt).toBeNull();
  });

  test('the caller\'s own uploaded signature signs', async () => {
    const { ref } = await client.ok('signature-upload', alice.openid, { pngBase64: handwrittenPng().toString('base64') });
    const r = await client.ok('contract-sign', alice.openid, { contractId: id, bizToken: await client.face(alice, 'sign', id), signature: { type: 'handwritten', ref } });
    expect(r.state).toBe('awaiting_signatures');
    expect(initiatorOf(await stored(id)).signature).toMatchObject({ type: 'handwritten', ref });
  });
});
