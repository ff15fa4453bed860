/**
 * The receipt (收据) over the emulator's HTTP surface, as the mini-program drives it — SPEC R1–R4,
 * C1, C4, C5, F1, N1 and the 收据 section of the seed guide (003): the four paths (payee- or
 * payer-initiated × the other party's details complete (我来填) or pending (对方填)), with the
 * exact state and per-party statuses after every step, the exact SMS the other party receives
 * (and that nobody else gets one), the refusals (拒绝领取 / 拒签 with a reason), 催办 and its rate
 * limit, the age and amount boundaries of R1, and at the end a signed PDF that poppler's pdfsig
 * verifies against the platform root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { padesFindings } from '../documents/pades-checks';
import { verifyChain, type ContractEvent } from '../../shared/domain/events';
import { counterpartyOf, initiatorOf, type Contract } from '../../shared/domain/contract';
import { addDays } from '../../shared/rules/dates';
import { collectionName } from '../../shared/store/collections';
import { Client, person, startTestEmulator, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { makeId } from '../rules/helpers';
import { nssDbTrusting, pdfsig, pdftotext, requireTools, tempDir, writeTemp } from '../documents/tools';

let emu: Emulator;
let client: Client;
let dataDir: string;
let nss: string;
let today: string;

// Four people, verified (实名认证) once. Payees and payers swap roles between the paths.
let payee: Person;
let payer: Person;
let payee2: Person;
let payer2: Person;

const FORM = { amountFen: 1_280_050, reason: '二手钢琴货款', receivedDate: '', paymentMethod: '银行转账' as const, note: '钢琴已当面交付，货款一次付清。' };
const form = (overrides: Record<string, unknown> = {}) => ({ ...FORM, receivedDate: today, ...overrides });
const me = (p: Person) => ({ fillMode: 'me', name: p.name, idNumber: p.idNumber, phone: p.phone });
const OTHER = { fillMode: 'other' };

const stored = async (id: string) => (await emu.container.store.get<Contract>('contracts', id))!;
const events = (id: string) => emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
const statuses = (view: { parties: Array<{ role: string; status: string }> }) => Object.fromEntries(view.parties.map((p) => [p.role, p.status]));
const labels = (view: { parties: Array<{ role: string; statusLabel: string }> }) => Object.fromEntries(view.parties.map((p) => [p.role, p.statusLabel]));
/** SMS carry no path and no token: the constant, ICP-filed open link of the approved templates (M3). */
const OPEN = 'https://esign.example.cn/open';
const link = (_token: string) => OPEN;

/** Every SMS sent since the previous call, to anyone: a step must send exactly what it should, to whom it should. */
let seen = 0;
const sent = async () => {
  const all = await client.sms();
  const fresh = all.slice(seen).map(({ phone, template, text }) => ({ phone, template, text }));
  seen = all.length;
  return fresh;
};

/** The state after a step, as the party who acted sees it, and the other party's view agrees. */
const expectState = async (view: any, state: string, st: { initiator: string; counterparty: string }) => {
  expect(view.state).toBe(state);
  expect(statuses(view)).toEqual(st);
  const c = await stored(view.id);
  expect(c.state).toBe(state);
  expect({ initiator: initiatorOf(c).status, counterparty: counterpartyOf(c).status }).toEqual(st);
};

