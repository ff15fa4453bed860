/**
 * A1 账号注销 through the emulator: refused (changing nothing, spending no face check) without the
 * risk notice, with a contract in progress, or while a member of an enterprise (the membership the
 * operator fills, seeded by the emulator) unless forced — and never forced for a legal
 * representative or super administrator. Once allowed and after a face check, the person's data
 * is gone from the account, and the other party still downloads, verifies and reports the
 * signed PDF.
 */
import type { Emulator } from '../../emulator/server';
import type { Order } from '../../shared/payments/orders';
import { DEREGISTER_NOTICE } from '../../shared/identity/account-notices';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';

let emu: Emulator;
let client: Client;
const dan = person('o-dr-dan', '何一', 35);
const eve = person('o-dr-eve', '吕二', 35);
const member = person('o-seed-ent-member', '施三', 35);
const superAdmin = person('o-seed-ent-super', '张四', 35);
const legal = person('o-seed-ent-legal', '孔五', 35);
const stranger = person('o-dr-stranger', '曹六', 35);
const frank = person('o-dr-frank', '秦七', 35);
const gina = person('o-dr-gina', '尤八', 35);

const accountFace = async (p: Person, pass = true): Promise<string> => {
  const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'account' });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass });
  return bizToken;
};
const unusedCheck = async (token: string) => (await emu.container.store.get<{ _id: string; usedAt: string | null }>('face_checks', token))!.usedAt === null;
const userDoc = (openid: string) => emu.container.store.get<any>('users', openid);
const ask = (p: Person, extra: Record<string, unknown>) => client.call('account-deregister', p.openid, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, ...extra });

const boundIou = async (a: Person, b: Person): Promise<string> => {
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  return v.id;
};
const sign = async (p: Person, id: string) =>
  client.ok('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('account-deregister'));
  for (const p of [dan, eve, member, superAdmin, legal, frank, gina]) await client.verify(p);
}, 60_000);
afterAll(() => emu.close());

