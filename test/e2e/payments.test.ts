/**
 * Payments over the emulator's HTTP surface (SPEC F1, F2, I6, S2): the mini-program calls
 * contract-pay, WeChat Pay (the local simulator) POSTs its signed, encrypted notification to the
 * real webhook route — duplicates at once, forged, stale, wrong amount, unknown order, malformed —
 * and the contract passes the gate exactly once.
 */
import type { Contract } from '../../shared/domain/contract';
import type { ContractEvent } from '../../shared/domain/events';
import type { Order } from '../../shared/payments/orders';
import { Client, cloudEmulations, iouForm, person, startTestEmulator, storeSnapshot } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const lender = person('o-pay-lender', '韩一', 36);
const borrower = person('o-pay-borrower', '杨二', 29);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('payments'));
  await client.verify(lender);
  await client.verify(borrower);
});
afterAll(() => emu.close());

const snapshot = () => storeSnapshot(emu.container.store);
const draft = async () =>
  (await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form: iouForm(client.today()) })).id as string;
const eventTypes = async (id: string) => (await emu.container.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] })).map((e) => e.type);
const FAIL = (message: string) => JSON.stringify({ code: 'FAIL', message });
/** WeChat Pay's side: the local provider's simulator, or the one the cloud emulation runs (ESIGN_E2E_PROVIDER=cloud). */
const simulator = () => emu.container.local?.payments.simulator ?? cloudEmulations.at(-1)!.payments;

test('F2 the notification delivered 10 times at once over HTTP: all answered 204, the contract passes the gate once', async () => {
  const id = await draft();
  const order = await client.ok('contract-pay', lender.openid, { contractId: id });
  const r = await client.payOrder(order.orderId, { mode: 'duplicate', times: 10 });
  expect(r.json.deliveries).toEqual(Array(10).fill({ status: 204, body: '' }));
  expect(r.json.order).toEqual({ status: 'paid', applied: true });
  expect(await eventTypes(id)).toEqual(['created', 'payment_confirmed', 'initiated']);
  const c = (await emu.container.store.get<Contract>('contracts', id))!;
  expect(c).toMatchObject({ state: 'awaiting_signatures', version: 2, payment: { status: 'paid', orderId: order.orderId } });
  expect((await emu.container.store.get<Order>('orders', order.orderId))!.version).toBe(3);
  // A later redelivery, as WeChat keeps retrying for a day, still changes nothing.
  expect((await client.payOrder(order.orderId, { times: 3 })).json.deliveries.map((d: { status: number }) => d.status)).toEqual([204, 204, 204]);
  expect((await emu.container.store.get<Contract>('contracts', id))!.version).toBe(2);
});