const sign = async (p: Person, id: string) => client.ok('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });
const accept = async (p: Person, id: string) => client.ok('contract-accept', p.openid, { contractId: id, bizToken: await client.face(p, 'accept', id) });
const view = (p: Person, id: string) => client.ok('contract-get', p.openid, { contractId: id });

/** The PDF as a party downloads it now, checked by pdfsig: the common names of its signatures, in order. */
const signedPdf = async (p: Person, id: string) => {
  const dl = await client.ok('contract-download', p.openid, { contractId: id });
  expect(dl.preview).toBe(false);
  const bytes = Buffer.from(await (await fetch(`${emu.url}${dl.url}`)).arrayBuffer());
  const c = await stored(id);
  expect(dl.sha256).toBe(c.document!.currentSha256);
  expect(c.document!.signedKey).toBe(c.document!.currentKey);
  const file = writeTemp(tempDir(), 'receipt.pdf', bytes);
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  nss ??= nssDbTrusting(root);
  // E1: each signature ETSI.CAdES.detached, valid, trusted, timestamped; the completed file ends in DSS + a document timestamp.
  const pades = await padesFindings(bytes, root, nss);
  expect(pades).toMatchObject({ allValidAndTrusted: true, lastType: 'ETSI.RFC3161', lastCoversAll: true, qpdfOk: true });
  expect(pades.signatureTypes.every((t) => t === 'ETSI.CAdES.detached')).toBe(true);
  expect(pades.tokens.length).toBeGreaterThan(pades.signers.length);
  expect(pades.tokens.filter((t) => t.status !== 0)).toEqual([]);
  expect(pades.dss!.crls).toBeGreaterThanOrEqual(1);
  return { signers: pades.signers, text: pdftotext(file).replace(/\s/g, ''), document: c.document! };
};

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('receipts'));
  // Ages are computed on the China day: start at 10:00 so no step straddles a China midnight.
  await client.advanceToChinaHour(10);
  // Exact birthdays need a day that recurs every year: step over a 29 February.
  if (client.today().endsWith('-02-29')) await client.advance(1);
  today = client.today();
  payee = person('o-rc-payee', '陈收款', 40, today);
  payer = person('o-rc-payer', '周付款', 33, today);
  payee2 = person('o-rc-payee2', '郑收款', 52, today);
  payer2 = person('o-rc-payer2', '吴付款', 27, today);
  for (const p of [payee, payer, payee2, payer2]) await client.verify(p);
  await sent();
}, 60_000);
afterAll(() => emu.close());

