/**
 * timer-payment-reconcile (SPEC F2, S1): the fallback when WeChat Pay's notification never comes.
 * Orders unpaid N minutes after they were placed are asked about at the provider (the simulator,
 * through the real client) and settled with the webhook's own checks, or closed there and here;
 * coupons come back; a run racing a late notification or another run changes nothing twice.
 */
import type { ContractEvent } from '../../shared/domain/events';
import { issueCoupon, type Coupon } from '../../shared/payments/coupons';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';

let h: PaymentsHarness;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  h = await paymentsHarness('reconcile');
  alice = await h.verified('o-rc-alice', '蒋一');
  bob = await h.verified('o-rc-bob', '沈二');
});
afterAll(() => h.close());

const minutes = (n: number) => h.clock.advance(n * 60_000);
const placed = (couponId?: string) => h.ordered(alice, bob, couponId);

test('an order paid at WeChat Pay whose notification was lost is settled after 15 minutes, not before', async () => {
  const o = await placed();
  h.sim().pay(o.orderId);
  minutes(14);
  expect(await h.reconcile()).toMatchObject({ settled: 0, closed: 0 });
  expect((await h.orderOf(o.orderId)).status).toBe('created');
  minutes(1);
  expect(await h.reconcile()).toMatchObject({ settled: 1, closed: 0, failed: 0 });
  expect(await h.orderOf(o.orderId)).toMatchObject({ status: 'paid', applied: true, transactionId: h.sim().getOrder(o.orderId)!.transactionId });
  expect(await h.contractOf(o.contractId)).toMatchObject({ state: 'awaiting_signatures', payment: { status: 'paid', orderId: o.orderId } });
  // The late notification then changes nothing; nor does another run.
  const n = h.sim().buildNotification({ outTradeNo: o.orderId });
  expect((await h.main('payment-notify')({ headers: n.headers, body: n.body }, {})).statusCode).toBe(204);
  expect(await h.reconcile()).toMatchObject({ settled: 0, closed: 0 });
  const evs = await h.c.store.find<ContractEvent>('events', { contractId: o.contractId });
  expect(evs.filter((e) => e.type === 'payment_confirmed')).toHaveLength(1);
});

test('an abandoned order is closed at WeChat Pay and here, and its coupon comes back', async () => {
  const cp = (await issueCoupon(h.c, alice.openid, 'welcome'))._id;
  const o = await placed(cp);
  expect((await h.c.store.get<Coupon>('coupons', cp))!.status).toBe('held');
  minutes(15);
  expect(await h.reconcile()).toMatchObject({ closed: 1 });
  expect(h.sim().getOrder(o.orderId)!.tradeState).toBe('CLOSED');
  expect(await h.orderOf(o.orderId)).toMatchObject({ status: 'closed', closedWhy: 'abandoned', openFor: null });
  expect(await h.c.store.get<Coupon>('coupons', cp)).toMatchObject({ status: 'available', holder: null });
  expect((await h.contractOf(o.contractId)).payment.status).toBe('unpaid');
  // The user pays again later: a new order, the coupon usable again.
  const again = await h.ok('contract-pay', alice.openid, { contractId: o.contractId, couponId: cp });
  expect(again.orderId).not.toBe(o.orderId);
  expect(again.amountFen).toBe(300);
  const n = h.sim().buildNotification({ outTradeNo: again.orderId });
  expect((await h.main('payment-notify')({ headers: n.headers, body: n.body }, {})).statusCode).toBe(204);
  expect(await h.c.store.get<Coupon>('coupons', cp)).toMatchObject({ status: 'used', holder: { orderId: again.orderId } });
});

test('an order WeChat Pay never heard of (the emulator restarted, or the order call was lost) is closed', async () => {
  const contractId = await h.draftIou(alice, bob);
  const at = h.clock.now().toISOString();
  await h.c.store.insert('orders', {
    _id: 'po_lost000000000000000', purpose: 'initiation', contractId, openid: alice.openid, listFen: 500, amountFen: 500, couponId: null, steps: [],
    status: 'created', openFor: `initiation:${contractId}`, prepayId: null, transactionId: null, applied: null, createdAt: at, paidAt: null, closedAt: null, closedWhy: null,
  });
  minutes(20);
  expect(await h.reconcile()).toMatchObject({ closed: 1 });
  expect(await h.orderOf('po_lost000000000000000')).toMatchObject({ status: 'closed', closedWhy: 'unknown_at_provider' });
});

test('a provider that says SUCCESS for another amount is refused and the order left alone (an alarm, not a settlement)', async () => {
  const o = await placed();
  h.sim().pay(o.orderId);
  // Our record says 5.00; pretend it said 6.00 (a bug or tampering on our side): the provider's word is checked, not trusted.
  const doc = await h.orderOf(o.orderId);
  await h.c.store.compareAndSet('orders', { ...doc, amountFen: 600 }, doc.version!);
  minutes(15);
  const from = h.lines.length;
  expect(await h.reconcile()).toMatchObject({ refused: 1, settled: 0 });
  expect((await h.orderOf(o.orderId)).status).toBe('created');
  expect((await h.contractOf(o.contractId)).payment.status).toBe('unpaid');
  expect(h.lines.slice(from).some((l) => l.includes('"refused":"amount_mismatch"'))).toBe(true);
  await h.c.store.compareAndSet('orders', { ...(await h.orderOf(o.orderId)), amountFen: 500 }, (await h.orderOf(o.orderId)).version!);
  expect(await h.reconcile()).toMatchObject({ settled: 1 });
});

test('two runs and the notification at once: one initiation, one payment event', async () => {
  const o = await placed();
  h.sim().pay(o.orderId);
  minutes(15);
  const n = h.sim().buildNotification({ outTradeNo: o.orderId });
  const [r1, r2, answer] = await Promise.all([h.reconcile(), h.reconcile(), h.main('payment-notify')({ headers: n.headers, body: n.body }, {})]);
  expect(answer.statusCode).toBe(204);
  expect(r1.settled + r2.settled).toBeLessThanOrEqual(2);
  const evs = await h.c.store.find<ContractEvent>('events', { contractId: o.contractId });
  expect(evs.filter((e) => e.type === 'payment_confirmed')).toHaveLength(1);
  expect(evs.filter((e) => e.type === 'initiated')).toHaveLength(1);
  expect((await h.orderOf(o.orderId)).status).toBe('paid');
});

test('a coupon left held by a payment that never came to be is given back', async () => {
  const cp = await issueCoupon(h.c, alice.openid, 'welcome');
  // A crash between holding the coupon and writing the order leaves exactly this.
  const now = h.clock.now().toISOString();
  await h.c.store.compareAndSet('coupons', { ...cp, status: 'held', holder: { orderId: 'po_never0000000000000', contractId: null, item: 'initiation' }, heldAt: now }, cp.version!);
  minutes(15);
  expect((await h.reconcile()).coupons).toEqual({ used: 0, released: 1 });
  expect(await h.c.store.get<Coupon>('coupons', cp._id)).toMatchObject({ status: 'available', holder: null });
});
