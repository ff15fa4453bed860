/**
 * A5 seals and handwritten signatures and A3 个人更名 through the emulator: seals are made from the
 * verified name and listed with their status; signing takes only a valid one of the signer; a rename
 * (after its notice, the list of what it ends, and a face check under the new name) leaves the old
 * seals invalid and the unfinished contracts ended — their other party told by SMS, signing them
 * afterwards refused with CONTRACT_ENDED_BY_RENAME — while a signed contract still verifies and new
 * certificates carry the new name.
 */
import type { Emulator } from '../../emulator/server';
import type { Contract } from '../../shared/domain/contract';
import type { ContractEvent } from '../../shared/domain/events';
import { RENAME_AGREEMENT } from '../../shared/identity/account-notices';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';
import { handwrittenPng } from '../documents/png';

let emu: Emulator;
let client: Client;
const ann = person('o-rn-ann', '吴一', 35);
const ben = person('o-rn-ben', '郑二', 35);
const cat = person('o-rn-cat', '冯三', 35);
const stranger = person('o-rn-stranger', '陈四', 35);
const dee = person('o-rn-dee', '褚五', 35);

const stored = (id: string) => emu.container.store.get<Contract>('contracts', id);
const accountFace = async (p: Person): Promise<string> => {
  const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'account' });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass: true });
  return bizToken;
};
const renameFace = async (p: Person, name: string, pass = true): Promise<string> => {
  const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'rename', name });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass });
  return bizToken;
};
const unusedCheck = async (token: string) => (await emu.container.store.get<{ _id: string; usedAt: string | null }>('face_checks', token))!.usedAt === null;

/** An IOU from `a` (lender) to `b`, paid and bound: `a` is to sign. */
const boundIou = async (a: Person, b: Person): Promise<string> => {
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  return v.id;
};
const sign = (p: Person, id: string, signature: Record<string, unknown> = { type: 'seal' }) =>
  client.face(p, 'sign', id).then((bizToken) => client.call('contract-sign', p.openid, { contractId: id, bizToken, signature }));

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('account-rename'));
  for (const p of [ann, ben, cat, dee]) await client.verify(p);
}, 60_000);
afterAll(() => emu.close());

