/**
 * A paid evidence report (SPEC C9, F2, F3) through the functions' real main()s and the real WeChat
 * Pay notification (built by the simulator): when the email fails after the payment, the paid
 * request is kept on the order — the reconcile timer retries it, backing off, and the party may ask
 * again (a corrected address) without paying again; the address never reaches a log unmasked.
 */
import type { Order } from '../../shared/payments/orders';
import { MAX_ATTEMPTS, RETRY_MINUTES } from '../../shared/evidence/report-delivery';
import type { MailMessage, MailResult } from '../../shared/ports/mailer';
import { httpEvent, paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';

jest.setTimeout(60_000);

let h: PaymentsHarness;
let lender: Person;
let borrower: Person;
let contractId: string;

/**
 * The payer pays at WeChat Pay and its notification reaches the webhook, which only queues the
 * report (issue 16 item 4): nothing is mailed until the outbox worker runs, once, right after.
 */
const payAndNotify = async (orderId: string) => {
  h.sim().pay(orderId);
  const mailed = tries.length;
  const answer = await h.main('payment-notify')(httpEvent(h.sim().buildNotification({ outTradeNo: orderId })), { requestId: 'ev-test' });
  const order = await h.orderOf(orderId);
  if (order.report) {
    expect(order.report.status).toBe('due');
    expect(tries.length).toBe(mailed);
    await h.outbox();
  }
  return answer;
};
const reportEvents = async () => (await h.eventsOf(contractId)).filter((e) => e.type === 'report_sent');
const reportSms = async () => (await h.c.store.find<{ _id: string; template: string; phone: string }>('sms_outbox', {}, { limit: 1000 })).filter((m) => m.template === 'report_sent');
const sentTo = async (to: string) => h.c.store.find<{ _id: string; to: string; subject: string }>('email_outbox', { to }, { limit: 100 });

/** The mailer refuses while `failing` (as SES does when throttled), else the local outbox sends. */
let failing = false;
const tries: string[] = [];

beforeAll(async () => {
  h = await paymentsHarness('evidence-report');
  lender = await h.verified('o-er-lender', '郭靖');
  borrower = await h.verified('o-er-borrower', '黄蓉');
  const v = await h.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: (await import('../support/emulator')).iouForm('2026-03-15'),
  });
  contractId = v.id;
  const paid = await h.ok('contract-pay', lender.openid, { contractId });
  expect((await payAndNotify(paid.orderId)).statusCode).toBe(204);
  await h.ok('share-open', borrower.openid, { token: v.shareToken });
  for (const p of [lender, borrower]) {
    const { bizToken } = await h.ok('face-start', p.openid, { purpose: 'sign', contractId });
    h.c.local!.face.complete(bizToken, true);
    await h.ok('contract-sign', p.openid, { contractId, bizToken, signature: { type: 'seal' } });
  }
  const send = h.c.mailer.send.bind(h.c.mailer);
  h.c.mailer.send = async (m: MailMessage): Promise<MailResult> => {
    tries.push(m.to);
    return failing ? { ok: false, code: 'FailedOperation.FrequencyLimit', message: `too many mails to ${m.to}` } : send(m);
  };
});
afterAll(() => h.close());

