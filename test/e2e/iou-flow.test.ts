/**
 * The complete IOU (借条) story over the emulator's HTTP surface, as the mini-program drives it:
 * SPEC P2, P3, I6, I7, C1, C5, C7, I9, N1, V1 — with the exact state, party statuses, SMS sent and
 * audit chain after every step. test/cloud/iou-flow.cloud.test.ts runs this file again on the
 * production adapters (ESIGN_E2E_PROVIDER=cloud).
 */
import { verifyChain, type ContractEvent } from '../../shared/domain/events';
import { counterpartyOf, initiatorOf, type Contract } from '../../shared/domain/contract';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { handwrittenPng } from '../documents/png';

let emu: Emulator;
let client: Client;
const lender = person('o-lender', '张三', 35);
const borrower = person('o-borrower', '李四', 28);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('iou-flow'));
  await client.verify(lender);
  await client.verify(borrower);
});
afterAll(() => emu.close());

const stored = (id: string) => emu.container.store.get<Contract>('contracts', id);
const events = async (id: string) => emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
const statuses = (view: { parties: Array<{ role: string; status: string }> }) => Object.fromEntries(view.parties.map((p) => [p.role, p.status]));
const partyOf = (view: { parties: Array<{ role: string; name: string | null; idNumber: string | null; phone: string | null }> }, role: string) => view.parties.find((p) => p.role === role)!;

