/**
 * Fee rules at their edges (SPEC F1, F3, I6, R2, R3, U4): list prices per kind from configuration,
 * the monthly free quota by China calendar month, the saver card's month, coupons (amount/percent
 * off, threshold, expiry, one use, owner-bound), and the order in which they apply.
 */
import fc from 'fast-check';
import rawFees from '../../config/fees.json';
import {
  chinaMonth,
  couponDiscount,
  couponExpiresAt,
  extendSaverCard,
  listPrice,
  parseFeeConfig,
  quote,
  saverCardUntil,
  type CouponTerms,
  type FeeConfig,
  type FeeItem,
  type PriceFacts,
} from '../../shared/rules/fees';
import { expectCode } from './helpers';

const config = parseFeeConfig(rawFees);
const NOW = '2026-03-15T02:00:00.000Z'; // 10:00 on 2026-03-15 in China

const facts = (over: Partial<PriceFacts> = {}): PriceFacts => ({
  item: 'initiation', kind: 'iou', flow: 'iou', buyer: 'o-me', now: NOW, freeQuotaUsed: 0, cardActive: false, coupon: null, ...over,
});
const coupon = (over: Partial<CouponTerms> = {}): CouponTerms => ({
  id: 'cp_1', openid: 'o-me', type: 'amount_off', amountOffFen: 200, percentOff: 0, minPriceFen: 0,
  items: ['initiation'], kinds: null, expiresAt: '2026-04-01T00:00:00.000Z', used: false, heldElsewhere: false, ...over,
});
const clone = (): Record<string, any> => JSON.parse(JSON.stringify(rawFees));

describe('F1 configuration: config/fees.json is read and checked at cold start', () => {
  test('the shipped file: IOU 5.00, receipt 3.00, templates and own files 3.00 after 3 free a month, reports per kind', () => {
    expect(config.initiation.iou).toEqual({ feeFen: 500, freeQuota: false });
    expect(config.initiation.receipt).toEqual({ feeFen: 300, freeQuota: false });
    expect(config.initiation.own_file).toEqual({ feeFen: 300, freeQuota: true });
    expect(config.initiation['*']).toEqual({ feeFen: 300, freeQuota: true });
    expect(config.monthlyFreeQuota).toBe(3);
    expect(config.evidenceReport).toEqual({ iou: 990, receipt: 990, '*': 0 });
    expect(Object.keys(config.campaigns).sort()).toEqual(['card_5', 'free_iou', 'half_off', 'welcome']);
  });
  test.each<[string, (c: Record<string, any>) => void, RegExp]>([
    ['an IOU made free', (c) => { c.initiation.iou.feeFen = 0; }, /initiation\.iou: IOU and receipt initiation is always paid/],
    ['a receipt under the free quota', (c) => { c.initiation.receipt.freeQuota = true; }, /initiation\.receipt/],
    ['no row for the other templates', (c) => { delete c.initiation['*']; }, /initiation: must be an object with a "\*" row/],
    ['a price in yuan', (c) => { c.initiation.own_file.feeFen = 2.5; }, /initiation\.own_file\.feeFen: must be a whole number of fen/],
    ['a negative report price', (c) => { c.evidenceReport.iou = -1; }, /evidenceReport\.iou/],
    ['a card table without "*"', (c) => { delete c.saverCard.initiationFen['*']; }, /saverCard\.initiationFen/],
    ['a free card', (c) => { c.saverCard.priceFen = 0; }, /saverCard\.priceFen: the card is sold/],
    ['a 0% coupon', (c) => { c.coupons.campaigns.half_off.percentOff = 0; }, /half_off\.percentOff: must be 1–100/],
    ['a 101% coupon', (c) => { c.coupons.campaigns.half_off.percentOff = 101; }, /half_off\.percentOff: must be 1–100/],
    ['a coupon for an unknown item', (c) => { c.coupons.campaigns.welcome.items = ['lunch']; }, /welcome\.items/],
    ['a coupon valid 0 days', (c) => { c.coupons.campaigns.welcome.validDays = 0; }, /welcome\.validDays/],
  ])('refuses %s, naming the place', (_label, mutate, message) => {
    const c = clone();
    mutate(c);
    expect(() => parseFeeConfig(c)).toThrow(message);
  });
});

