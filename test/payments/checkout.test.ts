/**
 * Pricing and paying through the real functions (SPEC F1, F3, I6, U4): fee-quote explains the
 * price; contract-pay charges exactly that — the free quota (by China month, counted through its
 * index, never exceeded under a race), the saver card and coupons (one use, owner-bound, held
 * while a payment is under way) — with no order at price 0; a client-sent price is never charged;
 * one open order per contract; card-buy; coupon-list.
 */
import type { ContractEvent } from '../../shared/domain/events';
import { issueCoupon } from '../../shared/payments/coupons';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';
import { person, type Person } from '../support/emulator';

let h: PaymentsHarness;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  h = await paymentsHarness('checkout');
  alice = await h.verified('o-co-alice', '周一');
  bob = await h.verified('o-co-bob', '吴二');
});
afterAll(() => h.close());

const coupon = async (who: Person, campaign: string) => (await issueCoupon(h.c, who.openid, campaign))._id;

describe('I6 an IOU: an order at the server\'s price, the gate passed by the notification', () => {
  test('fee-quote explains 5.00; contract-pay places a WeChat Pay order for exactly that', async () => {
    const id = await h.draftIou(alice, bob);
    const q = await h.ok('fee-quote', alice.openid, { contractId: id });
    expect(q).toMatchObject({ item: 'initiation', kind: 'iou', listFen: 500, amountFen: 500, amountYuan: '5.00', usesFreeQuota: false, freeQuota: null, card: null, coupons: [] });
    expect(q.why).toEqual([{ rule: 'list_price', fen: 500, label: '标准价格' }]);
    const paid = await h.ok('contract-pay', alice.openid, { contractId: id, quotedAmountFen: 500 });
    expect(paid).toMatchObject({ amountFen: 500, paid: false, contract: { state: 'draft' } });
    expect(Object.keys(paid.requestPayment).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    // What WeChat Pay was asked for: the server's amount, the caller as payer, our webhook as notify_url.
    expect(h.sim().getOrder(paid.orderId)).toMatchObject({ amountFen: 500, payerOpenid: alice.openid, tradeState: 'NOTPAY', description: '电子签-借条' });
    expect((await h.notify(paid.orderId)).statusCode).toBe(204);
    expect((await h.contractOf(id)).state).toBe('awaiting_signatures');
  });

  test('F1 a client-sent price is never charged: a different quotedAmountFen is PRICE_CHANGED, an amount field is refused; nothing stored', async () => {
    const id = await h.draftIou(alice, bob);
    const before = await h.snapshot();
    const cheap = await h.call('contract-pay', alice.openid, { contractId: id, quotedAmountFen: 1 });
    expect(cheap.error).toMatchObject({ code: 'PRICE_CHANGED', details: { amountFen: 500 } });
    expect((await h.call('contract-pay', alice.openid, { contractId: id, amountFen: 1 })).error.code).toBe('VALIDATION_FAILED');
    expect(await h.snapshot()).toBe(before);
  });

  test('only the initiator pays; the other party is refused before anything is priced', async () => {
    const id = await h.draftIou(alice, bob);
    const v = await h.contractOf(id);
    await h.ok('share-open', bob.openid, { token: v.shareToken });
    expect((await h.call('contract-pay', bob.openid, { contractId: id })).error.code).toBe('FORBIDDEN');
    expect((await h.call('fee-quote', bob.openid, { contractId: id })).error.code).toBe('FORBIDDEN');
    expect(await h.ordersOf(id)).toEqual([]);
  });

  test('paying again for the same price renews the same order (new prepay id); a coupon picked later replaces it, closed at WeChat Pay', async () => {
    const id = await h.draftIou(alice, bob);
    const first = await h.ok('contract-pay', alice.openid, { contractId: id });
    const again = await h.ok('contract-pay', alice.openid, { contractId: id });
    expect(again.orderId).toBe(first.orderId);
    expect(again.requestPayment.package).not.toBe(first.requestPayment.package);
    const cp = await coupon(alice, 'welcome');
    const cheaper = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp });
    expect(cheaper).toMatchObject({ amountFen: 300, paid: false });
    expect(cheaper.orderId).not.toBe(first.orderId);
    expect(h.sim().getOrder(first.orderId)!.tradeState).toBe('CLOSED');
    expect((await h.ordersOf(id)).map((o) => [o.status, o.closedWhy])).toEqual([['closed', 'superseded'], ['created', null]]);
    expect(await h.couponOf(cp)).toMatchObject({ status: 'held', holder: { orderId: cheaper.orderId } });
    // Dropping the coupon again gives it back.
    const full = await h.ok('contract-pay', alice.openid, { contractId: id });
    expect(full.amountFen).toBe(500);
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available', holder: null });
    expect((await h.notify(full.orderId)).statusCode).toBe(204);
    expect((await h.contractOf(id)).payment).toMatchObject({ status: 'paid', orderId: full.orderId, amountFen: 500 });
  });

  test('five contract-pays at once leave one open order for the contract', async () => {
    const id = await h.draftIou(alice, bob);
    const results = await Promise.all(Array.from({ length: 5 }, () => h.call('contract-pay', alice.openid, { contractId: id })));
    const ids = new Set(results.filter((r) => r.ok).map((r) => r.data.orderId));
    expect(ids.size).toBe(1);
    for (const r of results.filter((x) => !x.ok)) expect(r.error.code).toBe('CONFLICT');
    expect((await h.ordersOf(id)).filter((o) => o.status === 'created')).toHaveLength(1);
  });

  test('paying again after paying at WeChat (the notification still on its way): WeChat says ORDERPAID, the order is settled, paid: true', async () => {
    const id = await h.draftIou(alice, bob);
    const first = await h.ok('contract-pay', alice.openid, { contractId: id });
    h.sim().pay(first.orderId);
    const again = await h.ok('contract-pay', alice.openid, { contractId: id });
    expect(again).toMatchObject({ orderId: first.orderId, paid: true, contract: { state: 'awaiting_signatures' } });
    expect((await h.ordersOf(id)).map((o) => o.status)).toEqual(['paid']);
  });

  test('a replaced order that turns out paid is settled instead, and the contract is paid with it', async () => {
    const id = await h.draftIou(alice, bob);
    const first = await h.ok('contract-pay', alice.openid, { contractId: id });
    h.sim().pay(first.orderId); // paid at WeChat; the notification is still on its way
    const cp = await coupon(alice, 'welcome');
    const r = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp });
    expect(r).toMatchObject({ orderId: first.orderId, paid: true });
    expect((await h.contractOf(id)).payment).toMatchObject({ status: 'paid', orderId: first.orderId });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available' });
  });
});

