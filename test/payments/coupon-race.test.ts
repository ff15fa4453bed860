/**
 * F1 coupons under real concurrency: a double tap of contract-pay at price 0 holds the coupon twice
 * under one holder (payments/payment-gate.ts waiveInitiation). The losing tap must give back only its own
 * part of the hold — never the coupon the winning tap is about to use, which a third payment could
 * otherwise take in between, spending one coupon twice.
 */
import { issueCoupon } from '../../shared/payments/coupons';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';
import { disarm, holdNextWrite } from '../support/interleave';

let h: PaymentsHarness;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  h = await paymentsHarness('coupon-race');
  alice = await h.verified('o-cr-alice', '许一');
  bob = await h.verified('o-cr-bob', '何二');
});
afterAll(() => h.close());


describe('F1 a double tap at price 0 never hands its coupon to a third payment', () => {
  afterEach(() => disarm(h.c.store));
  test('two taps on one contract and, while the winner sits between its commit and using the coupon, a payment for another contract with the same 100% coupon: the coupon pays once', async () => {
    const store = h.c.store;
    for (let round = 0; round < 3; round++) {
      const cp = (await issueCoupon(h.c, alice.openid, 'free_iou'))._id;
      const [a, b] = [await h.draftIou(alice, bob), await h.draftIou(alice, bob)];
      // Hold the winning tap where a distant database would keep it: initiation committed, coupon not yet marked used.
      const gate = holdNextWrite(store, (i) => i.op === 'compareAndSet' && i.writes.some((w) => w.collection === 'coupons' && w.doc._id === cp && w.doc.status === 'used'));
      const taps = [0, 1].map(() => h.call('contract-pay', alice.openid, { contractId: a, couponId: cp }));
      await gate.reached;
      // The losing tap, refused at once, gives back its own part of the hold and answers.
      const loser = await Promise.race(taps);
      expect(loser.error).toMatchObject({ code: 'INVALID_TRANSITION' });
      const other = await h.call('contract-pay', alice.openid, { contractId: b, couponId: cp });
      // The coupon was never free for B to take.
      expect(other.error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'in_use' } });
      gate.release();
      const [t1, t2] = await Promise.all(taps);
      // One tap initiated A with the coupon; the other was told A is paid already.
      expect([t1, t2].filter((r) => r.ok).map((r) => r.data)).toEqual([expect.objectContaining({ orderId: null, amountFen: 0, paid: true })]);
      expect(await h.contractOf(a)).toMatchObject({ state: 'awaiting_signatures', payment: { status: 'waived' }, ruleFacts: { fee: { couponId: cp } } });
      expect(await h.contractOf(b)).toMatchObject({ state: 'draft', payment: { status: 'unpaid' } });
      expect(await h.couponOf(cp)).toMatchObject({ status: 'used', holder: { orderId: null, contractId: a } });
    }
  });
});