describe('IOU: lender initiates, borrower fills (对方填), both sign, then settle', () => {
  let id: string;
  let token: string;
  let handwrittenRef: string;
  let signedView: any;
  let lenderSignCheck: string;

  test('C1 create → draft, unpaid, nothing sent; the initiator\'s details come from their verified identity', async () => {
    const view = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
    id = view.id;
    token = view.shareToken;
    expect(view.state).toBe('draft');
    expect(statuses(view)).toEqual({ initiator: 'waiting', counterparty: 'to_fill' });
    expect(view.payment).toEqual({ status: 'unpaid', amountFen: 500 });
    expect(partyOf(view, 'initiator')).toMatchObject({ name: '张三', idNumber: lender.idNumber, phone: lender.phone });
    expect(partyOf(view, 'counterparty')).toMatchObject({ name: null, idNumber: null });
    expect(view.actions.sort()).toEqual(['revoke']);
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await client.sms()).toEqual([]);
  });

  test('I6 the borrower cannot see it yet; signing before paying is refused', async () => {
    expect((await client.call('contract-get', borrower.openid, { contractId: id })).error?.code).toBe('NOT_FOUND');
    const r = await client.call('face-start', lender.openid, { purpose: 'sign', contractId: id });
    const sign = await client.call('contract-sign', lender.openid, { contractId: id, bizToken: r.data.bizToken, signature: { type: 'seal' } });
    expect(sign.error?.code).toBe('INVALID_TRANSITION');
  });

  test('I6/F2 pay → an order; WeChat Pay\'s notification passes the gate → awaiting_fill, 30-day expiry set', async () => {
    const { order, delivery, contract: paid } = await client.pay(lender.openid, id);
    // contract-pay places the order and answers wx.requestPayment's parameters; the contract waits for the notification.
    expect(order.paid).toBe(false);
    expect(order.amountFen).toBe(500);
    expect(order.contract.state).toBe('draft');
    expect(order.requestPayment).toMatchObject({ signType: 'RSA', package: expect.stringMatching(/^prepay_id=wx/) });
    expect(delivery.deliveries).toEqual([{ status: 204, body: '' }]);
    expect(paid.state).toBe('awaiting_fill');
    expect(paid.payment).toEqual({ status: 'paid', amountFen: 500 });
    const c = (await stored(id))!;
    expect(c.payment.status).toBe('paid');
    expect(c.payment.orderId).toBe(order.orderId);
    expect(Date.parse(c.expiresAt!) - Date.parse(c.initiatedAt!)).toBe(30 * 86_400_000);
    expect((await client.call('contract-pay', lender.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('P3 the borrower opens the share link and is bound; the lender\'s details are masked for them', async () => {
    const view = await client.ok('share-open', borrower.openid, { token });
    expect(view.myRole).toBe('counterparty');
    expect(view.shareToken).toBeNull();
    const other = partyOf(view, 'initiator');
    expect(other.name).toBe('张三');
    expect(other.idNumber).toBe(`${lender.idNumber.slice(0, 4)}**********${lender.idNumber.slice(-4)}`);
    expect(other.phone).toBe(`${lender.phone.slice(0, 3)}****${lender.phone.slice(-4)}`);
    expect(view.actions.sort()).toEqual(['fill', 'reject']);
    // The place is taken: a third person with the link sees nothing.
    const mallory = person('o-mallory', '王五', 40);
    await client.verify(mallory);
    expect((await client.call('share-open', mallory.openid, { token })).error?.code).toBe('NOT_FOUND');
  });

  test('P2 the borrower confirms their details → the lender is to sign (I7) and told by SMS', async () => {
    const wrong = await client.call('contract-fill', borrower.openid, { contractId: id, name: '李四', idNumber: lender.idNumber, phone: borrower.phone });
    expect(wrong.error?.code).toBe('IDENTITY_MISMATCH');
    const view = await client.ok('contract-fill', borrower.openid, { contractId: id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
    expect(view.state).toBe('awaiting_signatures');
    expect(statuses(view)).toEqual({ initiator: 'to_sign', counterparty: 'waiting' });
    const sms = await client.sms(lender.phone);
    expect(sms.map((m) => m.template)).toEqual(['ready_to_sign']);
    expect(sms[0]!.text.replace(/^【电子签】/, '')).toBe('李四已确认合同信息，《借条》待您签署，请在微信小程序“电子签”处理：https://esign.example.cn/open');
  });

  test('C5/V1 the borrower cannot sign first; the lender signs after a face check → the borrower is invited by SMS', async () => {
    const early = await client.call('contract-sign', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'sign', id), signature: { type: 'seal' } });
    expect(early.error?.code).toBe('INVALID_TRANSITION');
    lenderSignCheck = await client.face(lender, 'sign', id);
    const view = await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: lenderSignCheck, signature: { type: 'seal' } });
    expect(view.state).toBe('awaiting_signatures');
    expect(statuses(view)).toEqual({ initiator: 'signed', counterparty: 'to_sign' });
    const sms = await client.sms(borrower.phone);
    expect(sms.map((m) => m.template)).toEqual(['invite_sign']);
    // No path, no token: the constant, ICP-filed open link of the approved template (P3 links come from contract-share).
    expect(sms[0]!.text.replace(/^【电子签】/, '')).toBe('张三邀请您签署《借条》，请在微信小程序“电子签”查看并签署：https://esign.example.cn/open');
    expect(sms[0]!.text).not.toContain(token);
  });

  test('A5 a handwritten signature must be uploaded first; a JPEG or a made-up ref is refused and spends nothing', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(64)]).toString('base64');
    expect((await client.call('signature-upload', borrower.openid, { pngBase64: jpeg })).error?.code).toBe('UNSUPPORTED_FILE_TYPE');
    const token = await client.face(borrower, 'sign', id);
    const unknown = await client.call('contract-sign', borrower.openid, { contractId: id, bizToken: token, signature: { type: 'handwritten', ref: 'hw_missing' } });
    expect(unknown.error?.code).toBe('VALIDATION_FAILED');
    const upload = await client.ok('signature-upload', borrower.openid, { pngBase64: handwrittenPng().toString('base64') });
    handwrittenRef = upload.ref;
    expect(upload).toMatchObject({ width: 400, height: 160 });
    // The face check was not spent by the refused attempt.
    const view = await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken: token, signature: { type: 'handwritten', ref: handwrittenRef } });
    signedView = view;
  });

  test('the borrower signs with a handwritten signature → signed (已生效); the lender is told', async () => {
    const view = signedView;
    expect(view.state).toBe('signed');
    expect(view.stateLabel).toBe('已生效');
    expect(statuses(view)).toEqual({ initiator: 'signed', counterparty: 'signed' });
    expect(view.expiresAt).toBeNull();
    expect((await client.sms(lender.phone)).map((m) => m.template)).toEqual(['ready_to_sign', 'contract_signed']);
    const c = (await stored(id))!;
    expect(counterpartyOf(c).signature).toMatchObject({ type: 'handwritten', ref: handwrittenRef });
    // The signature names the face check that allowed it (the provider's BizToken).
    expect(initiatorOf(c).signature?.faceCheckId).toBe(lenderSignCheck);
  });

  test('C7 both see it in 我的合同 under "signed"; not under "in_progress"', async () => {
    for (const p of [lender, borrower]) {
      const list = await client.ok('contract-list', p.openid, { filter: 'signed' });
      expect(list.items.map((i: { id: string }) => i.id)).toEqual([id]);
      expect((await client.ok('contract-list', p.openid, { filter: 'in_progress' })).items).toEqual([]);
    }
  });

  test('I9 settle: the borrower requests with a face check; the lender confirms → settled', async () => {
    const pending = await client.ok('settle-request', borrower.openid, { contractId: id, reason: '已全部还清', bizToken: await client.face(borrower, 'settle_request', id) });
    expect(pending.state).toBe('settle_pending');
    expect(pending.pending).toMatchObject({ type: 'settle', by: 'counterparty', reason: '已全部还清' });
    const sms = await client.sms(lender.phone);
    expect(sms.at(-1)!.template).toBe('settle_requested');
    expect(sms.at(-1)!.text).toContain('已全部还清');
    // Only the other party may confirm.
    const self = await client.call('settle-confirm', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'settle_confirm', id) });
    expect(self.error?.code).toBe('INVALID_TRANSITION');
    const done = await client.ok('settle-confirm', lender.openid, { contractId: id, bizToken: await client.face(lender, 'settle_confirm', id) });
    expect(done.state).toBe('settled');
    expect(done.actions).toEqual([]);
    expect((await client.sms(borrower.phone)).at(-1)!.text).toContain('同意');
  });

  test('the audit trail: one event per step, hash-chained, face checks referenced', async () => {
    const c = (await stored(id))!;
    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'payment_confirmed', 'initiated', 'share_opened', 'filled', 'signed', 'signed', 'settle_requested', 'settle_confirmed']);
    expect(verifyChain(evs, c.eventHead)).toEqual({ ok: true });
    expect(evs.filter((e) => e.type === 'signed').every((e) => e.faceCheckId)).toBe(true);
    // Editing any stored event breaks the chain.
    const tampered = evs.map((e) => (e.seq === 5 ? { ...e, data: { ...e.data, to: 'signed' } } : e));
    expect(verifyChain(tampered, c.eventHead)).toMatchObject({ ok: false, atSeq: 5 });
  });
});