describe('R2 payee-initiated, details complete (我来填): the payee signs, pays; the payer 确认领取', () => {
  let id: string;
  let token: string;

  test('create → draft; the payee is to sign first; the list price is 3.00 (F1: paid); nothing sent', async () => {
    const v = await client.ok('contract-create', payee.openid, { kind: 'receipt', myRole: 'payee', counterparty: me(payer), form: form() });
    ({ id, shareToken: token } = v);
    await expectState(v, 'draft', { initiator: 'to_sign', counterparty: 'waiting' });
    expect(v.flow).toBe('receipt_payee');
    expect(v.title).toBe('收据');
    expect(v.contractNo).toMatch(/^SJ\d{8}[0-9A-Z]{8}$/);
    expect(v.payment).toEqual({ status: 'unpaid', amountFen: 300 });
    expect(v.actions.sort()).toEqual(['revoke', 'sign']);
    expect(await sent()).toEqual([]);
  });

  test('paying before signing is refused, and no order is placed', async () => {
    expect((await client.call('contract-pay', payee.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
    expect((await stored(id)).payment).toEqual({ status: 'unpaid', amountFen: 300, orderId: null, paidAt: null });
  });

  test('the payee signs (face check, seal) → still a draft, now to pay; nobody is told yet', async () => {
    const v = await sign(payee, id);
    await expectState(v, 'draft', { initiator: 'signed', counterparty: 'waiting' });
    expect(v.actions).toEqual(['revoke']);
    expect((await stored(id)).document!.signatures.map((s) => s.by)).toEqual(['initiator']);
    expect(await sent()).toEqual([]);
  });

  test('F1/F2 the payee pays 3.00 by WeChat Pay → 待领取; the payer gets the SMS to 确认领取 with the link', async () => {
    const { order, contract: v } = await client.pay(payee.openid, id);
    expect(order.amountFen).toBe(300);
    await expectState(v, 'awaiting_signatures', { initiator: 'signed', counterparty: 'to_sign' });
    expect(v.stateLabel).toBe('待领取');
    expect(labels(v)).toEqual({ initiator: '已签署', counterparty: '待领取' });
    expect(v.payment).toEqual({ status: 'paid', amountFen: 300 });
    expect(Date.parse(v.expiresAt) - Date.parse(v.initiatedAt)).toBe(30 * 86_400_000);
    // 文件夹: the payee's list shows where the receipt stands.
    const row = (await client.ok('contract-list', payee.openid, { filter: 'in_progress' })).items.find((i: { id: string }) => i.id === id);
    expect(row).toMatchObject({ kind: 'receipt', title: '收据', state: 'awaiting_signatures', stateLabel: '待领取', myStatus: 'signed', otherPartyName: '周付款', amountFen: 1_280_050 });
    expect(await sent()).toEqual([
      { phone: payer.phone, template: 'invite_accept', text: `陈收款向您开具了《收据》，请在微信小程序“电子签”确认领取：${link(token)}` },
    ]);
  });

  test('R4 催办 re-sends the SMS to the payer; again within 10 minutes is RATE_LIMITED; after it, sent again', async () => {
    expect((await client.call('contract-urge', payer.openid, { contractId: id })).error?.code).toBe('NOT_FOUND'); // not bound yet
    expect(await client.ok('contract-urge', payee.openid, { contractId: id })).toEqual({ sent: true, to: `${payer.phone.slice(0, 3)}****${payer.phone.slice(-4)}` });
    const urge = { phone: payer.phone, template: 'urge', text: `陈收款提醒您处理《收据》（待您确认领取），请在微信小程序“电子签”打开：${link(token)}` };
    expect(await sent()).toEqual([urge]);
    const again = await client.call('contract-urge', payee.openid, { contractId: id });
    expect(again.error?.code).toBe('RATE_LIMITED');
    expect(again.error?.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await sent()).toEqual([]);
    await client.raw('POST', '/_emulator/clock', { advanceMinutes: 10 });
    await client.ok('contract-urge', payee.openid, { contractId: id });
    expect(await sent()).toEqual([urge]);
  });

  test('the payer opens the link: may 确认领取 or 拒绝领取; the payee cannot accept its own receipt', async () => {
    const v = await client.ok('share-open', payer.openid, { token });
    await expectState(v, 'awaiting_signatures', { initiator: 'signed', counterparty: 'to_sign' });
    expect(v.myKindRole).toBe('payer');
    expect(v.actions.sort()).toEqual(['accept', 'reject']);
    expect((await client.call('contract-accept', payee.openid, { contractId: id, bizToken: await client.face(payee, 'accept', id) })).error?.code).toBe('INVALID_TRANSITION');
    expect((await client.call('contract-sign', payer.openid, { contractId: id, bizToken: await client.face(payer, 'sign', id), signature: { type: 'seal' } })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('V1 确认领取 needs the payer\'s own passed face check for this act', async () => {
    const before = (await stored(id)).version;
    const wrongPurpose = await client.call('contract-accept', payer.openid, { contractId: id, bizToken: await client.face(payer, 'sign', id) });
    expect(wrongPurpose.error).toMatchObject({ code: 'IDENTITY_CHECK_FAILED', details: { reason: 'wrong_purpose' } });
    const failed = await client.call('contract-accept', payer.openid, { contractId: id, bizToken: await client.face(payer, 'accept', id, false) });
    expect(failed.error).toMatchObject({ code: 'IDENTITY_CHECK_FAILED', details: { reason: 'not_passed' } });
    expect((await stored(id)).version).toBe(before);
    expect(await sent()).toEqual([]);
  });

  test('确认领取 → signed (已生效); the payee is told; the PDF carries the payee\'s signature and the platform\'s 确认领取 stamp', async () => {
    const v = await accept(payer, id);
    await expectState(v, 'signed', { initiator: 'signed', counterparty: 'signed' });
    expect(v.stateLabel).toBe('已生效');
    expect(labels(v)).toEqual({ initiator: '已签署', counterparty: '已领取' });
    expect(v.expiresAt).toBeNull();
    expect(v.completedAt).not.toBeNull();
    expect(v.actions).toEqual(['rescind_request']);
    expect(await sent()).toEqual([{ phone: payee.phone, template: 'receipt_accepted', text: '周付款已确认领取您开具的《收据》，收据已生效。' }]);
    const c = await stored(id);
    expect(counterpartyOf(c).signature).toBeNull(); // the payer does not sign a receipt
    const pdf = await signedPdf(payer, id);
    expect(pdf.signers).toEqual(['陈收款', '电子签平台']);
    expect(pdf.document.signatures.map((s) => [s.by, s.fieldName])).toEqual([['initiator', 'Sig_payee'], ['platform', 'Sig_platform_accepted']]);
    for (const s of ['陈收款', '周付款', '二手钢琴货款', '¥12,800.50', '壹万贰仟捌佰元伍角']) expect(pdf.text).toContain(s);
    expect(pdf.text).not.toContain(payer.idNumber);
  });

  test('the audit trail: one event per step, hash-chained; the acceptance names its face check and the stamped file', async () => {
    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'signed', 'payment_confirmed', 'initiated', 'urged', 'urged', 'share_opened', 'accepted']);
    expect(verifyChain(evs, (await stored(id)).eventHead)).toEqual({ ok: true });
    const accepted = evs.at(-1)!;
    expect(accepted.faceCheckId).toBeTruthy();
    expect(accepted.data).toMatchObject({ from: 'awaiting_signatures', to: 'signed', documentSha256: (await stored(id)).document!.currentSha256 });
  });
  test('C6/C8 解除 an accepted receipt: the payer asks, the payee confirms; the file gains the platform\'s 解除 stamp and is emailed as it stands', async () => {
    const pending = await client.ok('rescind-request', payer.openid, { contractId: id, reason: '款项已退回', bizToken: await client.face(payer, 'rescind_request', id) });
    await expectState(pending, 'rescind_pending', { initiator: 'signed', counterparty: 'signed' });
    expect(await sent()).toEqual([{ phone: payee.phone, template: 'rescind_requested', text: '周付款申请解除《收据》，原因：详见小程序，请打开微信小程序“电子签”确认或拒绝。' }]);
    const done = await client.ok('rescind-confirm', payee.openid, { contractId: id, bizToken: await client.face(payee, 'rescind_confirm', id) });
    await expectState(done, 'rescinded', { initiator: 'signed', counterparty: 'signed' });
    expect(await sent()).toEqual([{ phone: payer.phone, template: 'rescind_answered', text: '陈收款已同意您解除《收据》的申请。' }]);
    const c = await stored(id);
    // Issue 15 item 5: the payer's request and the payee's confirmation are their own signatures, the platform's stamp beside them.
    expect(c.document!.signatures.map((s) => [s.by, s.fieldName])).toEqual([
      ['initiator', 'Sig_payee'], ['platform', 'Sig_platform_accepted'], ['counterparty', 'Sig_rescind_request_payer'], ['initiator', 'Sig_rescind_confirm_payee'], ['platform', 'Sig_platform_rescinded'],
    ]);
    const dl = await client.ok('contract-download', payer.openid, { contractId: id });
    const file = writeTemp(tempDir(), 'rescinded.pdf', Buffer.from(await (await fetch(`${emu.url}${dl.url}`)).arrayBuffer()));
    const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
    const pades = await padesFindings(fs.readFileSync(file), root, nss);
    expect(pades).toMatchObject({ signers: ['陈收款', '电子签平台', '周付款', '陈收款', '电子签平台'], allValidAndTrusted: true, lastType: 'ETSI.RFC3161', lastCoversAll: true });
    expect(pades.tokens.map((t) => [t.field, t.status])).toEqual([
      ['Sig_payee', 0], ['Sig_platform_accepted', 0], ['DocTimeStamp_1', 0], ['Sig_rescind_request_payer', 0], ['Sig_rescind_confirm_payee', 0], ['Sig_platform_rescinded', 0], ['DocTimeStamp_2', 0],
    ]);
    expect(await client.ok('contract-email', payer.openid, { contractId: id, email: 'zhou@example.com' })).toEqual({ sent: true, to: 'zhou@example.com', sha256: c.document!.currentSha256 });
    const mail = (await client.raw('GET', '/outbox/email?to=zhou@example.com')).json.messages;
    expect(mail.map((m: { subject: string }) => m.subject)).toEqual([`《收据》${c.contractNo}（已解除）`]);
    expect(mail[0].attachments).toHaveLength(1);
  });
});

describe('R2 payee-initiated, details complete: the payer 拒绝领取 with a reason', () => {
  test('refused → rejected; the payee gets the reason by SMS; nothing more can happen', async () => {
    const v0 = await client.ok('contract-create', payee2.openid, { kind: 'receipt', myRole: 'payee', counterparty: me(payer2), form: form({ amountFen: 50_000 }) });
    await sign(payee2, v0.id);
    const { contract: paid } = await client.pay(payee2.openid, v0.id);
    await expectState(paid, 'awaiting_signatures', { initiator: 'signed', counterparty: 'to_sign' });
    expect(await sent()).toEqual([
      { phone: payer2.phone, template: 'invite_accept', text: `郑收款向您开具了《收据》，请在微信小程序“电子签”确认领取：${link(v0.shareToken)}` },
    ]);
    await client.ok('share-open', payer2.openid, { token: v0.shareToken });
    expect((await client.call('contract-reject', payer2.openid, { contractId: v0.id })).error?.code).toBe('VALIDATION_FAILED'); // a reason is required
    const v = await client.ok('contract-reject', payer2.openid, { contractId: v0.id, reason: '金额与实际不符' });
    await expectState(v, 'rejected', { initiator: 'signed', counterparty: 'rejected' });
    expect(v.stateLabel).toBe('已拒签');
    expect(labels(v).counterparty).toBe('已拒绝领取');
    expect(v.parties.find((p: { role: string }) => p.role === 'counterparty').rejectReason).toBe('金额与实际不符');
    expect(v.expiresAt).toBeNull();
    expect(v.actions).toEqual([]);
    expect((await view(payee2, v0.id)).actions).toEqual([]);
    expect(await sent()).toEqual([
      { phone: payee2.phone, template: 'receipt_refused', text: '吴付款拒绝领取您开具的《收据》，原因：详见小程序，流程已终止。' },
    ]);
    expect((await client.call('contract-accept', payer2.openid, { contractId: v0.id, bizToken: await client.face(payer2, 'accept', v0.id) })).error?.code).toBe('INVALID_TRANSITION');
    expect((await client.call('contract-urge', payee2.openid, { contractId: v0.id })).error?.code).toBe('INVALID_TRANSITION');
  });
});

describe('R2 payee-initiated, details pending (对方填): the payee pays first, the payer fills, the payee signs, the payer accepts', () => {
  let id: string;
  let token: string;

  test('create → draft; the payer is to fill; the payee cannot sign a receipt without the payer\'s details', async () => {
    const v = await client.ok('contract-create', payee2.openid, { kind: 'receipt', myRole: 'payee', counterparty: OTHER, form: form() });
    ({ id, shareToken: token } = v);
    await expectState(v, 'draft', { initiator: 'waiting', counterparty: 'to_fill' });
    expect(v.actions).toEqual(['revoke']);
    expect((await client.call('contract-sign', payee2.openid, { contractId: id, bizToken: await client.face(payee2, 'sign', id), signature: { type: 'seal' } })).error?.code).toBe('INVALID_TRANSITION');
    expect(await sent()).toEqual([]);
  });

  test('the payee pays 3.00 first → 待补充; no SMS (the payer\'s number is not known); 催办 says so', async () => {
    const { order, contract: v } = await client.pay(payee2.openid, id);
    expect(order.amountFen).toBe(300);
    await expectState(v, 'awaiting_fill', { initiator: 'waiting', counterparty: 'to_fill' });
    expect(v.stateLabel).toBe('待补充');
    expect(await sent()).toEqual([]);
    expect((await client.call('contract-urge', payee2.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
    expect(await sent()).toEqual([]);
  });

  test('P2 the payer opens the link and confirms their details → the payee is to sign and told by SMS', async () => {
    const opened = await client.ok('share-open', payer.openid, { token });
    expect(opened.actions.sort()).toEqual(['fill', 'reject']);
    expect((await client.call('contract-accept', payer.openid, { contractId: id, bizToken: await client.face(payer, 'accept', id) })).error?.code).toBe('INVALID_TRANSITION');
    const v = await client.ok('contract-fill', payer.openid, { contractId: id, name: payer.name, idNumber: payer.idNumber, phone: payer.phone });
    await expectState(v, 'awaiting_signatures', { initiator: 'to_sign', counterparty: 'waiting' });
    expect(v.stateLabel).toBe('待签署');
    expect(v.actions).toEqual([]); // the payer waits for the payee's signature
    expect((await view(payee2, id)).actions.sort()).toEqual(['reject', 'sign']); // C3: no revoke once the payer acted
    expect(await sent()).toEqual([
      { phone: payee2.phone, template: 'ready_to_sign', text: `周付款已确认合同信息，《收据》待您签署，请在微信小程序“电子签”处理：${link(token)}` },
    ]);
    // Nothing to urge: it is the payee's own turn.
    expect((await client.call('contract-urge', payee2.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('the payer cannot accept before the payee signed; the payee signs → 待领取, the payer gets the SMS', async () => {
    expect((await client.call('contract-accept', payer.openid, { contractId: id, bizToken: await client.face(payer, 'accept', id) })).error?.code).toBe('INVALID_TRANSITION');
    const v = await sign(payee2, id);
    await expectState(v, 'awaiting_signatures', { initiator: 'signed', counterparty: 'to_sign' });
    expect(v.stateLabel).toBe('待领取');
    expect(await sent()).toEqual([
      { phone: payer.phone, template: 'invite_accept', text: `郑收款向您开具了《收据》，请在微信小程序“电子签”确认领取：${link(token)}` },
    ]);
  });

  test('R4 催办 now reaches the payer (their number came with their details)', async () => {
    await client.ok('contract-urge', payee2.openid, { contractId: id });
    expect(await sent()).toEqual([{ phone: payer.phone, template: 'urge', text: `郑收款提醒您处理《收据》（待您确认领取），请在微信小程序“电子签”打开：${link(token)}` }]);
  });

  test('确认领取 → signed; the payee is told; the PDF verifies (payee + platform)', async () => {
    const v = await accept(payer, id);
    await expectState(v, 'signed', { initiator: 'signed', counterparty: 'signed' });
    expect(await sent()).toEqual([{ phone: payee2.phone, template: 'receipt_accepted', text: '周付款已确认领取您开具的《收据》，收据已生效。' }]);
    const pdf = await signedPdf(payee2, id);
    expect(pdf.signers).toEqual(['郑收款', '电子签平台']);
    for (const s of ['郑收款', '周付款', '二手钢琴货款']) expect(pdf.text).toContain(s);
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'payment_confirmed', 'initiated', 'share_opened', 'filled', 'signed', 'urged', 'accepted']);
  });
});

describe('R3 payer-initiated, details complete: 确认开具 with no fee; the payee signs', () => {
  let id: string;
  let token: string;

  test('create → draft with no fee (F1); paying is not a step of this flow', async () => {
    const v = await client.ok('contract-create', payer2.openid, { kind: 'receipt', myRole: 'payer', counterparty: me(payee), form: form() });
    ({ id, shareToken: token } = v);
    await expectState(v, 'draft', { initiator: 'waiting', counterparty: 'waiting' });
    expect(v.flow).toBe('receipt_payer');
    expect(v.payment).toEqual({ status: 'unpaid', amountFen: 0 });
    expect(v.actions.sort()).toEqual(['issue', 'revoke']);
    const quote = await client.ok('fee-quote', payer2.openid, { contractId: id });
    expect(quote).toMatchObject({ listFen: 0, amountFen: 0 });
    expect(quote.why.map((s: { rule: string; label: string }) => [s.rule, s.label])).toEqual([['list_price', '标准价格'], ['no_fee', '付款方确认开具，无需付费']]);
    expect((await client.call('contract-pay', payer2.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
    expect(await sent()).toEqual([]);
  });

  test('only the payer issues; 确认开具 → 待签署, gate waived at 0, no order; the payee gets the SMS to sign', async () => {
    expect((await client.call('contract-issue', payee.openid, { contractId: id })).error?.code).toBe('NOT_FOUND');
    const v = await client.ok('contract-issue', payer2.openid, { contractId: id });
    await expectState(v, 'awaiting_signatures', { initiator: 'confirmed', counterparty: 'to_sign' });
    expect(v.stateLabel).toBe('待签署');
    expect(labels(v)).toEqual({ initiator: '已开具', counterparty: '待签署' });
    expect(v.payment).toEqual({ status: 'waived', amountFen: 0 });
    expect(Date.parse(v.expiresAt) - Date.parse(v.initiatedAt)).toBe(30 * 86_400_000);
    const c = await stored(id);
    expect(c.payment.orderId).toBeNull();
    expect(c.ruleFacts.fee).toMatchObject({ listFen: 0, amountFen: 0, orderId: null });
    expect(await emu.container.store.find(collectionName('orders'), { contractId: id })).toEqual([]);
    expect(await sent()).toEqual([
      { phone: payee.phone, template: 'invite_sign', text: `吴付款邀请您签署《收据》，请在微信小程序“电子签”查看并签署：${link(token)}` },
    ]);
    expect((await client.call('contract-issue', payer2.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('R4 催办 re-sends the SMS to the payee', async () => {
    await client.ok('contract-urge', payer2.openid, { contractId: id });
    expect(await sent()).toEqual([{ phone: payee.phone, template: 'urge', text: `吴付款提醒您处理《收据》（待您签署），请在微信小程序“电子签”打开：${link(token)}` }]);
    expect((await client.call('contract-urge', payer2.openid, { contractId: id })).error?.code).toBe('RATE_LIMITED');
  });

  test('the payee opens the link and signs → signed; the payer is told; the PDF carries the payee\'s signature only', async () => {
    const opened = await client.ok('share-open', payee.openid, { token });
    expect(opened.actions.sort()).toEqual(['reject', 'sign']);
    expect((await client.call('contract-sign', payer2.openid, { contractId: id, bizToken: await client.face(payer2, 'sign', id), signature: { type: 'seal' } })).error?.code).toBe('INVALID_TRANSITION');
    const v = await sign(payee, id);
    await expectState(v, 'signed', { initiator: 'confirmed', counterparty: 'signed' });
    expect(v.stateLabel).toBe('已生效');
    expect(v.expiresAt).toBeNull();
    expect(await sent()).toEqual([{ phone: payer2.phone, template: 'receipt_signed', text: '陈收款已签署您确认开具的《收据》，收据已生效。' }]);
    const pdf = await signedPdf(payer2, id);
    expect(pdf.signers).toEqual(['陈收款']);
    for (const s of ['陈收款', '吴付款', '¥12,800.50']) expect(pdf.text).toContain(s);
    const evs = await events(id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'issued', 'urged', 'share_opened', 'signed']);
    expect(evs[1]!.data).toMatchObject({ from: 'draft', to: 'awaiting_signatures', amountFen: 0, rule: 'no_fee' });
    expect(verifyChain(evs, (await stored(id)).eventHead)).toEqual({ ok: true });
  });
});

describe('R3 payer-initiated, details complete: the payee refuses (拒签) with a reason', () => {
  test('rejected; the payer gets the reason by SMS', async () => {
    const v0 = await client.ok('contract-create', payer.openid, { kind: 'receipt', myRole: 'payer', counterparty: me(payee2), form: form() });
    await client.ok('contract-issue', payer.openid, { contractId: v0.id });
    expect(await sent()).toEqual([
      { phone: payee2.phone, template: 'invite_sign', text: `周付款邀请您签署《收据》，请在微信小程序“电子签”查看并签署：${link(v0.shareToken)}` },
    ]);
    await client.ok('share-open', payee2.openid, { token: v0.shareToken });
    const v = await client.ok('contract-reject', payee2.openid, { contractId: v0.id, reason: '尚未收到该笔款项' });
    await expectState(v, 'rejected', { initiator: 'confirmed', counterparty: 'rejected' });
    expect(labels(v).counterparty).toBe('已拒签');
    expect(v.actions).toEqual([]);
    expect(await sent()).toEqual([{ phone: payer.phone, template: 'rejected', text: '郑收款拒绝签署《收据》，原因：详见小程序，签署流程已终止。' }]);
  });
});

describe('R3 payer-initiated, details pending (对方填): 确认开具, the payee fills and signs', () => {
  let id: string;
  let token: string;

  test('create → draft; 确认开具 → 待补充 with no SMS (the payee is reached by the share link)', async () => {
    const v0 = await client.ok('contract-create', payer.openid, { kind: 'receipt', myRole: 'payer', counterparty: OTHER, form: form({ amountFen: 50_000_000 }) });
    ({ id, shareToken: token } = v0);
    await expectState(v0, 'draft', { initiator: 'waiting', counterparty: 'to_fill' });
    expect(v0.actions.sort()).toEqual(['issue', 'revoke']);
    const v = await client.ok('contract-issue', payer.openid, { contractId: id });
    await expectState(v, 'awaiting_fill', { initiator: 'confirmed', counterparty: 'to_fill' });
    expect(v.payment).toEqual({ status: 'waived', amountFen: 0 });
    expect(v.actions).toEqual(['revoke']);
    expect(await sent()).toEqual([]);
    expect((await client.call('contract-urge', payer.openid, { contractId: id })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('P2 the payee opens the link and confirms their details → to sign; the payer has nothing to do, no SMS', async () => {
    await client.ok('share-open', payee.openid, { token });
    const v = await client.ok('contract-fill', payee.openid, { contractId: id, name: payee.name, idNumber: payee.idNumber, phone: payee.phone });
    await expectState(v, 'awaiting_signatures', { initiator: 'confirmed', counterparty: 'to_sign' });
    expect(v.actions.sort()).toEqual(['reject', 'sign']);
    expect(await sent()).toEqual([]);
    // C3 the payee acted: the payer can no longer revoke.
    expect((await view(payer, id)).actions).toEqual([]);
  });

  test('the payee signs → signed; the payer is told; the PDF verifies and reads the full 500,000.00', async () => {
    const v = await sign(payee, id);
    await expectState(v, 'signed', { initiator: 'confirmed', counterparty: 'signed' });
    expect(await sent()).toEqual([{ phone: payer.phone, template: 'receipt_signed', text: '陈收款已签署您确认开具的《收据》，收据已生效。' }]);
    const pdf = await signedPdf(payee, id);
    expect(pdf.signers).toEqual(['陈收款']);
    for (const s of ['¥500,000.00', '伍拾万元整']) expect(pdf.text).toContain(s);
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'issued', 'share_opened', 'filled', 'signed']);
  });
});

describe('R1 limits at their exact boundaries, through contract-create', () => {
  /** A person whose `years`-th birthday is `shift` China days from today (0: today, 1: tomorrow). */
  const born = (openid: string, name: string, years: number, shift: number, seq: string): Person => {
    const [y, m, d] = today.split('-');
    const birth = addDays(`${Number(y) - years}-${m}-${d}`, shift);
    return { openid, name, idNumber: makeId(birth, { seq }), phone: `137${seq}${openid.length}0000`.slice(0, 11) };
  };
  const create = (initiator: Person, myRole: string, counterparty: unknown, f = form()) =>
    client.call('contract-create', initiator.openid, { kind: 'receipt', myRole, counterparty, form: f });

  test.each(['payee', 'payer'])('ages 18–75 (%s initiating): 18 today and 75 until the 76th birthday pass; 17 and 76 are refused', async (myRole) => {
    const turns18Today = born('o-r18', '林十八', 18, 0, '181');
    const turns18Tomorrow = born('o-r17', '林十七', 18, 1, '171');
    const turns76Tomorrow = born('o-r75', '林七五', 76, 1, '751');
    const turns76Today = born('o-r76', '林七六', 76, 0, '761');
    expect((await create(payee, myRole, me(turns18Today))).ok).toBe(true);
    expect((await create(payee, myRole, me(turns76Tomorrow))).ok).toBe(true);
    expect((await create(payee, myRole, me(turns18Tomorrow))).error).toMatchObject({ code: 'AGE_OUT_OF_RANGE', details: { age: 17, min: 18, max: 75 } });
    expect((await create(payee, myRole, me(turns76Today))).error).toMatchObject({ code: 'AGE_OUT_OF_RANGE', details: { age: 76, min: 18, max: 75 } });
    // The initiator's own age, from their verified identity: 75 may initiate, 76 may not.
    for (const p of [turns76Tomorrow, turns76Today]) await client.verify(p);
    expect((await create(turns76Tomorrow, myRole, me(payer))).ok).toBe(true);
    expect((await create(turns76Today, myRole, me(payer))).error).toMatchObject({ code: 'AGE_OUT_OF_RANGE', details: { age: 76 } });
    expect(await sent()).toEqual([]);
  });

  test('a payer who fills in later (对方填) is held to the same range on the initiation day', async () => {
    const old = born('o-r76f', '林老付', 76, 0, '762');
    await client.verify(old);
    const v = await client.ok('contract-create', payee.openid, { kind: 'receipt', myRole: 'payee', counterparty: OTHER, form: form() });
    await client.pay(payee.openid, v.id);
    await sent();
    // P3: share-open decides before binding — the place stays free for the person it was meant for.
    const r = await client.call('share-open', old.openid, { token: v.shareToken });
    expect(r.error).toMatchObject({ code: 'AGE_OUT_OF_RANGE', details: { age: 76, role: 'payer' } });
    expect((await stored(v.id)).state).toBe('awaiting_fill');
    expect((await stored(v.id)).parties[1]!.openid).toBeNull();
    expect(await sent()).toEqual([]);
  });

  test.each(['payee', 'payer'])('amount ≤ 500,000 CNY (%s initiating): 500,000.00 passes, 500,000.01 is AMOUNT_TOO_LARGE, 0 is invalid', async (myRole) => {
    const ok = await create(payee, myRole, me(payer), form({ amountFen: 50_000_000 }));
    expect(ok.ok).toBe(true);
    expect(ok.data.form.amountFen).toBe(50_000_000);
    const over = await create(payee, myRole, me(payer), form({ amountFen: 50_000_001 }));
    expect(over.error).toMatchObject({ code: 'AMOUNT_TOO_LARGE', details: { field: '/amountFen', max: 50_000_000 } });
    expect((await create(payee, myRole, me(payer), form({ amountFen: 0 }))).error?.code).toBe('VALIDATION_FAILED');
  });

  test('R1 the date received may not be after today', async () => {
    expect((await create(payee, 'payee', me(payer), form({ receivedDate: today }))).ok).toBe(true);
    expect((await create(payee, 'payee', me(payer), form({ receivedDate: addDays(today, 1) }))).error?.code).toBe('INVALID_DATE');
  });
});
