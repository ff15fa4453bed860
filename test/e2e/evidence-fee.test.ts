/**
 * The evidence report's fee over the emulator (SPEC C9, F1, F2, F3): an IOU's report costs what
 * config/fees.json says (990 fen; 490 with the saver card; a report coupon lowers it), the price
 * shown is the price charged, and the report is produced, emailed, recorded and announced by SMS
 * only when WeChat Pay's notification (the local simulator, through the real webhook) confirms the
 * order — once, however often and however concurrently it is delivered. A template whose reports
 * are free sends at once, with no order. Nothing is ordered for a contract not signed by both.
 */
import type { Emulator } from '../../emulator/server';
import type { ContractEvent } from '../../shared/domain/events';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import type { Order } from '../../shared/payments/orders';
import { Client, iouForm, person, startTestEmulator, storeSnapshot, type Person } from '../support/emulator';

jest.setTimeout(60_000);

let emu: Emulator;
let client: Client;
const lender = person('o-ef-lender', '钱多多', 45);
const borrower = person('o-ef-borrower', '孙少少', 33);
let signedId: string;
let unsignedId: string;

const mails = async (to: string) => (await client.raw('GET', `/outbox/email?to=${to}`)).json.messages as Array<{ subject: string; attachments: Array<{ filename: string; url: string }> }>;
const events = async (id: string) => emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
const reportEvents = async (id: string) => (await events(id)).filter((e) => e.type === 'report_sent');
const orderOf = async (id: string) => (await emu.container.store.get<Order>('orders', id))!;
const smsCount = async (p: Person) => (await client.sms(p.phone)).filter((m) => m.template === 'report_sent').length;
const snapshot = () => storeSnapshot(emu.container.store);

/** An IOU both signed (or only initiated), through the real flow. */
const iou = async (sign: boolean): Promise<string> => {
  const v = await client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()),
  });
  await client.pay(lender.openid, v.id);
  await client.ok('share-open', borrower.openid, { token: v.shareToken });
  if (sign) {
    await client.ok('contract-sign', lender.openid, { contractId: v.id, bizToken: await client.face(lender, 'sign', v.id), signature: { type: 'seal' } });
    await client.ok('contract-sign', borrower.openid, { contractId: v.id, bizToken: await client.face(borrower, 'sign', v.id), signature: { type: 'seal' } });
  }
  return v.id;
};

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('evidence-fee'));
  await client.verify(lender);
  await client.verify(borrower);
  signedId = await iou(true);
  unsignedId = await iou(false);
});
afterAll(() => emu.close());

test('C9 before both signed: INVALID_TRANSITION and no order is placed; a stranger gets NOT_FOUND', async () => {
  const before = await snapshot();
  const r = await client.call('evidence-report-request', lender.openid, { contractId: unsignedId, email: 'early@example.com' });
  expect(r.error?.code).toBe('INVALID_TRANSITION');
  expect(await snapshot()).toBe(before);
  const stranger = person('o-ef-stranger', '路人甲', 30);
  await client.verify(stranger);
  const mid = await snapshot();
  expect((await client.call('evidence-report-request', stranger.openid, { contractId: signedId, email: 'x@example.com' })).error?.code).toBe('NOT_FOUND');
  expect(await snapshot()).toBe(mid);
  expect(await emu.container.store.find<Order>('orders', { contractId: unsignedId })).toHaveLength(1); // the initiation's only
});

test('F1/F3 the price shown is the price charged: a stale quote is PRICE_CHANGED and orders nothing', async () => {
  const quote = await client.ok('fee-quote', lender.openid, { item: 'evidence_report', contractId: signedId });
  expect(quote).toMatchObject({ item: 'evidence_report', listFen: 990, amountFen: 990 });
  const before = await snapshot();
  const r = await client.call('evidence-report-request', lender.openid, { contractId: signedId, email: 'wang@example.com', quotedAmountFen: 500 });
  expect(r.error?.code).toBe('PRICE_CHANGED');
  expect(r.error?.details).toMatchObject({ amountFen: 990, quote: { item: 'evidence_report', amountFen: 990 } });
  expect(await snapshot()).toBe(before);
});

