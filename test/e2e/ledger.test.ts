/**
 * The IOU's life after signing (SPEC L1–L4) through the emulator, as the mini-program drives it:
 * three instalments, two partial repayments confirmed, one disputed, an extension signed by both,
 * a repayment the lender records, then the ledger at zero and 结清.
 *
 * Every figure is worked by hand below from the rules (simple interest by the day at rate ÷ 365 on
 * the unpaid principal, cut to the fen; overdue principal at the agreed overdue rate instead of
 * the loan rate; a payment to interest first, then the earliest instalment — Civil Code art. 561,
 * 560), not from the code. Day n means n days after the IOU was signed and the money lent (T0).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ContractEvent } from '../../shared/domain/events';
import { verifyChain } from '../../shared/domain/events';
import type { Contract } from '../../shared/domain/contract';
import { addDays, addMonths } from '../../shared/rules/dates';
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { PNG } from 'pngjs';

let emu: Emulator;
let client: Client;
let dir: string;
const lender = person('o-ledger-lender', '王五', 40);
const borrower = person('o-ledger-borrower', '赵六', 30);
const stranger = person('o-ledger-stranger', '钱七', 30);
const D = 3_650_000; // fen × bp × days ÷ D = fen

let T0: string;
let id: string;
const day = (n: number) => addDays(T0, n);
const ledgerAt = (n: number, who = borrower) => client.ok('ledger-get', who.openid, { contractId: id, asOf: day(n) });
const events = async () => emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
const upload = async (openid: string, name: string, bytes: Uint8Array): Promise<string> => {
  const res = await fetch(`${emu.url}/_emulator/storage/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-openid': openid, 'content-type': 'application/octet-stream' }, body: bytes });
  expect(res.status).toBe(200);
  return ((await res.json()) as { fileID: string }).fileID;
};
const transferScreenshot = (): Buffer => {
  const png = new PNG({ width: 40, height: 60 });
  png.data.fill(200);
  return PNG.sync.write(png);
};
const goTo = async (n: number) => {
  const now = client.today();
  const ahead = Math.round((Date.parse(day(n)) - Date.parse(now)) / 86_400_000);
  if (ahead > 0) await client.advance(ahead);
};

beforeAll(async () => {
  ({ emu, client, dir } = await startTestEmulator('ledger'));
  for (const p of [lender, borrower, stranger]) await client.verify(p);
  // Noon China time, so moving whole days never crosses midnight on the way.
  await client.advanceToChinaHour(12);
  T0 = client.today();
  const form = iouForm(T0, {
    amountFen: 1_200_000,
    annualRateBp: 1000,
    repayDate: addDays(T0, 90),
    repaymentPlan: [
      { dueDate: addDays(T0, 30), principalFen: 400_000 },
      { dueDate: addDays(T0, 60), principalFen: 400_000 },
      { dueDate: addDays(T0, 90), principalFen: 400_000 },
    ],
    supplement: { overdueRateBp: 1200 },
  });
  const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form });
  id = v.id;
  await client.pay(lender.openid, id);
  await client.ok('share-open', borrower.openid, { token: v.shareToken });
  await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: await client.face(lender, 'sign', id), signature: { type: 'seal' } });
  const signed = await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'sign', id), signature: { type: 'seal' } });
  expect(signed.state).toBe('signed');
  await client.ok('reminder-set', borrower.openid, { contractId: id, enabled: true });
});
afterAll(() => emu.close());

describe('L1–L4 an IOU with three instalments, from the first repayment to 结清', () => {
  let firstId: string;

  test('L1 before anything: day 10 owes 10 days of 10% on 12 000 yuan, nothing due', async () => {
    const l = await ledgerAt(10);
    // 1 200 000 × 1000 × 10 / D = 3 287.67 → 3 287
    expect(l).toMatchObject({ principalOutstandingFen: 1_200_000, interestOutstandingFen: Math.floor((1_200_000 * 1000 * 10) / D), overdueInterestOutstandingFen: 0, dueNowFen: 3_287, cleared: false });
    expect(l.instalments.map((i: any) => i.status)).toEqual(['upcoming', 'upcoming', 'upcoming']);
    await goTo(10);
    expect((await client.call('demand-send', lender.openid, { contractId: id })).error?.code).toBe('NOTHING_OVERDUE');
  });

  test('L1 a stranger sees nothing; only the lender confirms; a repayment in the future or above the balance is refused', async () => {
    await goTo(20);
    expect((await client.call('ledger-get', stranger.openid, { contractId: id })).error?.code).toBe('NOT_FOUND');
    expect((await client.call('repayment-record', borrower.openid, { contractId: id, amountFen: 100, paidOn: day(21), channel: 'wechat' })).error?.code).toBe('INVALID_DATE');
    expect((await client.call('repayment-record', borrower.openid, { contractId: id, amountFen: 1_300_000, paidOn: day(20), channel: 'wechat' })).error).toMatchObject({ code: 'REPAYMENT_EXCEEDS_BALANCE' });
    expect((await client.call('repayment-record', lender.openid, { contractId: id, amountFen: 100, paidOn: day(20), channel: 'cash' })).error?.code).toBe('VALIDATION_FAILED');
    expect(await emu.container.store.find('repayments', { contractId: id })).toEqual([]);
  });

  test('L1 day 20: the borrower records 3 000 yuan; it counts for nothing until the lender confirms, who is told by SMS', async () => {
    // a corrupt photo is refused by decoding, and nothing is stored
    const corrupt = transferScreenshot().subarray(0, 60);
    const bad = await client.call('repayment-record', borrower.openid, { contractId: id, amountFen: 300_000, paidOn: day(20), channel: 'bank_transfer', photoFileID: await upload(borrower.openid, 'transfer.png', corrupt) });
    expect(bad.error?.code).toBe('IMAGE_UNREADABLE');
    expect(await emu.container.store.find('repayments', { contractId: id })).toEqual([]);
    // someone else's upload is not theirs to attach
    const others = await client.call('repayment-record', borrower.openid, { contractId: id, amountFen: 300_000, paidOn: day(20), channel: 'bank_transfer', photoFileID: await upload(stranger.openid, 'x.png', transferScreenshot()) });
    expect(others.error?.code).toBe('NOT_FOUND');
    const shot = transferScreenshot();
    const r = await client.ok('repayment-record', borrower.openid, { contractId: id, amountFen: 300_000, paidOn: day(20), channel: 'bank_transfer', photoFileID: await upload(borrower.openid, 'transfer.png', shot) });
    firstId = r.repayment.repaymentId;
    expect(r.repayment.photo).toEqual({ sha256: createHash('sha256').update(shot).digest('hex') });
    const link = await client.ok('contract-download', lender.openid, { contractId: id, document: 'repayment_photo', repaymentId: firstId });
    expect(Buffer.from(await (await fetch(`${emu.url}${link.url}`)).arrayBuffer()).equals(shot)).toBe(true);
    expect(r.repayment).toMatchObject({ status: 'recorded', amountFen: 300_000 });
    expect(r.ledger.principalOutstandingFen).toBe(1_200_000);
    const sms = await client.sms(lender.phone);
    expect(sms.at(-1)).toMatchObject({ template: 'repayment_recorded' });
    expect(sms.at(-1)!.text).not.toMatch(/3000|300000|¥/);
    expect((await client.call('repayment-confirm', borrower.openid, { contractId: id, repaymentId: firstId, bizToken: 'x'.repeat(16) })).error?.code).toBe('FORBIDDEN');
  });

  test('L1/L2 the lender confirms after a face check: interest first (art. 561), the rest to the first instalment', async () => {
    const r = await client.ok('repayment-confirm', lender.openid, { contractId: id, repaymentId: firstId, bizToken: await client.face(lender, 'repayment_confirm', id) });
    // interest to day 20: 1 200 000 × 1000 × 20 / D = 6 575.34 → 6 575; principal 300 000 − 6 575 = 293 425
    expect(r.ledger.applied).toEqual([{ id: firstId, paidOn: day(20), amountFen: 300_000, toInterestFen: 6_575, toPrincipalFen: 293_425, toCreditFen: 0 }]);
    expect(r.ledger.instalments[0]).toMatchObject({ principalOutstandingFen: 400_000 - 293_425, status: 'upcoming' });
    expect((await client.call('repayment-confirm', lender.openid, { contractId: id, repaymentId: firstId, bizToken: await client.face(lender, 'repayment_confirm', id) })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('L1 day 25: a second recorded repayment is disputed and never counts', async () => {
    await goTo(25);
    const r = await client.ok('repayment-record', borrower.openid, { contractId: id, amountFen: 50_000, paidOn: day(25), channel: 'wechat' });
    const d = await client.ok('repayment-dispute', lender.openid, { contractId: id, repaymentId: r.repayment.repaymentId, reason: '  未收到该笔转账  ' });
    expect(d.repayment).toMatchObject({ status: 'disputed', disputeReason: '未收到该笔转账' });
    expect((await client.call('repayment-dispute', lender.openid, { contractId: id, repaymentId: r.repayment.repaymentId, reason: '   ' })).error?.code).toBe('VALIDATION_FAILED');
    expect(d.ledger.applied).toHaveLength(1);
  });

  test('I8 day 30: the partly paid first instalment is reminded; the ledger says what is still owed on it', async () => {
    await goTo(30);
    expect((await client.timer('timer-repayment-reminders')).data).toMatchObject({ sent: 1, cancelled: 0 });
    const sms = (await client.sms(borrower.phone)).filter((m) => m.template === 'repayment_due');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.text).not.toMatch(/\d{3,}|元/); // no amounts in an SMS (Tencent's rules)
    expect((await ledgerAt(30)).instalments[0]).toMatchObject({ status: 'due', principalOutstandingFen: 400_000 - 293_425 });
  });

  test('L2 day 40: the first instalment is 10 days overdue at the agreed overdue rate', async () => {
    const l = await ledgerAt(40, lender);
    const inst1 = 400_000 - 293_425; // 106 575
    // loan-rate interest: 1 200 000 × 20 days, then inst1 × 10 days (to its due day 30) and 800 000 × 20 days
    const loanNum = 1000 * (1_200_000 * 20 + inst1 * 10 + 800_000 * 20);
    const overdue = Math.floor((inst1 * 1200 * 10) / D); // 350
    expect(l.interestOutstandingFen).toBe(Math.floor(loanNum / D) - 6_575); // 11 250 − 6 575 = 4 675
    expect(l.overdueInterestOutstandingFen).toBe(overdue);
    expect(l.instalments[0]).toMatchObject({ status: 'overdue', overdueDays: 10, overdueRateBp: 1200, principalOutstandingFen: inst1 });
    expect(l.dueNowFen).toBe(inst1 + 4_675 + 350);
    expect(l.totalOutstandingFen).toBe(906_575 + 4_675 + 350);
  });

  test('L3 day 40: the lender sends a demand notice; its text is made from the ledger, the SMS carries no amount, the ledger shows it delivered', async () => {
    await goTo(40);
    expect((await client.call('demand-send', borrower.openid, { contractId: id })).error?.code).toBe('FORBIDDEN');
    const r = await client.ok('demand-send', lender.openid, { contractId: id });
    expect(r.demand).toMatchObject({ sentOn: day(40), overdueFen: 106_575 + 4_675 + 350, delivery: 'sent' });
    expect(r.demand.text).toContain('已到期未还本金1,065.75元');
    expect(r.demand.text).toContain('合计1,116.00元');
    expect(r.demand.text).toContain('第一百九十五条');
    const sms = (await client.sms(borrower.phone)).at(-1)!;
    expect(sms.template).toBe('demand_notice');
    expect(sms.text).not.toMatch(/\d{3,}|元/);
    // once a day per IOU (config/messages.json rateLimits.demand): nothing stored, nothing sent
    const again = await client.call('demand-send', lender.openid, { contractId: id });
    expect(again.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
    expect(await emu.container.store.find('demands', { contractId: id })).toHaveLength(1);
    expect((await client.sms(borrower.phone)).filter((m) => m.template === 'demand_notice')).toHaveLength(1);
  });

  let extensionId: string;
  test('L3 day 45: the borrower proposes a new plan and signs; the lender signs it; the ledger follows it', async () => {
    await goTo(45);
    const wrong = await client.call('extension-propose', borrower.openid, { contractId: id, plan: [{ dueDate: day(120), principalFen: 900_000 }], bizToken: 'x'.repeat(16) });
    expect(wrong.error?.code).toBe('VALIDATION_FAILED');
    const plan = [{ dueDate: day(120), principalFen: 406_575 }, { dueDate: day(150), principalFen: 500_000 }];
    const p = await client.ok('extension-propose', borrower.openid, { contractId: id, plan, bizToken: await client.face(borrower, 'extension_propose', id) });
    extensionId = p.extensionId;
    expect(p).toMatchObject({ status: 'proposed', principalFen: 906_575, signatures: [{ party: 1 }] });
    expect((await client.sms(lender.phone)).at(-1)).toMatchObject({ template: 'extension_proposed' });
    expect((await client.call('extension-sign', borrower.openid, { contractId: id, extensionId, bizToken: 'x'.repeat(16) })).error?.code).toBe('FORBIDDEN');
    expect((await client.call('extension-propose', lender.openid, { contractId: id, plan, bizToken: 'x'.repeat(16) })).error?.code).toBe('EXTENSION_PENDING');
    const s = await client.ok('extension-sign', lender.openid, { contractId: id, extensionId, bizToken: await client.face(lender, 'extension_sign', id) });
    expect(s.extension).toMatchObject({ status: 'signed', signatures: [{ party: 1 }, { party: 0 }] });
    expect(s.ledger.instalments.map((i: any) => [i.dueDate, i.status])).toEqual([
      [day(30), 'superseded'], [day(60), 'superseded'], [day(90), 'superseded'], [day(120), 'upcoming'], [day(150), 'upcoming'],
    ]);
  });

  test('L3 the extension agreement carries both parties\' valid signatures (pdfsig)', async () => {
    const rec = (await emu.container.store.get<any>('extensions', extensionId))!;
    const file = path.join(dir, 'extension.pdf');
    fs.writeFileSync(file, (await emu.container.files.get(rec.document.key))!);
    const out = execFileSync('pdfsig', [file], { encoding: 'utf8' });
    expect(out.match(/Signature is Valid/g)).toHaveLength(2);
    expect(out).toContain(borrower.name);
    expect(out).toContain(lender.name);
  });

  test('L2/L3 day 60: overdue interest run before the extension stays owed; nothing is due under the new plan', async () => {
    const l = await ledgerAt(60);
    const inst1 = 106_575;
    const loanNum = 1000 * (1_200_000 * 20 + inst1 * 10 + 800_000 * 20 + 800_000 * 5 + 906_575 * 15);
    const overdue = Math.floor((inst1 * 1200 * 15) / D); // days 30..45: 525
    expect(l.interestOutstandingFen).toBe(Math.floor(loanNum / D) - 6_575); // 16 072 − 6 575 = 9 497
    expect(l.overdueInterestOutstandingFen).toBe(overdue);
    expect(l.dueNowFen).toBe(9_497 + 525);
    expect(l.limitation).toEqual({ runsFrom: day(150), endsOn: addMonths(day(150), 36), interruptedOn: [] });
  });

  test('L1 day 120: the lender records 4 200 yuan received (face check): overdue interest, interest, then principal', async () => {
    await goTo(120);
    const r = await client.ok('repayment-record', lender.openid, { contractId: id, amountFen: 420_000, paidOn: day(120), channel: 'wechat', bizToken: await client.face(lender, 'repayment_confirm', id) });
    expect(r.repayment.status).toBe('confirmed');
    const loanNum = 1000 * (1_200_000 * 20 + 106_575 * 10 + 800_000 * 20 + 800_000 * 5 + 906_575 * 75);
    const interest = Math.floor(loanNum / D) - 6_575; // 30 975 − 6 575 = 24 400
    expect(interest).toBe(24_400);
    expect(r.ledger.applied.at(-1)).toEqual({ id: r.repayment.repaymentId, paidOn: day(120), amountFen: 420_000, toInterestFen: 525 + interest, toPrincipalFen: 420_000 - 525 - interest, toCreditFen: 0 });
    const l = await ledgerAt(120);
    expect(l).toMatchObject({ principalOutstandingFen: 906_575 - (420_000 - 525 - 24_400), interestOutstandingFen: 0, overdueInterestOutstandingFen: 0 });
    expect(l.instalments[3]).toMatchObject({ status: 'due', principalOutstandingFen: 406_575 - (420_000 - 525 - 24_400) });
  });

  test('L4 day 130: the borrower pays the rest; once confirmed the ledger is zero and both are told they can settle', async () => {
    await goTo(130);
    const instA = 406_575 - (420_000 - 525 - 24_400); // 11 500, overdue from day 120
    const loanNum = 1000 * (1_200_000 * 20 + 106_575 * 10 + 800_000 * 20 + 800_000 * 5 + 906_575 * 75 + 500_000 * 10);
    const overdueNum = 1200 * (106_575 * 15 + instA * 10);
    const rest = instA + 500_000 + (Math.floor(loanNum / D) - 6_575 - 24_400) + (Math.floor(overdueNum / D) - 525);
    expect(rest).toBe(511_500 + 1_369 + 38); // 32 344 − 30 975 = 1 369 interest; 563 − 525 = 38 overdue
    expect((await ledgerAt(130)).totalOutstandingFen).toBe(rest);
    const r = await client.ok('repayment-record', borrower.openid, { contractId: id, amountFen: rest, paidOn: day(130), channel: 'bank_transfer' });
    const c = await client.ok('repayment-confirm', lender.openid, { contractId: id, repaymentId: r.repayment.repaymentId, bizToken: await client.face(lender, 'repayment_confirm', id) });
    expect(c.ledger).toMatchObject({ cleared: true, totalOutstandingFen: 0, overpaidFen: 0 });
    expect((await client.sms(lender.phone)).at(-1)).toMatchObject({ template: 'ledger_cleared' });
    expect((await client.sms(borrower.phone)).at(-1)).toMatchObject({ template: 'ledger_cleared' });
  });

  test('I8 day 150: both instalments of the new plan were paid by day 130, so their reminders are cancelled and nothing is sent', async () => {
    const before = (await client.sms(borrower.phone)).filter((m) => m.template === 'repayment_due').length;
    await goTo(150);
    expect((await client.timer('timer-repayment-reminders')).data).toMatchObject({ sent: 0, cancelled: 2 });
    expect((await client.sms(borrower.phone)).filter((m) => m.template === 'repayment_due')).toHaveLength(before);
  });

  test('L4 结清: the borrower requests, the lender confirms; the lender\'s signed settlement certificate is there for both', async () => {
    await client.ok('settle-request', borrower.openid, { contractId: id, reason: '已全部还清', bizToken: await client.face(borrower, 'settle_request', id) });
    const v = await client.ok('settle-confirm', lender.openid, { contractId: id, bizToken: await client.face(lender, 'settle_confirm', id) });
    expect(v.state).toBe('settled');
    expect(v.settlementCertificate).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const who of [lender, borrower]) {
      const d = await client.ok('contract-download', who.openid, { contractId: id, document: 'settlement_certificate' });
      expect(d).toMatchObject({ sha256: v.settlementCertificate.sha256, preview: false });
    }
    const stored = (await emu.container.store.get<Contract>('contracts', id))!;
    const file = path.join(dir, 'settlement.pdf');
    fs.writeFileSync(file, (await emu.container.files.get(stored.settlementCertificate!.key))!);
    const out = execFileSync('pdfsig', [file], { encoding: 'utf8' });
    expect(out.match(/Signature is Valid/g)).toHaveLength(1);
    expect(out).toContain(lender.name);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    // everything repaid through the ledger: 300 000 + 420 000 + 512 907 fen
    expect(text).toContain('¥12,329.07');
    // Its own number is a 证明编号; the only 合同编号 would be the IOU's (issue 15 item 6).
    expect(text).toContain(`证明编号：${stored.contractNo}-JQ`);
    expect(text).not.toContain('合同编号');
    expect((await client.call('contract-download', stranger.openid, { contractId: id, document: 'settlement_certificate' })).error?.code).toBe('NOT_FOUND');
    // the ledger stays readable after settlement
    expect((await client.ok('ledger-get', borrower.openid, { contractId: id })).cleared).toBe(true);
  });

  test('L4/C9 the evidence report lists the ledger, the extension, the demand notice with its delivery, and the settlement certificate', async () => {
    const ordered = await client.ok('evidence-report-request', lender.openid, { contractId: id, email: 'ledger@example.com', quotedAmountFen: 990 });
    await client.payOrder(ordered.orderId);
    await client.timer('timer-outbox'); // the worker builds and emails the paid report (issue 16 item 4)
    const mail = (await client.raw('GET', '/outbox/email?to=ledger@example.com')).json.messages;
    expect(mail).toHaveLength(1);
    const file = path.join(dir, 'report.pdf');
    fs.writeFileSync(file, Buffer.from(await (await fetch(`${emu.url}${mail[0].attachments[0].url}`)).arrayBuffer()));
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    const stored = (await emu.container.store.get<Contract>('contracts', id))!;
    for (const s of ['还款台账', '¥3,000.00', '¥500.00', '有异议', '已确认', '银行转账', '催告', '已送达', '¥1,116.00', '展期', '已签署', '发送催告', '确认还款', stored.settlementCertificate!.sha256.slice(0, 16)]) expect(text).toContain(s);
    expect(text).toContain('尚欠合计¥0.00');
  });

  test('the chain holds every ledger act, in order, and verifies', async () => {
    const evs = await events();
    expect(evs.map((e) => e.type).filter((t) => /repayment|extension|ledger|demand/.test(t))).toEqual([
      'repayment_recorded', 'repayment_confirmed', 'repayment_recorded', 'repayment_disputed', 'demand_sent', 'extension_proposed', 'extension_signed',
      'repayment_confirmed', 'repayment_recorded', 'repayment_confirmed', 'ledger_cleared',
    ]);
    expect(evs.slice(-3).map((e) => e.type)).toEqual(['settle_requested', 'settle_confirmed', 'report_sent']);
    const stored = (await emu.container.store.get<Contract>('contracts', id))!;
    expect(verifyChain(evs, stored.eventHead)).toEqual({ ok: true });
  });
});