describe('list prices per kind (F1, F3, R3)', () => {
  test.each<[string, [FeeItem, string, string?], number]>([
    ['IOU initiation', ['initiation', 'iou', 'iou'], 500],
    ['payee-initiated receipt (R2)', ['initiation', 'receipt', 'receipt_payee'], 300],
    ['payer-initiated receipt: no fee (R3)', ['initiation', 'receipt', 'receipt_payer'], 0],
    ['own file', ['initiation', 'own_file', 'template'], 300],
    ['a template without its own row', ['initiation', 'house_rental', 'template'], 300],
    ['IOU evidence report (F3)', ['evidence_report', 'iou'], 990],
    ['template evidence report', ['evidence_report', 'house_rental'], 0],
    ['the saver card', ['saver_card', 'iou'], 1990],
  ])('%s', (_l, args, fen) => {
    expect(listPrice(config, ...args)).toBe(fen);
  });
});

describe('I6/U4 the monthly free quota', () => {
  test.each([
    [0, 0, true], [1, 0, true], [2, 0, true], // the 1st–3rd initiation of the month
    [3, 300, false], [4, 300, false], [50, 300, false],
  ])('a template with %i free initiations used this month costs %i fen', (used, fen, usesQuota) => {
    const q = quote(config, facts({ kind: 'house_rental', flow: 'template', freeQuotaUsed: used }));
    expect(q.amountFen).toBe(fen);
    expect(q.usesFreeQuota).toBe(usesQuota);
    expect(q.freeQuota).toEqual({ limit: 3, used, remaining: Math.max(0, 3 - used) });
    expect(q.steps.at(-1)).toMatchObject(usesQuota ? { rule: 'free_quota', fen: 0, used, limit: 3 } : { rule: 'list_price', fen: 300 });
  });
  test('own files share the rule', () => {
    expect(quote(config, facts({ kind: 'own_file', flow: 'template', freeQuotaUsed: 2 })).amountFen).toBe(0);
    expect(quote(config, facts({ kind: 'own_file', flow: 'template', freeQuotaUsed: 3 })).amountFen).toBe(300);
  });
  test('IOU and receipt are always paid: no quota, whatever was used', () => {
    for (const [kind, flow, fen] of [['iou', 'iou', 500], ['receipt', 'receipt_payee', 300]] as const) {
      const q = quote(config, facts({ kind, flow, freeQuotaUsed: 0 }));
      expect(q).toMatchObject({ amountFen: fen, usesFreeQuota: false, freeQuota: null, steps: [{ rule: 'list_price', fen }] });
    }
  });
  test('R3 a payer-initiated receipt has no fee and uses nothing', () => {
    const q = quote(config, facts({ kind: 'receipt', flow: 'receipt_payer', coupon: coupon() }));
    expect(q).toMatchObject({ amountFen: 0, usesFreeQuota: false, couponId: null, couponNotNeeded: true });
    expect(q.steps).toEqual([{ rule: 'list_price', fen: 0 }, { rule: 'no_fee', fen: 0, why: 'payer_issued_receipt' }]);
  });
  test('the quota does not cover evidence reports or the card', () => {
    expect(quote(config, facts({ item: 'evidence_report', kind: 'iou' })).amountFen).toBe(990);
    expect(quote(config, facts({ item: 'saver_card' })).amountFen).toBe(1990);
  });
  test.each([
    ['2026-03-31T15:59:59.999Z', '2026-03'], // 23:59:59.999 on 31 March in China
    ['2026-03-31T16:00:00.000Z', '2026-04'], // midnight in China: a new month and a new quota
    ['2026-12-31T16:00:00.000Z', '2027-01'],
    ['2026-01-31T20:00:00.000Z', '2026-02'], // still January in UTC
  ])('the quota month of %s is %s (Asia/Shanghai)', (instant, month) => {
    expect(chinaMonth(instant)).toBe(month);
  });
});