test('the email fails after payment: 204 all the same, the request kept as failed with a retry time; the timer sends it once when due', async () => {
  const asked = await h.ok('evidence-report-request', lender.openid, { contractId, email: 'guojing@example.com', quotedAmountFen: 990 });
  failing = true;
  const paidAt = h.clock.now().getTime();
  expect((await payAndNotify(asked.orderId)).statusCode).toBe(204);
  expect(await h.orderOf(asked.orderId)).toMatchObject({
    status: 'paid', applied: true,
    report: { status: 'failed', attempts: 1, lastError: 'PROVIDER_ERROR', email: 'guojing@example.com', retryAt: new Date(paidAt + RETRY_MINUTES * 60_000).toISOString() },
  });
  expect(await reportEvents()).toHaveLength(0);
  expect(await reportSms()).toHaveLength(0);
  // A duplicate notification does not retry on its own (the timer and the party do).
  expect((await h.main('payment-notify')(httpEvent(h.sim().buildNotification({ outTradeNo: asked.orderId })), {})).statusCode).toBe(204);
  expect(tries).toEqual(['guojing@example.com']);

  failing = false;
  h.clock.advance((RETRY_MINUTES - 1) * 60_000);
  expect((await h.reconcile()).reports).toEqual({ sent: 0, failed: 0 });
  h.clock.advance(60_000);
  expect((await h.reconcile()).reports).toEqual({ sent: 1, failed: 0 });
  expect((await h.reconcile()).reports).toEqual({ sent: 0, failed: 0 });
  expect(await sentTo('guojing@example.com')).toHaveLength(1);
  expect(await h.orderOf(asked.orderId)).toMatchObject({ report: { status: 'sent', attempts: 2, retryAt: null, lastError: null } });
  expect((await reportEvents()).map((e) => e.data.orderId)).toEqual([asked.orderId]);
  expect(await reportSms()).toHaveLength(1);

  // The address reached no log line unmasked; the masked one did.
  const logs = h.lines.join('\n');
  expect(logs).not.toContain('guojing@example.com');
  expect(logs).toContain('g***@example.com');
});

test('asking again after a failed email sends the paid report to the corrected address, with no new order or charge', async () => {
  const asked = await h.ok('evidence-report-request', borrower.openid, { contractId, email: 'huang@exmaple.com' });
  failing = true;
  expect((await payAndNotify(asked.orderId)).statusCode).toBe(204);
  const again = await h.call('evidence-report-request', borrower.openid, { contractId, email: 'huang@exmaple.com' });
  expect(again.error).toMatchObject({ code: 'PROVIDER_ERROR', details: { orderId: asked.orderId, paid: true } });
  expect((await h.orderOf(asked.orderId)).report).toMatchObject({ status: 'failed', attempts: 2 });

  failing = false;
  const ordersBefore = (await h.c.store.find<Order>('orders', { contractId })).length;
  const fixed = await h.ok('evidence-report-request', borrower.openid, { contractId, email: 'huang@example.com' });
  expect(fixed).toMatchObject({ orderId: asked.orderId, amountFen: 990, paid: true, sentTo: 'huang@example.com', reportNo: (await h.orderOf(asked.orderId)).report!.reportNo });
  expect(await h.c.store.find<Order>('orders', { contractId })).toHaveLength(ordersBefore);
  expect(await sentTo('huang@example.com')).toHaveLength(1);
  expect(await sentTo('huang@exmaple.com')).toHaveLength(0);
  expect((await reportEvents()).at(-1)).toMatchObject({ actor: { role: 'counterparty' }, data: { orderId: asked.orderId, amountFen: 990 } });
  expect(await reportSms()).toHaveLength(2);
  // Sent: the timer has nothing to do, and the next request is a new, paid one.
  expect((await h.reconcile()).reports).toEqual({ sent: 0, failed: 0 });
  expect(await h.ok('evidence-report-request', borrower.openid, { contractId, email: 'huang@example.com' })).toMatchObject({ paid: false, amountFen: 990 });
  expect(h.lines.join('\n')).not.toMatch(/huang@ex(a|m)/);
});

test(`the timer gives up after ${MAX_ATTEMPTS} failed attempts; the party can still have it sent`, async () => {
  const asked = await h.ok('evidence-report-request', lender.openid, { contractId, email: 'guo2@example.com' });
  failing = true;
  await payAndNotify(asked.orderId);
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
    h.clock.advance((attempt - 1) * RETRY_MINUTES * 60_000);
    expect((await h.reconcile()).reports).toEqual({ sent: 0, failed: 1 });
  }
  expect((await h.orderOf(asked.orderId)).report).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, retryAt: null });
  h.clock.advance(24 * 3_600_000);
  expect((await h.reconcile()).reports).toEqual({ sent: 0, failed: 0 });
  failing = false;
  expect(await h.ok('evidence-report-request', lender.openid, { contractId, email: 'guo2@example.com' })).toMatchObject({ orderId: asked.orderId, paid: true });
  expect(await sentTo('guo2@example.com')).toHaveLength(1);
});
