/**
 * F1 coupons under real concurrency: a double tap of contract-pay at price 0 holds the coupon twice
 * under one holder (payments/payment-gate.ts waiveInitiation). The losing tap must give back only its own
 * part of the hold — never the coupon the winning tap is about to use, which a third payment could
 * otherwise take in between, spending one coupon twice.
 */
import type { Contract } from '../../shared/domain/contract';
import { issueCoupon } from '../../shared/payments/coupons';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';

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
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  test('two taps on one contract and, while the winner\'s commit is on the wire, a payment for another contract with the same 100% coupon: the coupon pays once', async () => {
    // The store answers a won initiation 100 ms late, as a distant database does: the winning tap sits
    // between its commit and using the coupon while the losing tap, refused at once, gives up.
    const store = h.c.store;
    const commit = store.commit.bind(store);
    const slow = jest.spyOn(store, 'commit').mockImplementation(async (main, appends) => {
      const r = await commit(main, appends);
      if (r.ok && main.collection === 'contracts' && (main.doc as unknown as Contract).payment.status === 'waived') await sleep(100);
      return r;
    });
    try {
      for (let round = 0; round < 3; round++) {
        const cp = (await issueCoupon(h.c, alice.openid, 'free_iou'))._id;
        const [a, b] = [await h.draftIou(alice, bob), await h.draftIou(alice, bob)];
        const taps = [0, 1].map(() => h.call('contract-pay', alice.openid, { contractId: a, couponId: cp }));
        await sleep(40);
        const third = h.call('contract-pay', alice.openid, { contractId: b, couponId: cp });
        const [t1, t2, other] = await Promise.all([...taps, third]);
        // One tap initiated A with the coupon; the other was told A is paid already.
        expect([t1, t2].filter((r) => r.ok).map((r) => r.data)).toEqual([expect.objectContaining({ orderId: null, amountFen: 0, paid: true })]);
        expect([t1, t2].find((r) => !r.ok).error).toMatchObject({ code: 'INVALID_TRANSITION' });
        expect(await h.contractOf(a)).toMatchObject({ state: 'awaiting_signatures', payment: { status: 'waived' }, ruleFacts: { fee: { couponId: cp } } });
        // The coupon was never free for B to take.
        expect(other.error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'in_use' } });
        expect(await h.contractOf(b)).toMatchObject({ state: 'draft', payment: { status: 'unpaid' } });
        expect(await h.couponOf(cp)).toMatchObject({ status: 'used', holder: { orderId: null, contractId: a } });
      }
    } finally {
      slow.mockRestore();
    }
  });
});