describe('F1 coupons: one use, owner-bound, held while a payment is under way', () => {
  test('a 100% IOU coupon: price 0 → no order, the gate passes at once (waived), the coupon is used', async () => {
    const id = await h.draftIou(alice, bob);
    const cp = await coupon(alice, 'free_iou');
    const q = await h.ok('fee-quote', alice.openid, { contractId: id });
    expect(q.coupons).toEqual(expect.arrayContaining([expect.objectContaining({ couponId: cp, title: '借条免费券', usable: true, amountFen: 0 })]));
    const r = await h.ok('contract-pay', alice.openid, { contractId: id, couponId: cp, quotedAmountFen: 0 });
    expect(r).toMatchObject({ orderId: null, amountFen: 0, paid: true, contract: { state: 'awaiting_signatures', payment: { status: 'waived', amountFen: 0 } } });
    expect(await h.ordersOf(id)).toEqual([]);
    expect(await h.couponOf(cp)).toMatchObject({ status: 'used', holder: { orderId: null, contractId: id } });
    const evs = await h.c.store.find<ContractEvent>('events', { contractId: id }, { orderBy: [['seq', 'asc']] });
    expect(evs[1]).toMatchObject({ type: 'payment_confirmed', data: { amountFen: 0, waived: true, listFen: 500, rule: 'coupon', couponId: cp } });
    // Used once: the next contract cannot have it.
    const other = await h.draftIou(alice, bob);
    expect((await h.call('contract-pay', alice.openid, { contractId: other, couponId: cp })).error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'used' } });
  });

  test('someone else\'s coupon reads as not found; an expired one as expired; a coupon held by another open order as in use — nothing changes', async () => {
    const id = await h.draftIou(alice, bob);
    const bobs = await coupon(bob, 'welcome');
    const expiring = await coupon(alice, 'half_off'); // 7 China days
    const held = await coupon(alice, 'welcome');
    const other = await h.draftIou(alice, bob);
    await h.ok('contract-pay', alice.openid, { contractId: other, couponId: held });
    const before = await h.snapshot();
    expect((await h.call('contract-pay', alice.openid, { contractId: id, couponId: bobs })).error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'not_found' } });
    expect((await h.call('contract-pay', alice.openid, { contractId: id, couponId: held })).error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'in_use' } });
    expect(await h.snapshot()).toBe(before);
    h.clock.advance(7 * 86_400_000);
    expect((await h.call('contract-pay', alice.openid, { contractId: id, couponId: expiring })).error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'expired' } });
    h.clock.set('2026-03-15T02:00:00.000Z');
  });

  test('two payments racing for one coupon: one holds it, the other is refused', async () => {
    const [a, b] = [await h.draftIou(alice, bob), await h.draftIou(alice, bob)];
    const cp = await coupon(alice, 'welcome');
    const results = await Promise.all([a, b].map((contractId) => h.call('contract-pay', alice.openid, { contractId, couponId: cp })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok).error).toMatchObject({ code: 'COUPON_UNAVAILABLE', details: { reason: 'in_use' } });
    const orders = [...(await h.ordersOf(a)), ...(await h.ordersOf(b))];
    expect(orders.filter((o) => o.couponId === cp && o.status === 'created')).toHaveLength(1);
  });

  test('coupon-list: usable, used and expired, soonest to lapse first', async () => {
    const carol = await h.verified('o-co-carol', '郑三');
    const first = await coupon(carol, 'half_off');
    const second = await coupon(carol, 'welcome');
    const used = await coupon(carol, 'free_iou');
    const id = await h.draftIou(carol, bob);
    await h.ok('contract-pay', carol.openid, { contractId: id, couponId: used });
    const usable = await h.ok('coupon-list', carol.openid, {});
    expect(usable.items.map((c: { id: string }) => c.id)).toEqual([first, second]);
    expect(usable.items[0]).toMatchObject({ title: '合同费用5折', type: 'percent_off', percentOff: 50, state: 'available', stateLabel: '可使用' });
    expect((await h.ok('coupon-list', carol.openid, { filter: 'used' })).items.map((c: { id: string }) => c.id)).toEqual([used]);
    h.clock.advance(8 * 86_400_000);
    expect((await h.ok('coupon-list', carol.openid, { filter: 'expired' })).items.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([[first, 'expired']]);
    expect((await h.ok('coupon-list', carol.openid, { filter: 'all', pageSize: 2 })).hasMore).toBe(true);
    h.clock.set('2026-03-15T02:00:00.000Z');
  });
});

