/**
 * Refunds through the emulator (issue 16 item 5; SPEC F2): WeChat Pay (the local simulator)
 * answers the real client's 《申请退款》 and posts its signed, encrypted 《退款结果通知》 to the real
 * webhook. A second payment for an order already paid is refunded automatically; so is money for an
 * order closed meanwhile; customer service refunds through the operator function, which no user
 * may call; every refund is recorded on its order with its own status and shown to the payer.
 */
import type { Emulator } from '../../emulator/server';
import type { Order } from '../../shared/payments/orders';
import { Client, iouForm, person, startTestEmulator, storeSnapshot } from '../support/emulator';

let emu: Emulator;
let client: Client;
const lender = person('o-rf-lender', '赵一', 38);
const borrower = person('o-rf-borrower', '钱二', 31);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('refunds'));
  await client.verify(lender);
  await client.verify(borrower);
});
afterAll(() => emu.close());

const sim = () => emu.container.local!.payments.simulator;
const orderOf = async (id: string) => (await emu.container.store.get<Order>('orders', id))!;
const snapshot = () => storeSnapshot(emu.container.store);
const draft = async () =>
  (await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()) })).id as string;
const refundJobs = async (orderId: string) =>
  (await emu.container.store.find<{ _id: string; kind: string; status: string; job: { orderId: string } }>('messages', { kind: 'refund' }, { limit: 500 })).filter((m) => m.job.orderId === orderId);
const finish = (outRefundNo: string, body: Record<string, unknown> = {}) => client.raw('POST', `/_emulator/refunds/${outRefundNo}`, body);

