/**
 * A draft that leaves without passing the payment gate (C3 revoke; A3 invalidate) must not leave a
 * WeChat Pay order open and payable (F2): its open initiation order is closed at the provider (the
 * simulator, through the real client) and here, its coupon given back — after the commit, as the
 * lifecycle table's `closeOpenOrder` effect. Money that arrived meanwhile is recorded for refund
 * (an event and a log line); a provider failure never fails the revoke and is left to the
 * reconcile timer; contract-pay racing a revoke leaves nothing payable.
 */
import { issueCoupon } from '../../shared/payments/coupons';
import { runTransition } from '../../shared/contracts/transition';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';

let h: PaymentsHarness;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  h = await paymentsHarness('draft-orders');
  alice = await h.verified('o-do-alice', '秦一');
  bob = await h.verified('o-do-bob', '尤二');
});
afterAll(() => h.close());


describe('C3 revoking a draft with an open order', () => {
  test('closes the order at WeChat Pay and here and gives its coupon back; the coupon pays for another contract', async () => {
    const cp = (await issueCoupon(h.c, alice.openid, 'welcome'))._id;
    const id = await h.draftIou(alice, bob);
    const order = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp });
    expect(order).toMatchObject({ amountFen: 300, paid: false });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'held', holder: { orderId: order.orderId } });

    const revoked = await h.ok('contract-revoke', alice.openid, { contractId: id });
    expect(revoked.state).toBe('revoked');
    expect(h.sim().getOrder(order.orderId)!.tradeState).toBe('CLOSED');
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'closed', closedWhy: 'abandoned', openFor: null, applied: null });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available', holder: null });
    // The payer's WeChat refuses the closed order, so no money can be taken for it.
    expect(() => h.sim().pay(order.orderId)).toThrow(/closed/);
    expect((await h.eventsOf(id)).map((e) => e.type)).toEqual(['created', 'revoked']);

    const other = await h.draftIou(alice, bob);
    const again = await h.ok('contract-pay', alice.openid, { contractId: other, couponId: cp, quotedAmountFen: 300 });
    expect((await h.notify(again.orderId)).statusCode).toBe(204);
    expect(await h.couponOf(cp)).toMatchObject({ status: 'used', holder: { orderId: again.orderId, contractId: other } });
    expect((await h.contractOf(other)).payment).toMatchObject({ status: 'paid', orderId: again.orderId, amountFen: 300 });
  });

  test('a draft revoked with no order open: nothing is asked of WeChat Pay', async () => {
    const id = await h.draftIou(alice, bob);
    const close = jest.spyOn(h.c.payments, 'closeOrder');
    try {
      await h.ok('contract-revoke', alice.openid, { contractId: id });
      expect(close).not.toHaveBeenCalled();
    } finally {
      close.mockRestore();
    }
  });

  test('a draft\'s revoke without the effect\'s runner is a bug refused before the commit: nothing changes', async () => {
    const id = await h.draftIou(alice, bob);
    await h.ok('contract-pay', alice.openid, { contractId: id });
    const before = await h.snapshot();
    await expect(runTransition(h.c, { contractId: id, action: 'revoke', by: { openid: alice.openid } })).rejects.toThrow('revoke of a draft needs closeOpenOrder');
    expect(await h.snapshot()).toBe(before);
    await h.ok('contract-revoke', alice.openid, { contractId: id }); // the operation passes it: the order is closed
    expect((await h.ordersOf(id)).map((o) => o.status)).toEqual(['closed']);
  });

  test('money that arrived meanwhile (WeChat says ORDERPAID): the revoke stands, the payment is settled not applied and recorded for refund, once', async () => {
    const id = await h.draftIou(alice, bob);
    const order = await h.ok('contract-pay', alice.openid, { contractId: id });
    h.sim().pay(order.orderId); // the payer paid; the notification is still on its way
    const from = h.lines.length;
    expect((await h.ok('contract-revoke', alice.openid, { contractId: id })).state).toBe('revoked');
    const transactionId = h.sim().getOrder(order.orderId)!.transactionId;
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'paid', applied: false, transactionId, openFor: null });
    const c = await h.contractOf(id);
    expect(c).toMatchObject({ state: 'revoked', payment: { status: 'unpaid', orderId: null, refundsDue: [{ orderId: order.orderId, amountFen: 500, transactionId }] } });
    const evs = await h.eventsOf(id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'revoked', 'payment_refund_due']);
    expect(evs[2]).toMatchObject({ actor: { role: 'system', openid: null }, data: { orderId: order.orderId, amountFen: 500, transactionId, state: 'revoked' } });
    const logged = h.lines.slice(from).filter((l) => l.includes('refund by hand'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 40, orderId: order.orderId, contractId: id, amountFen: 500, state: 'revoked' });
    for (const secret of [transactionId!, alice.openid, alice.phone, alice.idNumber]) expect(logged[0]).not.toContain(secret);
    // WeChat's notification then arrives (and is redelivered): accepted, nothing more recorded.
    expect((await h.notify(order.orderId)).statusCode).toBe(204);
    expect((await h.notify(order.orderId)).statusCode).toBe(204);
    expect((await h.eventsOf(id)).map((e) => e.type)).toEqual(['created', 'revoked', 'payment_refund_due']);
    expect((await h.contractOf(id)).payment.refundsDue).toHaveLength(1);
  });

  test('WeChat Pay down while closing: the revoke still succeeds; the reconcile timer closes the order later and gives the coupon back', async () => {
    const cp = (await issueCoupon(h.c, alice.openid, 'welcome'))._id;
    const id = await h.draftIou(alice, bob);
    const order = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp });
    h.sim().failNext({ kind: 'error', status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    const from = h.lines.length;
    expect((await h.ok('contract-revoke', alice.openid, { contractId: id })).state).toBe('revoked');
    expect(h.lines.slice(from).some((l) => l.includes('the reconcile timer will close it') && l.includes(order.orderId))).toBe(true);
    expect(h.sim().getOrder(order.orderId)!.tradeState).toBe('NOTPAY');
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'created' });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'held' });

    h.clock.advance(15 * 60_000);
    expect(await h.reconcile()).toMatchObject({ closed: 1, failed: 0 });
    expect(h.sim().getOrder(order.orderId)!.tradeState).toBe('CLOSED');
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'closed', closedWhy: 'abandoned', openFor: null });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available', holder: null });
    expect((await h.contractOf(id)).state).toBe('revoked');
  });

  test('WeChat Pay down while closing and the payer pays before the timer: the payment is recorded for refund, its coupon comes back, the contract stays revoked', async () => {
    const cp = (await issueCoupon(h.c, alice.openid, 'welcome'))._id;
    const id = await h.draftIou(alice, bob);
    const order = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp });
    h.sim().failNext({ kind: 'error', status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    await h.ok('contract-revoke', alice.openid, { contractId: id });
    h.sim().pay(order.orderId); // the notification is lost; the timer asks WeChat Pay
    h.clock.advance(15 * 60_000);
    const from = h.lines.length;
    expect(await h.reconcile()).toMatchObject({ settled: 1 });
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'paid', applied: false });
    expect(await h.contractOf(id)).toMatchObject({ state: 'revoked', payment: { status: 'unpaid', refundsDue: [{ orderId: order.orderId, amountFen: 300 }] } });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available', holder: null });
    expect((await h.eventsOf(id)).map((e) => e.type)).toEqual(['created', 'revoked', 'payment_refund_due']);
    expect(h.lines.slice(from).filter((l) => l.includes('refund by hand'))).toHaveLength(1);
  });

  test('an order closed here that is paid anyway (closed ──paid──▶ paid) is recorded, never lost', async () => {
    const id = await h.draftIou(alice, bob);
    const order = await h.ok('contract-pay', alice.openid, { contractId: id });
    h.sim().failNext({ kind: 'error', status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    await h.ok('contract-revoke', alice.openid, { contractId: id });
    // Ours closed (say, by an operator), WeChat's still open: the payer pays and WeChat notifies.
    const doc = await h.orderOf(order.orderId);
    await h.c.store.compareAndSet('orders', { ...doc, status: 'closed', openFor: null, closedWhy: 'abandoned', closedAt: h.clock.now().toISOString() }, doc.version!);
    expect((await h.notify(order.orderId)).statusCode).toBe(204);
    expect(await h.orderOf(order.orderId)).toMatchObject({ status: 'paid', applied: false });
    expect((await h.eventsOf(id)).map((e) => e.type)).toEqual(['created', 'revoked', 'payment_refund_due']);
  });
});

describe('contract-pay racing a revoke', () => {
  test('the revoke commits while WeChat Pay is creating the order: the order is closed, contract-pay is refused, nothing is payable', async () => {
    const cp = (await issueCoupon(h.c, alice.openid, 'welcome'))._id;
    const id = await h.draftIou(alice, bob);
    const payments = h.c.payments;
    const create = payments.createOrder.bind(payments);
    const spy = jest.spyOn(payments, 'createOrder').mockImplementationOnce(async (input) => {
      // The revoke lands after our order document exists here but before WeChat Pay has it.
      await h.ok('contract-revoke', alice.openid, { contractId: id });
      return create(input);
    });
    try {
      const r = await h.call('contract-pay', alice.openid, { contractId: id, couponId: cp });
      expect(r.error).toMatchObject({ code: 'INVALID_TRANSITION' });
    } finally {
      spy.mockRestore();
    }
    const [order] = await h.ordersOf(id);
    expect(order).toMatchObject({ status: 'closed', openFor: null });
    expect(h.sim().getOrder(order!._id)!.tradeState).toBe('CLOSED');
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available', holder: null });
    expect((await h.contractOf(id)).state).toBe('revoked');
  });
});