describe('U4 templates and own files: free up to the monthly quota, then paid', () => {
  // A new typed-in counterparty each time: these drafts are about the quota, and paying one invites
  // its counterparty at once — the same number again and again would meet the invitation limit (M2).
  let cp = 0;
  const templateDraft = async (who: Person) => {
    const id = await h.draftIou(who, person(`o-co-cp-${++cp}`, '吴二', 40));
    await h.asKind(id, 'house_rental', 'template');
    return id;
  };

  test('three free initiations in a China month (no order), the fourth is an order of 3.00; the next month is free again', async () => {
    const dave = await h.verified('o-co-dave', '冯四');
    for (let i = 0; i < 3; i++) {
      const id = await templateDraft(dave);
      const q = await h.ok('fee-quote', dave.openid, { contractId: id });
      expect(q).toMatchObject({ amountFen: 0, usesFreeQuota: true, freeQuota: { limit: 3, used: i, remaining: 3 - i, month: '2026-03' } });
      const r = await h.ok('contract-pay', dave.openid, { contractId: id });
      expect(r).toMatchObject({ orderId: null, paid: true, contract: { payment: { status: 'waived' } } });
    }
    expect(await h.c.store.count('quota_uses', { openid: dave.openid, month: '2026-03' })).toBe(3);
    const fourth = await templateDraft(dave);
    expect(await h.ok('contract-pay', dave.openid, { contractId: fourth })).toMatchObject({ amountFen: 300, paid: false });
    // 23:59:59 on 31 March in China is still March; a second later the quota is new.
    h.clock.set('2026-03-31T15:59:59.000Z');
    expect((await h.ok('fee-quote', dave.openid, { contractId: await templateDraft(dave) })).amountFen).toBe(300);
    h.clock.set('2026-03-31T16:00:00.000Z');
    const april = await templateDraft(dave);
    expect(await h.ok('fee-quote', dave.openid, { contractId: april })).toMatchObject({ amountFen: 0, freeQuota: { used: 0, month: '2026-04' } });
    h.clock.set('2026-03-15T02:00:00.000Z');
  });

  test('four initiations racing for the last free slot: exactly one gets it, the quota is never exceeded', async () => {
    const erin = await h.verified('o-co-erin', '陈五');
    for (let i = 0; i < 2; i++) await h.ok('contract-pay', erin.openid, { contractId: await templateDraft(erin) });
    const racers = [await templateDraft(erin), await templateDraft(erin), await templateDraft(erin), await templateDraft(erin)];
    const results = await Promise.all(racers.map((contractId) => h.call('contract-pay', erin.openid, { contractId })));
    expect(results.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results.filter((r) => r.data.amountFen === 0)).toHaveLength(1);
    expect(results.filter((r) => r.data.amountFen === 300 && r.data.orderId)).toHaveLength(3);
    expect(await h.c.store.count('quota_uses', { openid: erin.openid })).toBe(3);
  });
});