describe('F2 refused notifications change nothing; the genuine one then passes the gate', () => {
  let id: string;
  let orderId: string;
  beforeAll(async () => {
    id = await draft();
    orderId = (await client.ok('contract-pay', lender.openid, { contractId: id })).orderId;
  });

  test.each([
    ['forged', 401, '签名验证失败'],
    ['stale', 401, '时间戳超出允许范围'],
    ['wrong_amount', 400, '支付金额与订单金额不一致'],
  ] as const)('%s → %i %s', async (mode, status, message) => {
    const before = await snapshot();
    const r = await client.payOrder(orderId, { mode });
    expect(r.json.deliveries).toEqual([{ status, body: FAIL(message) }]);
    expect(r.json.order).toEqual({ status: 'created', applied: null });
    expect(await snapshot()).toBe(before);
  });

  test('an order we never made → 404; an unsigned body → 401; an empty one → 400; none changes anything', async () => {
    const before = await snapshot();
    const sim = simulator();
    const unknown = sim.buildNotification({ outTradeNo: 'po_nosuchorder0000000', amountFen: 500, payerOpenid: lender.openid });
    expect(await sim.deliver(unknown, `${emu.url}/webhooks/payment`)).toEqual({ status: 404, body: FAIL('订单不存在') });
    const garbage = await fetch(`${emu.url}/webhooks/payment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"signed"}' });
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toEqual({ code: 'FAIL', message: '签名验证失败' });
    const empty = await fetch(`${emu.url}/webhooks/payment`, { method: 'POST', body: '' });
    expect(empty.status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  test('the genuine notification: 204 and awaiting signatures', async () => {
    expect((await client.payOrder(orderId)).json.deliveries).toEqual([{ status: 204, body: '' }]);
    expect(await eventTypes(id)).toEqual(['created', 'payment_confirmed', 'initiated']);
  });
});

test('F1 a coupon issued by marketing lowers the order; fee-quote and contract-pay agree; the emulator controls refuse nonsense', async () => {
  const id = await draft();
  const couponId = await client.coupon(lender.openid, 'welcome');
  const quote = await client.ok('fee-quote', lender.openid, { contractId: id, couponId });
  expect(quote).toMatchObject({ listFen: 500, amountFen: 300, couponId });
  const { order, contract } = await client.pay(lender.openid, id, { couponId, quotedAmountFen: 300 });
  expect(order.amountFen).toBe(300);
  expect(contract.payment).toEqual({ status: 'paid', amountFen: 300 });
  expect((await client.ok('coupon-list', lender.openid, { filter: 'used' })).items.map((c: { id: string }) => c.id)).toEqual([couponId]);
  expect((await client.raw('POST', '/_emulator/pay/po_nosuchorder0000000', {})).status).toBe(404);
  expect((await client.raw('POST', `/_emulator/pay/${order.orderId}`, { mode: 'sideways' })).status).toBe(400);
  expect((await client.raw('POST', '/_emulator/coupons', { openid: lender.openid, campaign: 'nope' })).status).toBe(400);
});

describe('C3 F2 revoking a draft after contract-pay: nothing is left payable', () => {
  const couponState = async (couponId: string) =>
    (await client.ok('coupon-list', lender.openid, { filter: 'all', pageSize: 50 })).items.find((c: { id: string }) => c.id === couponId)?.state;

  test('the order is closed at WeChat Pay and here, its coupon comes back and pays for another contract; paying the closed order is refused', async () => {
    const id = await draft();
    const couponId = await client.coupon(lender.openid, 'welcome');
    const order = await client.ok('contract-pay', lender.openid, { contractId: id, couponId, quotedAmountFen: 300 });
    expect(order).toMatchObject({ amountFen: 300, paid: false });
    expect(await couponState(couponId)).toBe('held');

    expect(await client.ok('contract-revoke', lender.openid, { contractId: id })).toMatchObject({ state: 'revoked' });
    // WeChat Pay, asked through the real client, and our order agree: closed.
    expect(await emu.container.payments.queryOrder(order.orderId)).toMatchObject({ tradeState: 'CLOSED' });
    expect(simulator().getOrder(order.orderId)).toMatchObject({ tradeState: 'CLOSED' });
    expect(await emu.container.store.get<Order>('orders', order.orderId)).toMatchObject({ status: 'closed', closedWhy: 'abandoned', openFor: null, applied: null });
    expect(await couponState(couponId)).toBe('available');
    // The payer's WeChat refuses a closed order: no money taken, nothing recorded.
    const late = await client.payOrder(order.orderId);
    expect(late).toEqual({ status: 409, json: { ok: false, error: { code: 'CONFLICT', message: '订单已关闭，无法支付 / the order is closed at WeChat Pay' } } });
    expect(await eventTypes(id)).toEqual(['created', 'revoked']);
    expect((await emu.container.store.get<Order>('orders', order.orderId))!.status).toBe('closed');

    const other = await draft();
    const paid = await client.pay(lender.openid, other, { couponId, quotedAmountFen: 300 });
    expect(paid.contract.payment).toEqual({ status: 'paid', amountFen: 300 });
    expect(await couponState(couponId)).toBe('used');
  });

  test('money that arrived before the revoke could close the order: the revoke stands, the payment is recorded for refund, never applied; its notification changes nothing', async () => {
    const id = await draft();
    const order = await client.ok('contract-pay', lender.openid, { contractId: id });
    simulator().pay(order.orderId); // the payer paid; WeChat's notification is still on its way
    expect(await client.ok('contract-revoke', lender.openid, { contractId: id })).toMatchObject({ state: 'revoked' });
    const transactionId = simulator().getOrder(order.orderId)!.transactionId;
    expect(await emu.container.store.get<Order>('orders', order.orderId)).toMatchObject({ status: 'paid', applied: false, transactionId });
    const c = (await emu.container.store.get<Contract>('contracts', id))!;
    expect(c).toMatchObject({ state: 'revoked', payment: { status: 'unpaid', refundsDue: [{ orderId: order.orderId, transactionId, amountFen: 500 }] } });
    expect(await eventTypes(id)).toEqual(['created', 'revoked', 'payment_refund_due']);

    const r = await client.payOrder(order.orderId, { mode: 'duplicate', times: 3 });
    expect(r.json.deliveries).toEqual(Array(3).fill({ status: 204, body: '' }));
    expect(r.json.order).toEqual({ status: 'paid', applied: false });
    expect(await eventTypes(id)).toEqual(['created', 'revoked', 'payment_refund_due']);
    expect((await client.ok('contract-get', lender.openid, { contractId: id })).state).toBe('revoked');
  });
});
