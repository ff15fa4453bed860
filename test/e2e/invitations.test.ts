/**
 * P3/M3/N1 through the emulator: share-open decides eligibility before binding; typed reasons are
 * cleaned and never reach an SMS; a cancelled rescind/settle request tells the other party, by the
 * contract's title.
 */
import type { Emulator } from '../../emulator/server';
import type { Contract } from '../../shared/domain/contract';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';

let emu: Emulator;
let client: Client;
const lender = person('o-inv-lender', '周立', 40);
const borrower = person('o-inv-borrower', '吴波', 35);
const young = person('o-inv-young', '郑小', 21);

const stored = (id: string) => emu.container.store.get<Contract>('contracts', id);
const sign = async (p: Person, id: string) => client.ok('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('invitations'));
  for (const p of [lender, borrower, young]) await client.verify(p);
});
afterAll(() => emu.close());

test('P3/I1 a 21-year-old opening an IOU link → AGE_OUT_OF_RANGE naming the borrower, not bound; the intended borrower then opens, fills and signs', async () => {
  const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
  await client.pay(lender.openid, v.id);
  const refused = await client.call('share-open', young.openid, { token: v.shareToken });
  expect(refused.error?.code).toBe('AGE_OUT_OF_RANGE');
  expect(refused.error?.details).toMatchObject({ role: 'borrower', roleLabel: '借款人', age: 21, min: 22, max: 75 });
  expect(refused.error?.message).toContain('借款人');
  // No place taken, nothing to see.
  const after = (await stored(v.id))!;
  expect(after.parties[1]!.openid).toBeNull();
  expect(after.memberOpenids).toEqual([lender.openid]);
  expect((await client.call('contract-get', young.openid, { contractId: v.id })).error?.code).toBe('NOT_FOUND');
  // The person it was meant for.
  expect((await client.ok('share-open', borrower.openid, { token: v.shareToken })).myRole).toBe('counterparty');
  await client.ok('contract-fill', borrower.openid, { contractId: v.id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
  await sign(lender, v.id);
  expect((await sign(borrower, v.id)).state).toBe('signed');
});

describe('typed reasons (M3) and the cancelled requests (N1)', () => {
  let id: string;
  beforeAll(async () => {
    const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()) });
    id = v.id;
    await client.pay(lender.openid, id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    await sign(lender, id);
    await sign(borrower, id);
  });

  test.each([
    ['rescind-request', 'rescind_request'],
    ['settle-request', 'settle_request'],
  ])('%s with a reason of spaces (ideographic ones too) → VALIDATION_FAILED, nothing changes', async (fn, purpose) => {
    const before = (await stored(id))!;
    const r = await client.call(fn, lender.openid, { contractId: id, reason: ' \u3000 \u200b ', bizToken: await client.face(lender, purpose, id) });
    expect(r.error?.code).toBe('VALIDATION_FAILED');
    expect(r.error?.details).toEqual({ fields: [{ field: '/reason', rule: 'required' }] });
    expect((await stored(id))!.version).toBe(before.version);
  });

  test('a reason with a URL is stored cleaned; the SMS says 详见小程序 and carries no URL; cancelling tells the other party by title', async () => {
    const smsBefore = (await client.sms(borrower.phone)).length;
    await client.ok('rescind-request', lender.openid, { contractId: id, reason: '  请点 http://evil.example.com/pay 退款\u200b ', bizToken: await client.face(lender, 'rescind_request', id) });
    expect((await stored(id))!.pending?.reason).toBe('请点 http://evil.example.com/pay 退款');
    const [requested] = (await client.sms(borrower.phone)).slice(smsBefore);
    expect(requested).toMatchObject({ template: 'rescind_requested', text: '周立申请解除《借条》，原因：详见小程序，请打开微信小程序“电子签”确认或拒绝。' });
    expect(requested!.text).not.toMatch(/evil|http:/);
    await client.ok('rescind-cancel', lender.openid, { contractId: id });
    expect((await client.sms(borrower.phone)).slice(smsBefore + 1)).toEqual([
      expect.objectContaining({ template: 'rescind_cancelled', text: '周立已撤回解除《借条》的申请，合同继续有效。' }),
    ]);
    await client.ok('settle-request', borrower.openid, { contractId: id, reason: '已全部还清', bizToken: await client.face(borrower, 'settle_request', id) });
    const lenderSms = await client.sms(lender.phone);
    expect(lenderSms.at(-1)).toMatchObject({ template: 'settle_requested', text: '吴波申请结清《借条》，原因：已全部还清，请打开微信小程序“电子签”确认或拒绝。' });
    await client.ok('settle-cancel', borrower.openid, { contractId: id });
    expect((await client.sms(lender.phone)).at(-1)).toMatchObject({ template: 'settle_cancelled', text: '吴波已撤回结清《借条》的申请，借条继续有效。' });
  });

  test('拒签 with a reason of spaces → VALIDATION_FAILED', async () => {
    const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()) });
    await client.pay(lender.openid, v.id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    const r = await client.call('contract-reject', borrower.openid, { contractId: v.id, reason: '   ' });
    expect(r.error?.code).toBe('VALIDATION_FAILED');
    expect((await stored(v.id))!.state).toBe('awaiting_signatures');
  });
});