describe('the saver card (省钱月卡)', () => {
  test('card-buy is an order of 19.90; once paid, IOUs cost 0 for the month (card before quota and coupons)', async () => {
    const fay = await h.verified('o-co-fay', '褚六');
    const order = await h.ok('card-buy', fay.openid, { quotedAmountFen: 1990 });
    expect(order).toMatchObject({ amountFen: 1990, paid: false, card: null });
    expect((await h.notify(order.orderId)).statusCode).toBe(204);
    const id = await h.draftIou(fay, bob);
    const cp = await coupon(fay, 'welcome');
    const q = await h.ok('fee-quote', fay.openid, { contractId: id, couponId: cp });
    expect(q).toMatchObject({ amountFen: 0, couponId: null, couponNotNeeded: true, card: { active: true, validUntil: '2026-04-14T16:00:00.000Z' } });
    expect(q.why.map((s: { label: string }) => s.label)).toEqual(['标准价格', '省钱月卡']);
    const r = await h.ok('contract-pay', fay.openid, { contractId: id, couponId: cp });
    expect(r).toMatchObject({ orderId: null, paid: true, quote: { why: [{ rule: 'list_price' }, { rule: 'saver_card', fen: 0 }] } });
    expect(await h.couponOf(cp)).toMatchObject({ status: 'available' }); // not needed, not spent
    expect(await h.ok('fee-quote', fay.openid, { item: 'evidence_report', contractId: id })).toMatchObject({ listFen: 990, amountFen: 490 });
    // A second card runs on from the end of the first; on 04-14 16:00 UTC (04-15 in China) the first month is over.
    const more = await h.ok('card-buy', fay.openid, {});
    expect((await h.notify(more.orderId)).statusCode).toBe(204);
    expect((await h.ok('fee-quote', fay.openid, { item: 'saver_card' })).card).toEqual({ active: true, validUntil: '2026-05-14T16:00:00.000Z' });
  });

  test('a card coupon lowers the card; the card is never free without a coupon', async () => {
    const gus = await h.verified('o-co-gus', '卫七');
    const cp = await coupon(gus, 'card_5');
    expect(await h.ok('card-buy', gus.openid, { couponId: cp })).toMatchObject({ amountFen: 1490, paid: false });
    expect((await h.call('card-buy', gus.openid, { quotedAmountFen: 0 })).error).toMatchObject({ code: 'PRICE_CHANGED', details: { amountFen: 1990 } });
  });
});