describe('A1 account-deregister', () => {
  let signed: string;
  let open: string;
  let borrowed: string; // eve lent to dan: dan's repayment reminders

  beforeAll(async () => {
    signed = await boundIou(dan, eve);
    await sign(dan, signed);
    await sign(eve, signed);
    borrowed = await boundIou(eve, dan);
    await sign(eve, borrowed);
    await sign(dan, borrowed);
    await client.ok('reminder-set', dan.openid, { contractId: borrowed, enabled: true });
    open = await boundIou(dan, eve);
    await client.ok('seal-create', dan.openid, { style: 'round' });
  }, 120_000);

  test('refusals: no caller, unverified, the notice not acknowledged or outdated, a face check of another purpose or failed — nothing changes', async () => {
    const before = JSON.stringify(await userDoc(dan.openid));
    expect((await client.call('account-deregister', null, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, bizToken: 'bt_000000000' })).error?.code).toBe('UNAUTHENTICATED');
    expect((await ask(stranger, { bizToken: 'bt_000000000' })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await ask(dan, { acknowledged: false, bizToken: await accountFace(dan) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await ask(dan, { noticeVersion: '2020-01', bizToken: await accountFace(dan) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await ask(dan, { bizToken: 'bt_000000000', extra: 1 })).error?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(await userDoc(dan.openid))).toBe(before);
  });

  test('refused with a contract in progress (the list in details), the face check not spent; then succeeds after it ends', async () => {
    const token = await accountFace(dan);
    const r = await ask(dan, { bizToken: token });
    expect(r.status).toBe(409);
    expect(r.error?.code).toBe('CONTRACTS_IN_PROGRESS');
    expect(r.error?.details).toEqual({ contracts: [expect.objectContaining({ id: open, state: 'awaiting_signatures' })] });
    expect(await unusedCheck(token)).toBe(true);
    expect((await userDoc(dan.openid)).realName.name).toBe(dan.name);

    // It ends (dan, whose turn it is, refuses it): nothing is in progress any more.
    await client.ok('contract-reject', dan.openid, { contractId: open, reason: '金额有误' });
    const failed = await accountFace(dan, false);
    expect((await ask(dan, { bizToken: failed })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    const ok = await client.ok('account-deregister', dan.openid, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, bizToken: token });
    expect(ok).toMatchObject({ deregistered: true, forced: false });
    expect(await unusedCheck(token)).toBe(false);

    // The account holds nothing of the person any more; the openid is no longer bound to them.
    const u = await userDoc(dan.openid);
    expect(u.realName).toBeNull();
    expect(u.email).toBeNull();
    expect(u.defaultSeal).toBeUndefined();
    expect(u.deregistered).toMatchObject({ forced: false, noticeVersion: DEREGISTER_NOTICE.version, faceCheckId: token });
    const raw = JSON.stringify(u);
    for (const s of [dan.name, dan.idNumber, dan.phone]) expect(raw).not.toContain(s);
    const seals = await emu.container.store.find<any>('seals', { openid: dan.openid });
    expect(seals.map((s) => s.status)).toEqual(['deleted']);
    expect((await client.call('seal-list', dan.openid, {})).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    // Calling again (a retry after a cut-short clean-up) gives the same answer and changes the account in nothing.
    const again = await client.ok('account-deregister', dan.openid, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, bizToken: token });
    expect(again).toEqual(ok);
    expect(await userDoc(dan.openid)).toEqual(u);
  });

  test('a clean-up cut short after the commit is finished by calling again: the openid leaves every kept contract', async () => {
    const v = await boundIou(frank, gina);
    await sign(frank, v);
    await sign(gina, v);
    // As if the first call had committed the deregistration and then failed before unbinding.
    const before = await userDoc(gina.openid);
    const tomb = { _id: gina.openid, version: before.version, realName: null, email: null, createdAt: before.createdAt, updatedAt: before.updatedAt, deregistered: { at: before.updatedAt, forced: false, noticeVersion: DEREGISTER_NOTICE.version, faceCheckId: 'fc-cut-short' } };
    expect((await emu.container.store.commit([{ collection: 'users', doc: tomb, expectedVersion: before.version ?? 0 }], [])).ok).toBe(true);
    expect((await emu.container.store.get<any>('contracts', v))!.memberOpenids).toContain(gina.openid);
    const r = await client.ok('account-deregister', gina.openid, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, bizToken: 'bt_000000000' });
    expect(r).toEqual({ deregistered: true, at: before.updatedAt, forced: false });
    expect((await emu.container.store.get<any>('contracts', v))!.memberOpenids).toEqual([frank.openid]);
  });

  test('the other party still downloads, verifies and reports the signed PDF', async () => {
    const dl = await client.ok('contract-download', eve.openid, { contractId: signed });
    expect(dl.preview).toBe(false);
    const pdf = Buffer.from(await (await fetch(/^https?:/.test(dl.url) ? dl.url : `${emu.url}${dl.url}`)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await client.ok('contract-verify', eve.openid, { contractId: signed })).valid).toBe(true);
    const ordered = await client.ok('evidence-report-request', eve.openid, { contractId: signed, email: 'eve@example.com', quotedAmountFen: 990 });
    expect((await client.payOrder(ordered.orderId)).json.deliveries).toEqual([{ status: 204, body: '' }]);
    // The webhook only books the payment; the outbox worker makes and mails the report (issue 16).
    expect((await client.timer('timer-outbox')).ok).toBe(true);
    expect((await emu.container.store.get<Order>('orders', ordered.orderId))!.report!.status).toBe('sent');
    // The report was made and e-mailed (status sent); the SMS that says so went to eve's number.
    expect((await client.sms(eve.phone)).at(-1)).toMatchObject({ template: 'report_sent' });
  });

  test('the openid is unbound: the kept contracts no longer list it (the other party\'s membership unchanged); a new account on it sees none of them', async () => {
    for (const id of [signed, open, borrowed]) {
      const c = (await emu.container.store.get<any>('contracts', id))!;
      expect(c.memberOpenids).toEqual([eve.openid]);
      expect(c.parties.map((p: any) => p.details.name).sort()).toEqual([dan.name, eve.name].sort()); // the contract itself is untouched
      expect(c.state).toBe(id === open ? 'rejected' : 'signed');
    }
    // The borrower's repayment reminders (a service to that person) stopped.
    const reminders = await emu.container.store.find<any>('reminders', { contractId: borrowed });
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.map((r) => r.status)).toEqual(reminders.map(() => 'cancelled'));
    await client.verify(dan);
    const list = await client.ok('contract-list', dan.openid, {});
    expect(list.items).toEqual([]);
    expect((await client.call('contract-get', dan.openid, { contractId: signed })).error?.code).toBe('NOT_FOUND');
    expect((await client.call('contract-download', dan.openid, { contractId: signed })).error?.code).toBe('NOT_FOUND');
    expect((await client.ok('contract-get', eve.openid, { contractId: signed })).state).toBe('signed');
  });
});

describe('A1 enterprise members (the operator\'s roster, seeded by the emulator)', () => {
  test('a member is refused (ENTERPRISE_MEMBER, may force); forced, the deregistration goes through and says so', async () => {
    const token = await accountFace(member);
    const r = await ask(member, { bizToken: token });
    expect(r.error?.code).toBe('ENTERPRISE_MEMBER');
    expect(r.error?.details).toEqual({ enterprises: ['示例科技有限公司'], canForce: true });
    expect(await unusedCheck(token)).toBe(true);
    const ok = await client.ok('account-deregister', member.openid, { noticeVersion: DEREGISTER_NOTICE.version, acknowledged: true, force: true, bizToken: token });
    expect(ok.forced).toBe(true);
    expect((await userDoc(member.openid)).deregistered.forced).toBe(true);
  });

  test.each([['a super administrator', superAdmin], ['a legal representative', legal]])('%s cannot force: FORCED_DEREGISTER_REFUSED, nothing changes', async (_, p) => {
    const before = JSON.stringify(await userDoc(p.openid));
    const token = await accountFace(p);
    expect((await ask(p, { bizToken: token })).error?.details).toMatchObject({ canForce: false });
    const r = await ask(p, { force: true, bizToken: token });
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('FORCED_DEREGISTER_REFUSED');
    expect(await unusedCheck(token)).toBe(true);
    expect(JSON.stringify(await userDoc(p.openid))).toBe(before);
  });
});