describe('A5 seals and handwritten signatures', () => {
  test('seal-create draws the verified name in a chosen style; the first is the default; seal-list shows status and styles', async () => {
    const round = await client.ok('seal-create', ann.openid, { style: 'round' });
    expect(round).toMatchObject({ kind: 'seal', style: 'round', name: ann.name, status: 'valid', isDefault: true, ref: expect.stringMatching(/^seal_/) });
    const square = await client.ok('seal-create', ann.openid, { style: 'square' });
    expect(square.isDefault).toBe(false);
    const { ref: hw } = await client.ok('signature-upload', ann.openid, { pngBase64: handwrittenPng().toString('base64') });
    const list = await client.ok('seal-list', ann.openid, {});
    expect(list.items.map((i: any) => [i.kind, i.style, i.status, i.isDefault])).toEqual([
      ['seal', 'round', 'valid', true], ['seal', 'square', 'valid', false], ['handwritten', null, 'valid', false],
    ]);
    expect(list.defaultRef).toBe(round.ref);
    expect(list.styles.map((s: any) => s.label)).toEqual(['方章', '圆章', '椭圆章', '长方章']);
    expect((await client.ok('seal-set-default', ann.openid, { ref: hw })).isDefault).toBe(true);
    expect((await client.ok('seal-list', ann.openid, {})).defaultRef).toBe(hw);
    await client.ok('seal-set-default', ann.openid, { ref: round.ref });
  });

  test('refusals: no caller, an unverified caller, bad input, another user\'s seal (NOT_FOUND) — nothing changes', async () => {
    const mine = (await client.ok('seal-list', ann.openid, {})).items[0].ref;
    const before = JSON.stringify(await client.ok('seal-list', ann.openid, {}));
    const valid: Record<string, unknown> = {
      'seal-create': { style: 'round' }, 'seal-list': {}, 'seal-set-default': { ref: mine }, 'seal-delete': { ref: mine }, 'rename-preview': {},
      rename: { name: '吴新一', agreementVersion: RENAME_AGREEMENT.version, agreed: true, bizToken: 'bt_000000000' },
    };
    for (const [fn, body] of Object.entries(valid)) expect((await client.call(fn, null, body)).error?.code).toBe('UNAUTHENTICATED');
    expect((await client.call('seal-delete', stranger.openid, { ref: mine })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('seal-create', stranger.openid, { style: 'round' })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('seal-list', stranger.openid, {})).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('seal-create', ann.openid, { style: 'star' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('seal-set-default', ann.openid, { ref: '../x' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('seal-set-default', ben.openid, { ref: mine })).error?.code).toBe('NOT_FOUND');
    expect((await client.call('seal-delete', ben.openid, { ref: mine })).error?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(await client.ok('seal-list', ann.openid, {}))).toBe(before);
  });

  test('deleting the default clears it; at most 20 seals and signatures (seal-create and signature-upload refuse the 21st); another user\'s default is untouched', async () => {
    const first = await client.ok('seal-create', dee.openid, { style: 'square' });
    expect(first.isDefault).toBe(true);
    await client.ok('seal-delete', dee.openid, { ref: first.ref });
    expect((await client.ok('seal-list', dee.openid, {})).defaultRef).toBeNull();
    expect((await emu.container.store.get<any>('users', dee.openid)).defaultSeal).toBeNull();
    // With no default, the next seal made becomes it; setDefault moves it.
    const second = await client.ok('seal-create', dee.openid, { style: 'round' });
    expect(second.isDefault).toBe(true);
    const third = await client.ok('seal-create', dee.openid, { style: 'oval', setDefault: true });
    expect(third.isDefault).toBe(true);
    expect((await client.ok('seal-list', dee.openid, {})).defaultRef).toBe(third.ref);
    for (let i = 2; i < 20; i++) await client.ok('seal-create', dee.openid, { style: 'square' });
    expect((await client.ok('seal-list', dee.openid, {})).items).toHaveLength(20);
    const over = await client.call('seal-create', dee.openid, { style: 'square' });
    expect(over.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'too_many', max: 20 } });
    const overHw = await client.call('signature-upload', dee.openid, { pngBase64: handwrittenPng().toString('base64') });
    expect(overHw.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'too_many' } });
    expect((await client.ok('seal-list', dee.openid, {})).items).toHaveLength(20);
    expect((await client.call('seal-set-default', stranger.openid, { ref: third.ref })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
  });

  test('M2 seals and signatures made are counted per user and day (rateLimits.seal), so a create-and-delete loop cannot store without end', async () => {
    const eli = person('o-rn-eli', '卫六', 35);
    await client.verify(eli);
    const { count } = (emu.container.config.rateLimits as any).seal[0];
    for (let i = 0; i < count; i++) {
      const made = i % 2 ? await client.ok('signature-upload', eli.openid, { pngBase64: handwrittenPng().toString('base64') }) : await client.ok('seal-create', eli.openid, { style: 'round' });
      await client.ok('seal-delete', eli.openid, { ref: made.ref });
    }
    const before = await emu.container.store.find('seals', { openid: eli.openid }, { limit: 100 });
    expect((await client.call('seal-create', eli.openid, { style: 'round' })).error?.code).toBe('RATE_LIMITED');
    expect((await client.call('signature-upload', eli.openid, { pngBase64: handwrittenPng().toString('base64') })).error?.code).toBe('RATE_LIMITED');
    expect(await emu.container.store.find('seals', { openid: eli.openid }, { limit: 100 })).toEqual(before);
  });

  test('a corrupt PNG is IMAGE_UNREADABLE at upload, never at signing', async () => {
    const png = Buffer.from(handwrittenPng());
    png[png.length - 20] = png[png.length - 20]! ^ 0xff; // inside the image data: the header still reads as a PNG
    const r = await client.call('signature-upload', ben.openid, { pngBase64: png.toString('base64') });
    expect(r.error?.code).toBe('IMAGE_UNREADABLE');
    expect((await client.ok('seal-list', ben.openid, {})).items).toEqual([]);
  });

  test('signing takes only the signer\'s own valid mark: another user\'s seal is refused before the face check is spent; a deleted one too', async () => {
    const id = await boundIou(ben, cat);
    const annsSeal = (await client.ok('seal-list', ann.openid, {})).items[0].ref;
    const token = await client.face(ben, 'sign', id);
    const r = await client.call('contract-sign', ben.openid, { contractId: id, bizToken: token, signature: { type: 'seal', ref: annsSeal } });
    expect(r.error?.code).toBe('VALIDATION_FAILED');
    expect(await unusedCheck(token)).toBe(true);
    const mine = await client.ok('seal-create', ben.openid, { style: 'oval' });
    const extra = await client.ok('seal-create', ben.openid, { style: 'rectangle' });
    expect(await client.ok('seal-delete', ben.openid, { ref: extra.ref })).toEqual({ ref: extra.ref, deleted: true });
    expect((await client.call('contract-sign', ben.openid, { contractId: id, bizToken: token, signature: { type: 'seal', ref: extra.ref } })).error?.code).toBe('VALIDATION_FAILED');
    expect(await unusedCheck(token)).toBe(true);
    // No ref: the default seal (the oval, the first made).
    const ok = await client.call('contract-sign', ben.openid, { contractId: id, bizToken: token, signature: { type: 'seal' } });
    expect(ok.ok).toBe(true);
    expect((await stored(id))!.parties[0]!.signature).toMatchObject({ type: 'seal', ref: mine.ref, style: 'oval' });
  });
});

describe('A3 rename', () => {
  const newName = '吴新一';
  let unfinished: string; // ann is to sign
  let waiting: string; // ann signed, cat is to sign
  let signed: string;
  let draft: string;
  let invited: string; // ben invites ann by name and ID number (我来填); ann has not taken the place

  beforeAll(async () => {
    signed = await boundIou(ann, cat);
    expect((await sign(ann, signed)).ok).toBe(true);
    expect((await sign(cat, signed)).ok).toBe(true);
    unfinished = await boundIou(ann, ben);
    waiting = await boundIou(ann, cat);
    expect((await sign(ann, waiting)).ok).toBe(true);
    const inv = await client.ok('contract-create', ben.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: ann.name, idNumber: ann.idNumber, phone: ann.phone }, form: iouForm(client.today()) });
    await client.pay(ben.openid, inv.id);
    invited = inv.id;
    draft = (await client.ok('contract-create', ann.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) })).id;
  }, 120_000);

  test('rename-preview: the agreement to read and exactly the unfinished contracts it will end', async () => {
    const p = await client.ok('rename-preview', ann.openid, {});
    expect(p.agreement).toEqual(RENAME_AGREEMENT);
    expect(p.currentName).toBe(ann.name);
    expect(p.contracts.map((c: any) => c.id).sort()).toEqual([unfinished, waiting, draft, invited].sort());
    expect((await client.call('rename-preview', stranger.openid, {})).error?.code).toBe('IDENTITY_NOT_VERIFIED');
  });

  test('refusals change nothing and end nothing: no agreement, an old agreement, the same name, a face check of the old name, a failed face', async () => {
    const before = JSON.stringify(await emu.container.store.get('users', ann.openid));
    const ok = { name: newName, agreementVersion: RENAME_AGREEMENT.version, agreed: true };
    expect((await client.call('rename', ann.openid, { ...ok, agreed: false, bizToken: await renameFace(ann, newName) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('rename', ann.openid, { ...ok, agreementVersion: '2020-01', bizToken: await renameFace(ann, newName) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('face-start', ann.openid, { purpose: 'rename', name: ann.name })).error?.code).toBe('NAME_UNCHANGED');
    expect((await client.call('face-start', ann.openid, { purpose: 'rename' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('face-start', ann.openid, { purpose: 'rename', name: newName, idNumber: cat.idNumber })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('face-start', stranger.openid, { purpose: 'rename', name: newName })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('rename', ann.openid, { ...ok, name: '吴1', bizToken: await renameFace(ann, newName) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('rename', ann.openid, { ...ok, name: ann.name, bizToken: await renameFace(ann, newName) })).error?.code).toBe('NAME_UNCHANGED');
    expect((await client.call('rename', ann.openid, { ...ok, bizToken: await accountFace(ann) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.call('rename', ann.openid, { ...ok, bizToken: await renameFace(ann, '吴另一') })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.call('rename', ann.openid, { ...ok, bizToken: await renameFace(ann, newName, false) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.call('rename', stranger.openid, { ...ok, bizToken: 'bt_000000000' })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(JSON.stringify(await emu.container.store.get('users', ann.openid))).toBe(before);
    for (const id of [unfinished, waiting, invited]) expect((await stored(id))!.state).toBe('awaiting_signatures');
    expect((await stored(draft))!.state).toBe('draft');
  });

  test('a rename leaves the old seals invalid and the unfinished contracts unsignable, while the signed one still verifies', async () => {
    const smsBefore = (await client.sms(ben.phone)).length;
    const token = await renameFace(ann, newName);
    const r = await client.ok('rename', ann.openid, { name: newName, agreementVersion: RENAME_AGREEMENT.version, agreed: true, bizToken: token });
    expect(r.name).toBe(newName);
    expect(r.endedContracts.sort()).toEqual([unfinished, waiting, draft, invited].sort());
    expect(await unusedCheck(token)).toBe(false);

    const user = (await emu.container.store.get<any>('users', ann.openid))!;
    expect(user.realName).toMatchObject({ name: newName, idNumber: ann.idNumber, faceCheckId: token });
    expect(user.renames).toEqual([expect.objectContaining({ from: ann.name, to: newName, agreementVersion: RENAME_AGREEMENT.version, faceCheckId: token })]);

    // Every seal and signature invalid; no default.
    const list = await client.ok('seal-list', ann.openid, {});
    expect(list.items.map((i: any) => i.status)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(list.defaultRef).toBeNull();
    expect((await client.call('seal-set-default', ann.openid, { ref: list.items[0].ref })).error?.code).toBe('SEAL_INVALID');

    // The unfinished contracts moved by the table's invalidate row, with its event.
    for (const id of [unfinished, waiting, draft, invited]) {
      const c = (await stored(id))!;
      expect(c.state).toBe('invalidated');
      expect(c.expiresAt).toBeNull();
      const evs = await emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
      expect(evs.at(-1)).toMatchObject({ type: 'invalidated', data: expect.objectContaining({ cause: 'rename', to: 'invalidated' }) });
    }
    // The other party of an initiated contract is told (ben: the one he was to sign, the one he invited ann to); the draft's was never invited.
    const benSms = (await client.sms(ben.phone)).slice(smsBefore);
    expect(benSms.map((m) => m.template)).toEqual(['invalidated', 'invalidated']);
    expect(benSms[0]!.text).toContain('因一方办理个人更名已终止');
    expect((await client.sms(cat.phone)).filter((m) => m.template === 'invalidated')).toHaveLength(1);

    // Signing afterwards: the code says a rename ended it.
    const benSign = await client.call('contract-sign', ben.openid, { contractId: unfinished, bizToken: 'bt_unused00', signature: { type: 'seal' } });
    expect(benSign.error?.code).toBe('CONTRACT_ENDED_BY_RENAME');
    const catToken = await client.face(cat, 'sign', waiting);
    const catSign = await client.call('contract-sign', cat.openid, { contractId: waiting, bizToken: catToken, signature: { type: 'seal' } });
    expect(catSign.error?.code).toBe('CONTRACT_ENDED_BY_RENAME');
    expect(await unusedCheck(catToken)).toBe(true);

    // The signed contract is untouched and still verifies, under the old name.
    const s = (await stored(signed))!;
    expect(s.state).toBe('signed');
    expect(s.parties[0]!.details!.name).toBe(ann.name);
    expect((await client.ok('contract-verify', cat.openid, { contractId: signed })).valid).toBe(true);
    expect((await client.ok('contract-verify', ann.openid, { contractId: signed })).valid).toBe(true);
  });

  test('after the rename: the old seals cannot sign, a new seal carries the new name, and the new certificate names the new person', async () => {
    const id = await boundIou(ann, cat);
    expect((await stored(id))!.parties[0]!.details!.name).toBe(newName);
    const old = (await client.ok('seal-list', ann.openid, {})).items[0].ref;
    const token = await client.face(ann, 'sign', id);
    expect((await client.call('contract-sign', ann.openid, { contractId: id, bizToken: token, signature: { type: 'seal', ref: old } })).error?.code).toBe('SEAL_INVALID');
    // No ref and only invalid seals: regenerate first.
    expect((await client.call('contract-sign', ann.openid, { contractId: id, bizToken: token, signature: { type: 'seal' } })).error?.code).toBe('SEAL_INVALID');
    expect(await unusedCheck(token)).toBe(true);
    const fresh = await client.ok('seal-create', ann.openid, { style: 'round' });
    expect(fresh).toMatchObject({ name: newName, status: 'valid', isDefault: true });
    expect((await client.call('contract-sign', ann.openid, { contractId: id, bizToken: token, signature: { type: 'seal' } })).ok).toBe(true);
    const c = (await stored(id))!;
    expect(c.parties[0]!.signature).toMatchObject({ ref: fresh.ref, style: 'round' });
    expect(c.document!.signatures.at(-1)!.certificate.subject).toContain(newName);
    expect(c.document!.signatures.at(-1)!.certificate.subject).not.toContain(ann.name);
  });

  test('M2 renames are rate-limited per user (rateLimits.rename: 2 a year): the third is RATE_LIMITED, nothing changes, the face check stays unspent', async () => {
    const second = await client.ok('rename', ann.openid, { name: '吴再一', agreementVersion: RENAME_AGREEMENT.version, agreed: true, bizToken: await renameFace(ann, '吴再一') });
    expect(second.name).toBe('吴再一');
    const before = JSON.stringify(await emu.container.store.get('users', ann.openid));
    const token = await renameFace(ann, '吴三一');
    const r = await client.call('rename', ann.openid, { name: '吴三一', agreementVersion: RENAME_AGREEMENT.version, agreed: true, bizToken: token });
    expect(r.status).toBe(429);
    expect(r.error?.code).toBe('RATE_LIMITED');
    expect(r.error?.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await unusedCheck(token)).toBe(true);
    expect(JSON.stringify(await emu.container.store.get('users', ann.openid))).toBe(before);
  });
});