test('N1 channel order: a user who accepted the template gets a subscription message (credit spent in the commit), then SMS once none is left', async () => {
  const a = person('o-inv-sub-a', '孙甲', 40);
  const b = person('o-inv-sub-b', '李乙', 35);
  for (const p of [a, b]) await client.verify(p);
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  await sign(a, v.id);
  await sign(b, v.id);
  // As wx.requestSubscribeMessage answered: one accepted, one made-up id (ignored, never stored).
  expect(await client.ok('notify-subscribe', b.openid, { results: { local_request_notice: 'accept', made_up_id: 'accept' } })).toEqual({ accepted: ['local_request_notice'], ignored: ['made_up_id'], credits: { local_request_notice: 1 } });
  expect((await client.call('notify-subscribe', b.openid, { results: {} })).error?.code).toBe('VALIDATION_FAILED');
  const smsBefore = (await client.sms(b.phone)).length;
  const subs = () => emu.container.store.find<{ _id: string; toOpenid: string; templateId: string; data: Record<string, string> }>('subscribe_outbox', { toOpenid: b.openid });

  await client.ok('rescind-request', a.openid, { contractId: v.id, reason: '协商一致', bizToken: await client.face(a, 'rescind_request', v.id) });
  expect((await subs()).map((m) => [m.templateId, m.data])).toEqual([
    ['local_request_notice', { thing1: '借条', phrase2: '解除申请', phrase3: '待您确认', name4: '孙甲', time5: expect.stringMatching(/^\d{4}年\d+月\d+日 \d\d:\d\d$/) }],
  ]);
  expect((await client.sms(b.phone)).length).toBe(smsBefore); // not twice: no SMS besides
  expect((await emu.container.store.get<{ _id: string; credits: Record<string, number> }>('subscriptions', `subs_${b.openid}`))!.credits).toEqual({});

  // No credit left: the next event goes by SMS.
  await client.ok('rescind-cancel', a.openid, { contractId: v.id });
  expect(await subs()).toHaveLength(1);
  expect((await client.sms(b.phone)).slice(smsBefore).map((m) => m.template)).toEqual(['rescind_cancelled']);
});

test('P3 我来填: the invited person finds the contract in contract-list as soon as their verified ID number matches; others do not', async () => {
  const a = person('o-inv-list-a', '钱甲', 40);
  const b = person('o-inv-list-b', '赵乙', 35);
  const stranger = person('o-inv-list-c', '冯丙', 35);
  await client.verify(a);
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  // The keyed hash is stored, never the ID number as a query field.
  expect(JSON.stringify((await stored(v.id))!.inviteeKeys)).not.toContain(b.idNumber);
  // Not verified yet: nothing.
  expect((await client.ok('contract-list', b.openid, {})).invitations).toEqual([]);
  await client.verify(b);
  await client.verify(stranger);
  const list = await client.ok('contract-list', b.openid, {});
  expect(list.invitations).toEqual([expect.objectContaining({ id: v.id, shareToken: v.shareToken })]);
  expect((await client.ok('contract-list', stranger.openid, {})).invitations).toEqual([]);
  // Opened: it is one of their contracts now, no longer an invitation.
  await client.ok('share-open', b.openid, { token: list.invitations[0].shareToken });
  const after = await client.ok('contract-list', b.openid, {});
  expect(after.invitations).toEqual([]);
  expect(after.items.map((c: { id: string }) => c.id)).toContain(v.id);
});