test('C9/F2 pay → the notification 10 times at once, then 3 more: the webhook only queues it; the outbox worker sends one email, one report_sent event, one SMS', async () => {
  const asked = await client.ok('evidence-report-request', lender.openid, { contractId: signedId, email: 'qian@example.com', quotedAmountFen: 990 });
  expect(asked).toMatchObject({ paid: false, amountFen: 990, reportNo: null, quote: { listFen: 990, amountFen: 990 } });
  expect(Object.keys(asked.requestPayment).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
  // Nothing is sent before the payment; asking again (a corrected address) renews the same order.
  expect(await mails('qian@example.com')).toHaveLength(0);
  const again = await client.ok('evidence-report-request', lender.openid, { contractId: signedId, email: 'qian2@example.com' });
  expect(again.orderId).toBe(asked.orderId);
  expect((await orderOf(asked.orderId)).report).toMatchObject({ role: 'initiator', email: 'qian2@example.com', status: 'due' });
  const smsBefore = await smsCount(lender);

  const burst = await client.payOrder(asked.orderId, { mode: 'duplicate', times: 10 });
  expect(burst.json.deliveries).toEqual(Array(10).fill({ status: 204, body: '' }));
  expect(burst.json.order).toEqual({ status: 'paid', applied: true });
  const later = await client.payOrder(asked.orderId, { times: 3 });
  expect(later.json.deliveries.map((d: { status: number }) => d.status)).toEqual([204, 204, 204]);
  // The webhook answered having only queued the report (issue 16 item 4): one job, nothing mailed yet.
  expect((await orderOf(asked.orderId)).report).toMatchObject({ status: 'due', attempts: 0 });
  expect(await mails('qian2@example.com')).toHaveLength(0);
  const jobs = await emu.container.store.find<{ _id: string; kind: string; status: string; job: { orderId: string } }>('messages', { kind: 'report' }, { limit: 100 });
  expect(jobs.filter((j) => j.job.orderId === asked.orderId).map((j) => j.status)).toEqual(['pending']);
  // The outbox worker produces, signs and emails it.
  expect((await client.timer('timer-outbox')).data).toMatchObject({ delivered: 1, failed: 0 });

  const order = await orderOf(asked.orderId);
  expect(order).toMatchObject({ purpose: 'evidence_report', status: 'paid', amountFen: 990, report: { status: 'sent', attempts: 1, retryAt: null, email: 'qian2@example.com' } });
  const sent = await mails('qian2@example.com');
  expect(sent).toHaveLength(1);
  expect(await mails('qian@example.com')).toHaveLength(0);
  expect(sent[0]!.subject).toContain(order.report!.reportNo);
  expect(sent[0]!.attachments[0]!.filename).toContain('report');
  const evs = await reportEvents(signedId);
  expect(evs).toHaveLength(1);
  expect(evs[0]!.actor).toEqual({ role: 'initiator', openid: lender.openid });
  expect(evs[0]!.data).toMatchObject({ reportNo: order.report!.reportNo, reportSha256: order.report!.sha256, orderId: asked.orderId, amountFen: 990 });
  expect(await smsCount(lender)).toBe(smsBefore + 1);
  expect((await client.sms(lender.phone)).at(-1)!.text).toBe(`您申请的《${(await client.ok('contract-get', lender.openid, { contractId: signedId })).title}》出证报告已发送至您填写的邮箱，请注意查收。`);
  // The reconcile timer finds nothing owed.
  expect((await client.timer('timer-payment-reconcile')).data.reports).toEqual({ sent: 0, failed: 0 });
  expect(await mails('qian2@example.com')).toHaveLength(1);

  // A new request is a new report, paid again.
  const next = await client.ok('evidence-report-request', lender.openid, { contractId: signedId, email: 'qian2@example.com' });
  expect(next).toMatchObject({ paid: false, amountFen: 990 });
  expect(next.orderId).not.toBe(asked.orderId);
});

test('F1/F3 the saver card (490) and a report coupon (50%) lower the order; the coupon is used once paid', async () => {
  const card = await client.ok('card-buy', borrower.openid, {});
  await client.payOrder(card.orderId);
  const couponId = await client.coupon(borrower.openid, 'half_off');
  const quote = await client.ok('fee-quote', borrower.openid, { item: 'evidence_report', contractId: signedId, couponId });
  expect(quote).toMatchObject({ listFen: 990, amountFen: 245, couponId });
  expect(quote.why.map((s: { rule: string }) => s.rule)).toEqual(['list_price', 'saver_card', 'coupon']);
  const asked = await client.ok('evidence-report-request', borrower.openid, { contractId: signedId, email: 'sun@example.com', couponId, quotedAmountFen: 245 });
  expect(asked).toMatchObject({ paid: false, amountFen: 245 });
  expect((await client.ok('coupon-list', borrower.openid, { filter: 'used' })).items).toEqual([]);
  const smsBefore = await smsCount(borrower);
  expect((await client.payOrder(asked.orderId)).json.deliveries).toEqual([{ status: 204, body: '' }]);
  expect(await mails('sun@example.com')).toHaveLength(0);
  await client.timer('timer-outbox');
  expect(await mails('sun@example.com')).toHaveLength(1);
  expect(await smsCount(borrower)).toBe(smsBefore + 1);
  expect((await reportEvents(signedId)).at(-1)).toMatchObject({ actor: { role: 'counterparty', openid: borrower.openid }, data: { amountFen: 245, orderId: asked.orderId } });
  expect((await client.ok('coupon-list', borrower.openid, { filter: 'used' })).items.map((c: { id: string }) => c.id)).toEqual([couponId]);
});

test('F3 a template whose reports are free: sent at once, no order, one email, one event, one SMS', async () => {
  const kind = KIND_NAMES.find((k) => kindSpec(k).flowFor(kindSpec(k).roles[0]) === 'template')!;
  const spec = kindSpec(kind);
  const a = person('o-ef-tpl-a', '周文博', 41);
  const b = person('o-ef-tpl-b', '吴雅琴', 35);
  await client.verify(a);
  await client.verify(b);
  const v = await client.ok('contract-create', a.openid, { kind, myRole: spec.roles[0], counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: structuredClone(spec.example) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  await client.ok('contract-sign', b.openid, { contractId: v.id, bizToken: await client.face(b, 'sign', v.id), signature: { type: 'seal' } });
  await client.ok('contract-sign', a.openid, { contractId: v.id, bizToken: await client.face(a, 'sign', v.id), signature: { type: 'seal' } });

  const ordersBefore = (await emu.container.store.find<Order>('orders', { contractId: v.id })).length;
  const r = await client.ok('evidence-report-request', a.openid, { contractId: v.id, email: 'zhou@example.com', quotedAmountFen: 0 });
  expect(r).toMatchObject({ orderId: null, amountFen: 0, paid: true, sentTo: 'zhou@example.com', quote: { listFen: 0, amountFen: 0 } });
  expect(r.reportNo).toMatch(/^BG/);
  expect(await emu.container.store.find<Order>('orders', { contractId: v.id })).toHaveLength(ordersBefore);
  const sent = await mails('zhou@example.com');
  expect(sent).toHaveLength(1);
  expect(sent[0]!.subject).toContain(r.reportNo);
  expect((await reportEvents(v.id)).map((e) => e.data)).toEqual([expect.objectContaining({ reportNo: r.reportNo, reportSha256: r.sha256, amountFen: 0 })]);
  expect((await client.sms(a.phone)).filter((m) => m.template === 'report_sent')).toHaveLength(1);
});