describe('the saver card (省钱月卡)', () => {
  test('zeroes an IOU and lowers an IOU report, while active', () => {
    expect(quote(config, facts({ cardActive: true })).steps).toEqual([{ rule: 'list_price', fen: 500 }, { rule: 'saver_card', fen: 0 }]);
    expect(quote(config, facts({ item: 'evidence_report', cardActive: true })).amountFen).toBe(490);
    expect(quote(config, facts({ cardActive: false })).amountFen).toBe(500);
  });
  test('a card that makes it free wins over a free initiation: the quota is not spent', () => {
    const q = quote(config, facts({ kind: 'house_rental', flow: 'template', cardActive: true }));
    expect(q).toMatchObject({ amountFen: 0, usesFreeQuota: false, steps: [{ rule: 'list_price' }, { rule: 'saver_card', fen: 0 }] });
  });
  test('a card that only lowers the price loses to a free initiation, and applies once the quota is used up', () => {
    const c = clone();
    c.saverCard.initiationFen['*'] = 100;
    const cfg: FeeConfig = parseFeeConfig(c);
    expect(quote(cfg, facts({ kind: 'house_rental', flow: 'template', cardActive: true, freeQuotaUsed: 2 }))).toMatchObject({ amountFen: 0, usesFreeQuota: true });
    expect(quote(cfg, facts({ kind: 'house_rental', flow: 'template', cardActive: true, freeQuotaUsed: 3 }))).toMatchObject({ amountFen: 100, usesFreeQuota: false });
  });
  test('a card price above the list price never raises it', () => {
    const c = clone();
    c.saverCard.initiationFen.iou = 900;
    expect(quote(parseFeeConfig(c), facts({ cardActive: true })).amountFen).toBe(500);
  });
  test.each([
    ['bought mid-day on 03-15 → through 04-14', '2026-03-15T02:00:00.000Z', '2026-04-14T16:00:00.000Z'],
    ['bought at 00:30 on 03-15 China (still 03-14 UTC)', '2026-03-14T16:30:00.000Z', '2026-04-14T16:00:00.000Z'],
    ['bought at 23:59 on 03-14 China', '2026-03-14T15:59:00.000Z', '2026-04-13T16:00:00.000Z'],
    ['bought 01-31 → through the end of February', '2026-01-31T04:00:00.000Z', '2026-02-28T16:00:00.000Z'],
    ['bought 2024-01-31 → through 02-29 (leap year)', '2024-01-31T04:00:00.000Z', '2024-02-29T16:00:00.000Z'],
    ['bought 03-30 → through 04-29', '2026-03-30T04:00:00.000Z', '2026-04-29T16:00:00.000Z'],
    ['bought 03-31 → through 04-30', '2026-03-31T04:00:00.000Z', '2026-04-30T16:00:00.000Z'],
    ['bought 12-15 → through 01-14 next year', '2026-12-15T04:00:00.000Z', '2027-01-14T16:00:00.000Z'],
  ])('one calendar month of China days: %s', (_l, start, until) => {
    expect(saverCardUntil(start)).toBe(until);
  });
  test('a further card runs on from the end of the current one; a lapsed one starts again now', () => {
    const until = '2026-04-14T16:00:00.000Z';
    expect(extendSaverCard(until, NOW)).toEqual({ from: until, until: '2026-05-14T16:00:00.000Z' });
    expect(extendSaverCard('2026-03-01T00:00:00.000Z', NOW)).toEqual({ from: NOW, until });
    expect(extendSaverCard(null, NOW)).toEqual({ from: NOW, until });
  });
});