describe('V1 face checks are bound, single-use and must pass', () => {
  let id: string;
  const a = person('o-fa', '赵一', 40);
  const b = person('o-fb', '钱二', 40);
  beforeAll(async () => {
    await client.verify(a);
    await client.verify(b);
    const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'borrower', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
    id = v.id;
    await client.pay(a.openid, id);
    await client.ok('share-open', b.openid, { token: v.shareToken }); // 我来填: only the person named may take the place
  });
  const versionOf = async () => (await stored(id))!.version;

  test.each([
    ['a failed face check', async () => client.face(a, 'sign', id, false), 'not_passed'],
    ['a check for another purpose', async () => client.face(a, 'settle_request', id), 'wrong_purpose'],
    ['another user\'s check', async () => (await client.ok('face-start', b.openid, { purpose: 'sign', contractId: id })).bizToken, 'unknown'],
    ['a made-up token', async () => 'ABCDEF0123456789', 'unknown'],
  ])('%s → IDENTITY_CHECK_FAILED, nothing changes', async (_l, token, reason) => {
    const before = await versionOf();
    const r = await client.call('contract-sign', a.openid, { contractId: id, bizToken: await token(), signature: { type: 'seal' } });
    expect(r.error).toMatchObject({ code: 'IDENTITY_CHECK_FAILED', details: { reason } });
    expect(await versionOf()).toBe(before);
  });

  test('a check not done yet, then an expired one (2 h), then a used one', async () => {
    await client.raw('POST', '/_emulator/face-mode', { mode: 'pending' });
    const { bizToken } = await client.ok('face-start', a.openid, { purpose: 'sign', contractId: id });
    expect((await client.call('contract-sign', a.openid, { contractId: id, bizToken, signature: { type: 'seal' } })).error?.details).toMatchObject({ reason: 'not_done' });
    await client.raw('POST', '/_emulator/face-mode', { mode: 'pass' });
    const stale = await client.ok('face-start', a.openid, { purpose: 'sign', contractId: id });
    await client.advanceMinutes(121);
    expect((await client.call('contract-sign', a.openid, { contractId: id, bizToken: stale.bizToken, signature: { type: 'seal' } })).error?.details).toMatchObject({ reason: 'expired' });
    const token = await client.face(a, 'sign', id);
    expect((await client.call('contract-sign', a.openid, { contractId: id, bizToken: token, signature: { type: 'seal' } })).ok).toBe(true);
    const again = await client.call('contract-reject', a.openid, { contractId: id, reason: 'x' });
    expect(again.error?.code).toBe('INVALID_TRANSITION');
  });
});

export type { Person };