describe('F2 a second payment for an order already paid', () => {
  let contractId: string;
  let orderId: string;
  let firstTx: string;
  let secondTx: string;

  beforeAll(async () => {
    contractId = await draft();
    orderId = (await client.pay(lender.openid, contractId)).order.orderId;
    firstTx = (await orderOf(orderId)).transactionId!;
  });

  test('is refunded automatically: recorded on the order with its job in the webhook\'s commit; the worker asks WeChat Pay once', async () => {
    const r = await client.payOrder(orderId, { mode: 'second_payment' });
    expect(r.json.deliveries).toEqual([{ status: 204, body: '' }]);
    const order = await orderOf(orderId);
    secondTx = order.refunds![0]!.transactionId;
    expect(secondTx).not.toBe(firstTx);
    // The first payment stands; the second is to go back, whole.
    expect(order).toMatchObject({ status: 'paid', applied: true, transactionId: firstTx });
    expect(order.refunds).toEqual([expect.objectContaining({ status: 'requested', outRefundNo: `RF${secondTx}`, transactionId: secondTx, amountFen: 500, cause: 'duplicate_payment', refundId: null })]);
    expect((await refundJobs(orderId)).map((j) => j.status)).toEqual(['pending']);
    // The webhook asked nothing of WeChat Pay: bookkeeping only.
    expect(sim().getRefund(`RF${secondTx}`)).toBeUndefined();
    // The same second payment's notification again changes nothing.
    expect((await client.payOrder(orderId, { times: 2 })).json.deliveries.map((d: { status: number }) => d.status)).toEqual([204, 204]);
    expect((await orderOf(orderId)).refunds).toHaveLength(1);

    await client.timer('timer-outbox');
    expect(sim().getRefund(`RF${secondTx}`)).toMatchObject({ transactionId: secondTx, outTradeNo: orderId, amountFen: 500, totalFen: 500, reason: '重复支付', status: 'PROCESSING' });
    expect((await orderOf(orderId)).refunds![0]).toMatchObject({ status: 'processing', providerStatus: 'PROCESSING', refundId: sim().getRefund(`RF${secondTx}`)!.refundId });
    expect((await refundJobs(orderId)).map((j) => j.status)).toEqual(['sent']);
    await client.timer('timer-outbox');
    expect(sim().refunds().filter((x) => x.outTradeNo === orderId)).toHaveLength(1);
  });

  test('a forged refund notification is refused (401) and changes nothing; a genuine one for a refund we never recorded → 404', async () => {
    const before = await snapshot();
    const forged = await finish(`RF${secondTx}`, { mode: 'forged' });
    expect(forged.json.deliveries).toEqual([{ status: 401, body: JSON.stringify({ code: 'FAIL', message: '签名验证失败' }) }]);
    expect(await snapshot()).toBe(before);
    // A refund made at WeChat Pay that we never recorded (by hand in 商户平台): signed and genuine, yet not ours → 404.
    await emu.container.payments.refund({ outRefundNo: 'RF_NOT_OURS', transactionId: firstTx, amountFen: 100, totalFen: 500 });
    const before2 = await snapshot();
    expect((await finish('RF_NOT_OURS')).json.deliveries).toEqual([{ status: 404, body: JSON.stringify({ code: 'FAIL', message: '订单不存在' }) }]);
    expect(await snapshot()).toBe(before2);
  });

  test('the verified REFUND.SUCCESS moves the refund to succeeded, once; the payer sees it in contract-get', async () => {
    // The genuine notification, delivered three times as WeChat may.
    const ok = await finish(`RF${secondTx}`, { times: 3 });
    expect(ok.json.deliveries).toEqual(Array(3).fill({ status: 204, body: '' }));
    const order = await orderOf(orderId);
    expect(order.refunds![0]).toMatchObject({ status: 'succeeded', providerStatus: 'SUCCESS', account: '支付用户零钱' });
    expect(order.refunds![0]!.succeededAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const seen = await client.ok('contract-get', lender.openid, { contractId });
    expect(seen.refunds).toEqual([{
      orderId, purpose: 'initiation', amountFen: 500, status: 'succeeded', statusLabel: '已退款', reason: '重复支付',
      requestedAt: order.refunds![0]!.requestedAt, succeededAt: order.refunds![0]!.succeededAt, account: '支付用户零钱',
    }]);
    // The other party paid nothing: nothing of the payer's is shown to them.
    await client.ok('share-open', borrower.openid, { token: seen.shareToken });
    expect((await client.ok('contract-get', borrower.openid, { contractId })).refunds).toEqual([]);
    expect(seen.state).toBe('awaiting_signatures');
  });
});

test('F2 money for an order the revoke closed meanwhile is refunded automatically, in the commit that records it paid', async () => {
  const id = await draft();
  const order = await client.ok('contract-pay', lender.openid, { contractId: id });
  sim().pay(order.orderId); // paid at WeChat Pay; the notification is still on its way
  await client.ok('contract-revoke', lender.openid, { contractId: id });
  const stored = await orderOf(order.orderId);
  expect(stored).toMatchObject({ status: 'paid', applied: false });
  expect(stored.refunds).toEqual([expect.objectContaining({ status: 'requested', cause: 'not_applied', transactionId: stored.transactionId, amountFen: 500 })]);
  await client.timer('timer-outbox');
  expect(sim().getRefund(`RF${stored.transactionId}`)).toMatchObject({ status: 'PROCESSING', reason: '订单已关闭或已失效' });
  await finish(`RF${stored.transactionId}`, { status: 'ABNORMAL' });
  expect((await orderOf(order.orderId)).refunds![0]).toMatchObject({ status: 'abnormal', providerStatus: 'ABNORMAL', succeededAt: null });
  expect((await client.ok('contract-get', lender.openid, { contractId: id })).refunds.map((r: { statusLabel: string }) => r.statusLabel)).toEqual(['退款异常，请联系客服']);
});

test('F2 a refund call that died within its lease (a crashed worker) is asked again, not abandoned: the same out_refund_no, the money goes back', async () => {
  const id = await draft();
  const order = await client.ok('contract-pay', lender.openid, { contractId: id });
  sim().pay(order.orderId);
  await client.ok('contract-revoke', lender.openid, { contractId: id });
  const [job] = await refundJobs(order.orderId);
  // As a worker leaves it when it crashes after claiming the row: sending, its lease over.
  const row = (await emu.container.store.get<any>('messages', job!._id))!;
  const past = new Date(emu.container.clock.now().getTime() - 1000).toISOString();
  expect(await emu.container.store.compareAndSet('messages', { ...row, status: 'sending', attempts: 1, claimedAt: past, leaseUntil: past }, row.version)).toBe(true);
  const run = (await client.timer('timer-outbox')).data;
  expect([run.abandoned, run.retrying, run.delivered]).toEqual([0, 1, 1]);
  const tx = (await orderOf(order.orderId)).transactionId;
  expect(sim().getRefund(`RF${tx}`)).toMatchObject({ status: 'PROCESSING' });
  expect((await refundJobs(order.orderId)).map((j) => j.status)).toEqual(['sent']);
});

describe('F2 customer service refunds through the operator function', () => {
  test('no user may call it, nor anyone through the mini-program route; a stranger order is NOT_FOUND and an unpaid one INVALID_TRANSITION', async () => {
    const id = await draft();
    const { order } = await client.pay(lender.openid, id);
    const before = await snapshot();
    expect((await client.call('payment-refund', lender.openid, { orderId: order.orderId })).error).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = await client.raw('POST', '/fn/payment-refund', { orderId: order.orderId });
    expect(anonymous.status).toBe(403);
    expect(await snapshot()).toBe(before);
    expect((await client.raw('POST', '/operator/payment-refund', { orderId: 'po_nosuchorder0000000' })).json.error.code).toBe('NOT_FOUND');
    const unpaid = await client.ok('contract-pay', lender.openid, { contractId: await draft() });
    expect((await client.raw('POST', '/operator/payment-refund', { orderId: unpaid.orderId })).json.error).toMatchObject({ code: 'INVALID_TRANSITION', message: '订单未支付，无法退款' });
    expect((await client.raw('POST', '/operator/payment-refund', { orderId: order.orderId, ticket: '../../etc' })).json.error.code).toBe('VALIDATION_FAILED');
    expect(await snapshot()).not.toBe(before); // only the new unpaid order above
  });

  test('an operator refund works: asked at once, recorded with its ticket, completed by the notification, shown to the payer; asking again is the same refund', async () => {
    const id = await draft();
    const { order } = await client.pay(lender.openid, id);
    const tx = (await orderOf(order.orderId)).transactionId!;
    const r = await client.raw('POST', '/operator/payment-refund', { orderId: order.orderId, ticket: 'CS-1024' });
    expect(r.json).toMatchObject({ ok: true, data: { orderId: order.orderId, created: true, outRefundNo: `RF${tx}`, amountFen: 500, cause: 'operator', status: 'processing', statusLabel: '退款处理中' } });
    expect(sim().getRefund(`RF${tx}`)).toMatchObject({ status: 'PROCESSING', reason: '客服退款', amountFen: 500 });
    expect((await orderOf(order.orderId)).refunds).toEqual([expect.objectContaining({ cause: 'operator', ticket: 'CS-1024', status: 'processing' })]);

    const again = await client.raw('POST', '/operator/payment-refund', { orderId: order.orderId });
    expect(again.json.data).toMatchObject({ created: false, outRefundNo: `RF${tx}`, status: 'processing' });
    expect(sim().refunds().filter((x) => x.outTradeNo === order.orderId)).toHaveLength(1);
    expect((await refundJobs(order.orderId))).toHaveLength(1);

    expect((await finish(`RF${tx}`)).json.deliveries).toEqual([{ status: 204, body: '' }]);
    expect((await client.ok('contract-get', lender.openid, { contractId: id })).refunds).toEqual([
      expect.objectContaining({ orderId: order.orderId, amountFen: 500, status: 'succeeded', statusLabel: '已退款', reason: '客服退款', account: '支付用户零钱' }),
    ]);
  });

  test('scripts/refund.ts drives the same operator route', async () => {
    const { runRefundCommand, parseArgs } = await import('../../scripts/refund');
    const id = await draft();
    const { order } = await client.pay(lender.openid, id);
    expect(parseArgs([order.orderId, '--ticket', 'CS-7', '--emulator', emu.url])).toEqual({ orderId: order.orderId, ticket: 'CS-7', emulator: emu.url });
    const r = await runRefundCommand(parseArgs([order.orderId, '--ticket', 'CS-7', '--emulator', emu.url]));
    expect(r).toMatchObject({ ok: true, data: { created: true, status: 'processing', cause: 'operator' } });
    expect(() => parseArgs([])).toThrow(/usage/);
  });
});

test('the certificate timer runs on the platform only: locally WeChat Pay (public-key mode) serves no certificates, nothing lapses', async () => {
  const r = await client.timer('timer-wechatpay-certificates');
  expect(r.data).toEqual({ refreshed: true, serials: [], added: [], dropped: [], lapsesAt: null, warning: false });
  // Asked again at once: no second download in the same process.
  expect((await client.timer('timer-wechatpay-certificates')).data).toMatchObject({ refreshed: false });
  expect((await client.call('timer-wechatpay-certificates', lender.openid, {})).error).toMatchObject({ code: 'FORBIDDEN' });
});
