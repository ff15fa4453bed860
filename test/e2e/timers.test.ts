/**
 * S1 timers and the initiator's tools: C2 expiry after 30 days, I8 one SMS per due instalment
 * (never twice, also when two runs overlap), C3 revoke hides the contract from the other party,
 * R4 催办 is rate-limited.
 */
import { smsDate } from '../../shared/messages/sms-templates';
import type { ContractEvent } from '../../shared/domain/events';
import type { Contract } from '../../shared/domain/contract';
import { addDays, chinaDay } from '../../shared/rules/dates';
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const lender = person('o-tl', '冯一', 45);
const borrower = person('o-tb', '陈二', 30);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('timers'));
  await client.verify(lender);
  await client.verify(borrower);
});
afterAll(() => emu.close());

const stored = (id: string) => emu.container.store.get<Contract>('contracts', id);
const countEvents = async (id: string, type: string) => (await emu.container.store.find<ContractEvent>('events', { contractId: id, type })).length;

const create = async (form = iouForm(client.today()), fillMode: 'me' | 'other' = 'me') =>
  client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender',
    counterparty: fillMode === 'me' ? { fillMode, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone } : { fillMode },
    form,
  });

describe('C2 expiry', () => {
  test('30 days after initiation, not a minute before; two overlapping runs expire it once and send one SMS each', async () => {
    const v = await create();
    await client.pay(lender.openid, v.id);
    const draft = await create(); // never initiated: no 30-day clock
    await client.advance(29);
    await client.raw('POST', '/_emulator/clock', { advanceMinutes: 24 * 60 - 1 });
    expect((await client.timer('timer-expire')).data).toEqual({ expired: 0, skipped: 0 });
    expect((await stored(v.id))!.state).toBe('awaiting_signatures');
    await client.raw('POST', '/_emulator/clock', { advanceMinutes: 1 });
    const [r1, r2] = await Promise.all([client.timer('timer-expire'), client.timer('timer-expire')]);
    expect(r1.data.expired + r2.data.expired).toBe(1);
    expect((await stored(v.id))!.state).toBe('expired');
    expect((await stored(draft.id))!.state).toBe('draft');
    expect(await countEvents(v.id, 'expired')).toBe(1);
    const expiredSms = (await client.sms()).filter((m) => m.template === 'expired');
    expect(expiredSms.map((m) => m.phone).sort()).toEqual([lender.phone, borrower.phone].sort());
    // N1: the text as the user reads it, with no stray parameter.
    const due = smsDate(chinaDay(new Date(Date.parse((await stored(v.id))!.initiatedAt!) + 30 * 86_400_000)));
    expect(expiredSms.map((m) => m.text)).toEqual([`您参与的《借条》未在${due}前完成签署，已过期失效。`, `您参与的《借条》未在${due}前完成签署，已过期失效。`]);
    expect((await client.timer('timer-expire')).data).toEqual({ expired: 0, skipped: 0 });
  });

  test('a contract signed before its 30 days is never expired', async () => {
    const v = await create();
    await client.pay(lender.openid, v.id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    await client.ok('contract-sign', lender.openid, { contractId: v.id, bizToken: await client.face(lender, 'sign', v.id), signature: { type: 'seal' } });
    await client.ok('contract-sign', borrower.openid, { contractId: v.id, bizToken: await client.face(borrower, 'sign', v.id), signature: { type: 'seal' } });
    await client.advance(31);
    await client.timer('timer-expire');
    expect((await stored(v.id))!.state).toBe('signed');
  });
});

describe('I8 repayment reminders', () => {
  test('one SMS per due instalment on its date, never twice; only the borrower may switch them; settling cancels the rest', async () => {
    const today = client.today();
    const form = iouForm(today, {
      repayDate: addDays(today, 60),
      repaymentPlan: [{ dueDate: addDays(today, 1), principalFen: 400_000 }, { dueDate: addDays(today, 30), principalFen: 300_000 }, { dueDate: addDays(today, 60), principalFen: 300_000 }],
    });
    const v = await create(form);
    await client.pay(lender.openid, v.id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    expect((await client.call('reminder-set', lender.openid, { contractId: v.id, enabled: true })).error?.code).toBe('FORBIDDEN');
    const on = await client.ok('reminder-set', borrower.openid, { contractId: v.id, enabled: true });
    expect(on.reminders).toEqual({ enabled: true });
    await client.ok('contract-sign', lender.openid, { contractId: v.id, bizToken: await client.face(lender, 'sign', v.id), signature: { type: 'seal' } });
    await client.ok('contract-sign', borrower.openid, { contractId: v.id, bizToken: await client.face(borrower, 'sign', v.id), signature: { type: 'seal' } });

    const dueSms = async () => (await client.sms(borrower.phone)).filter((m) => m.template === 'repayment_due');
    await client.timer('timer-repayment-reminders');
    expect(await dueSms()).toHaveLength(0); // nothing due today

    await client.advance(1);
    const runs = await Promise.all([client.timer('timer-repayment-reminders'), client.timer('timer-repayment-reminders'), client.timer('timer-repayment-reminders')]);
    expect(runs.reduce((n, r) => n + r.data.sent, 0)).toBe(1);
    await client.timer('timer-repayment-reminders');
    const first = await dueSms();
    expect(first).toHaveLength(1);
    // N1 under Tencent's rules: the day as 6 characters at most, no amount (it is in the mini-program).
    expect(first[0]!.text).toBe(`还款提醒：您在《借条》中约定的一期还款于${smsDate(addDays(today, 1))}到期，详情请打开微信小程序“电子签”查看。`);
    expect((await client.sms(lender.phone)).filter((m) => m.template === 'repayment_due')).toHaveLength(0);

    await client.advance(29);
    await client.timer('timer-repayment-reminders');
    await client.timer('timer-repayment-reminders');
    expect(await dueSms()).toHaveLength(2);

    await client.ok('settle-request', lender.openid, { contractId: v.id, reason: '已还清', bizToken: await client.face(lender, 'settle_request', v.id) });
    await client.ok('settle-confirm', borrower.openid, { contractId: v.id, bizToken: await client.face(borrower, 'settle_confirm', v.id) });
    await client.advance(30);
    await client.timer('timer-repayment-reminders');
    expect(await dueSms()).toHaveLength(2);
  });
});

describe('C3 revoke and R4 催办', () => {
  test('revoke while the other party has done nothing: they no longer see it; after they acted, revoke is refused', async () => {
    const v = await create();
    await client.pay(lender.openid, v.id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    expect((await client.ok('contract-list', borrower.openid, {})).items.map((i: { id: string }) => i.id)).toContain(v.id);
    const revoked = await client.ok('contract-revoke', lender.openid, { contractId: v.id });
    expect(revoked.state).toBe('revoked');
    expect((await client.call('contract-get', borrower.openid, { contractId: v.id })).error?.code).toBe('NOT_FOUND');
    expect((await client.ok('contract-list', borrower.openid, {})).items.map((i: { id: string }) => i.id)).not.toContain(v.id);
    expect((await client.ok('contract-get', lender.openid, { contractId: v.id })).state).toBe('revoked');

    const w = await create(iouForm(client.today()), 'other');
    await client.pay(lender.openid, w.id);
    await client.ok('share-open', borrower.openid, { token: w.shareToken });
    await client.ok('contract-fill', borrower.openid, { contractId: w.id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
    expect((await client.call('contract-revoke', lender.openid, { contractId: w.id })).error?.code).toBe('INVALID_TRANSITION');
    expect((await client.call('contract-revoke', borrower.openid, { contractId: w.id })).error?.code).toBe('INVALID_TRANSITION');
  });

  test('催办 re-sends the SMS to the party whose turn it is, at most once per 10 minutes and 5 times a day', async () => {
    await client.advanceToChinaHour(9); // the whole test stays within one China day
    const v = await create();
    await client.pay(lender.openid, v.id);
    // The lender is to sign first: nothing to urge yet.
    expect((await client.call('contract-urge', lender.openid, { contractId: v.id })).error?.code).toBe('INVALID_TRANSITION');
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    await client.ok('contract-sign', lender.openid, { contractId: v.id, bizToken: await client.face(lender, 'sign', v.id), signature: { type: 'seal' } });
    expect((await client.call('contract-urge', borrower.openid, { contractId: v.id })).error?.code).toBe('FORBIDDEN');
    const before = (await client.sms(borrower.phone)).length;
    const sent = await client.ok('contract-urge', lender.openid, { contractId: v.id });
    expect(sent).toEqual({ sent: true, to: `${borrower.phone.slice(0, 3)}****${borrower.phone.slice(-4)}` });
    const again = await client.call('contract-urge', lender.openid, { contractId: v.id });
    expect(again.error?.code).toBe('RATE_LIMITED');
    for (let i = 0; i < 4; i++) {
      await client.raw('POST', '/_emulator/clock', { advanceMinutes: 10 });
      await client.ok('contract-urge', lender.openid, { contractId: v.id });
    }
    await client.raw('POST', '/_emulator/clock', { advanceMinutes: 10 });
    expect((await client.call('contract-urge', lender.openid, { contractId: v.id })).error?.code).toBe('RATE_LIMITED');
    const urges = (await client.sms(borrower.phone)).slice(before);
    expect(urges.map((m) => m.template)).toEqual(['urge', 'urge', 'urge', 'urge', 'urge']);
    expect(urges[0]!.text).toContain('（待您签署）');
    expect(await countEvents(v.id, 'urged')).toBe(5);
  });
});