describe('coupons', () => {
  test.each([
    ['2.00 off 5.00', { type: 'amount_off', amountOffFen: 200 }, 500, 300],
    ['8.00 off 5.00 → free, never negative', { type: 'amount_off', amountOffFen: 800 }, 500, 0],
    ['50% off 5.00', { type: 'percent_off', percentOff: 50 }, 500, 250],
    ['50% off 3.01 → the discount rounds down: 1.51 to pay', { type: 'percent_off', percentOff: 50 }, 301, 151],
    ['1% off 0.99 → nothing off', { type: 'percent_off', percentOff: 1 }, 99, 99],
    ['100% off', { type: 'percent_off', percentOff: 100 }, 500, 0],
  ] as const)('%s', (_l, terms, price, pay) => {
    expect(price - couponDiscount({ amountOffFen: 0, percentOff: 0, ...terms }, price)).toBe(pay);
  });
  test('a coupon applies after the list price and is recorded', () => {
    const q = quote(config, facts({ coupon: coupon() }));
    expect(q).toMatchObject({ amountFen: 300, couponId: 'cp_1', couponNotNeeded: false });
    expect(q.steps).toEqual([{ rule: 'list_price', fen: 500 }, { rule: 'coupon', fen: 300, couponId: 'cp_1', offFen: 200 }]);
  });
  test('after a card that lowered the price, a coupon takes off from what is left', () => {
    const q = quote(config, facts({ item: 'evidence_report', cardActive: true, coupon: coupon({ type: 'percent_off', percentOff: 50, items: ['evidence_report'] }) }));
    expect(q.steps.map((s) => s.fen)).toEqual([990, 490, 245]);
  });
  test('when the card or the quota already made it free, the coupon is not used', () => {
    expect(quote(config, facts({ cardActive: true, coupon: coupon() }))).toMatchObject({ amountFen: 0, couponId: null, couponNotNeeded: true });
    expect(quote(config, facts({ kind: 'own_file', flow: 'template', coupon: coupon({ minPriceFen: 1000 }) }))).toMatchObject({ amountFen: 0, couponId: null, couponNotNeeded: true });
  });
  test.each<[string, Partial<CouponTerms>, Partial<PriceFacts>, string]>([
    ['someone else\'s', { openid: 'o-other' }, {}, 'not_owner'],
    ['used', { used: true }, {}, 'used'],
    ['held by another payment', { heldElsewhere: true }, {}, 'in_use'],
    ['expired at the instant it lapses', { expiresAt: NOW }, {}, 'expired'],
    ['for evidence reports only', { items: ['evidence_report'] }, {}, 'not_applicable'],
    ['for receipts only', { kinds: ['receipt'] }, {}, 'not_applicable'],
    ['below its 满减 threshold (4.99 < 5.00)', { minPriceFen: 501 }, {}, 'below_minimum'],
  ])('a coupon %s is COUPON_UNAVAILABLE with the reason', (_l, over, f, reason) => {
    const e = expectCode(() => quote(config, facts({ ...f, coupon: coupon(over) })), 'COUPON_UNAVAILABLE');
    expect(e.details).toEqual({ couponId: 'cp_1', reason });
  });
  test('edges that still apply: 1 ms before expiry, exactly at the threshold, for the contract\'s kind', () => {
    const justBefore = new Date(Date.parse(NOW) + 1).toISOString();
    expect(quote(config, facts({ coupon: coupon({ expiresAt: justBefore }) })).amountFen).toBe(300);
    expect(quote(config, facts({ coupon: coupon({ minPriceFen: 500 }) })).amountFen).toBe(300);
    expect(quote(config, facts({ coupon: coupon({ kinds: ['iou'] }) })).amountFen).toBe(300);
  });
  test('a card coupon lowers the card (7.99 off 19.90, threshold 10.00)', () => {
    const c = coupon({ amountOffFen: 500, minPriceFen: 1000, items: ['saver_card'], kinds: null });
    expect(quote(config, facts({ item: 'saver_card', coupon: c })).amountFen).toBe(1490);
  });
  test.each([
    ['issued at 10:00 China, 30 days → lapses at midnight starting day 31', '2026-03-01T02:00:00.000Z', 30, '2026-03-30T16:00:00.000Z'],
    ['issued at 23:59 China on 02-28, 1 day → lapses at midnight', '2026-02-28T15:59:00.000Z', 1, '2026-02-28T16:00:00.000Z'],
    ['issued at 00:01 China on 03-01 (still 02-28 UTC), 1 day', '2026-02-28T16:01:00.000Z', 1, '2026-03-01T16:00:00.000Z'],
  ])('coupon validity: %s', (_l, issued, days, expires) => {
    expect(couponExpiresAt(issued, days)).toBe(expires);
  });
});

test('F1 for any facts, the price is a whole number of fen between 0 and the list price, and the steps end on it', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('iou', 'receipt', 'own_file', 'house_rental'),
      fc.constantFrom('initiation', 'evidence_report', 'saver_card'),
      fc.nat(6),
      fc.boolean(),
      fc.option(fc.record({ type: fc.constantFrom('amount_off', 'percent_off'), amountOffFen: fc.integer({ min: 1, max: 5000 }), percentOff: fc.integer({ min: 1, max: 100 }) }), { nil: null }),
      (kind, item, used, card, c) => {
        const flow = kind === 'iou' ? 'iou' : kind === 'receipt' ? 'receipt_payee' : 'template';
        const f = facts({ item: item as PriceFacts['item'], kind, flow, freeQuotaUsed: used, cardActive: card, coupon: c ? coupon({ ...c, items: ['initiation', 'evidence_report', 'saver_card'] }) : null });
        const q = quote(config, f);
        expect(Number.isSafeInteger(q.amountFen)).toBe(true);
        expect(q.amountFen).toBeGreaterThanOrEqual(0);
        expect(q.amountFen).toBeLessThanOrEqual(q.listFen);
        expect(q.steps.at(-1)!.fen).toBe(q.amountFen);
        expect(q.usesFreeQuota && q.couponId !== null).toBe(false); // a free initiation never also spends a coupon
      },
    ),
  );
});
