/**
 * The payment-notify webhook (SPEC F2, S2, I6) through its real main(), against notifications
 * built exactly as WeChat Pay builds them — by the simulator, with its own RSA key (signature over
 * `timestamp\nnonce\nbody\n`) and the APIv3 key (AES-256-GCM resource) — never against a mock of
 * our own interfaces. Exactly-once under sequential and concurrent redelivery; every bad
 * notification refused with a clear answer, nothing changed, logged without secrets.
 */
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SaverCard } from '../../shared/payments/cards';
import { httpEvent, paymentsHarness, type PaymentsHarness } from '../support/payments';
import type { Person } from '../support/emulator';

let h: PaymentsHarness;
let lender: Person;
let borrower: Person;

beforeAll(async () => {
  h = await paymentsHarness('webhook');
  lender = await h.verified('o-wh-lender', '张三');
  borrower = await h.verified('o-wh-borrower', '李四');
});
afterAll(() => h.close());

const notify = (e: unknown) => h.main('payment-notify')(e, { requestId: 'wh-test' });

const ordered = () => h.ordered(lender, borrower);
const built = (o: { orderId: string }, options = {}) => h.sim().buildNotification({ outTradeNo: o.orderId }, {}, options);

describe('F2 the same notification delivered 10 times marks the order paid once, one event, one initiation', () => {
  test('sequentially', async () => {
    const o = await ordered();
    const n = built(o);
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await notify(httpEvent(n)));
    expect(answers).toEqual(Array(10).fill({ statusCode: 204, headers: {}, body: '' }));
    const evs = await h.eventsOf(o.contractId);
    expect(evs.map((e) => e.type)).toEqual(['created', 'payment_confirmed', 'initiated']);
    expect(evs[1]!.data).toMatchObject({ orderId: o.orderId, amountFen: 500, transactionId: h.sim().getOrder(o.orderId)!.transactionId });
    const c = await h.contractOf(o.contractId);
    expect(c.state).toBe('awaiting_signatures');
    expect(c.payment).toMatchObject({ status: 'paid', amountFen: 500, orderId: o.orderId });
    const order = await h.orderOf(o.orderId);
    expect(order).toMatchObject({ status: 'paid', applied: true, openFor: null, transactionId: h.sim().getOrder(o.orderId)!.transactionId });
    expect(order.version).toBe(3); // inserted, prepay id recorded, paid — once
  });

  test('concurrently, with fresh signatures on each redelivery (as WeChat re-signs retries)', async () => {
    const o = await ordered();
    const first = built(o);
    const resigned = Array.from({ length: 9 }, () => h.sim().signNotification(first.body));
    const answers = await Promise.all([first, ...resigned].map((n) => notify(httpEvent(n))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(204));
    expect((await h.eventsOf(o.contractId)).filter((e) => e.type === 'payment_confirmed' || e.type === 'initiated')).toHaveLength(2);
    expect((await h.contractOf(o.contractId)).version).toBe(2); // created, initiated
    expect((await h.orderOf(o.orderId)).version).toBe(3);
    const logged = h.lines.filter((l) => l.includes(o.orderId) && l.includes('payment settled')).map((l) => JSON.parse(l));
    expect(logged.filter((l) => !l.duplicate)).toHaveLength(1);
    expect(logged.filter((l) => l.duplicate)).toHaveLength(9);
  });

  test('a body handed over base64-encoded by the HTTP trigger is verified on its decoded bytes', async () => {
    const o = await ordered();
    const n = built(o, { base64Body: true });
    expect(n.isBase64Encoded).toBe(true);
    expect((await notify(httpEvent(n))).statusCode).toBe(204);
    expect((await h.contractOf(o.contractId)).payment.status).toBe('paid');
  });
});

describe('F2 a bad notification is refused with a clear answer, nothing changes, and it is logged without secrets', () => {
  let o: { contractId: string; orderId: string; amountFen: number };
  beforeAll(async () => {
    o = await ordered();
  });

  const FAIL = (statusCode: number, message: string) => ({ statusCode, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ code: 'FAIL', message }) });
  const cases: Array<[string, () => unknown, ReturnType<typeof FAIL>, string]> = [
    ['a forged signature (another key)', () => httpEvent(built(o, { forgeSignature: true })), FAIL(401, '签名验证失败'), 'bad_signature'],
    ['a body changed after signing', () => { const n = built(o); return { ...httpEvent(n), body: n.body.replace('"summary":"支付成功"', '"summary":"支付成功!"') }; }, FAIL(401, '签名验证失败'), 'bad_signature'],
    ['a timestamp 5 minutes old', () => httpEvent(built(o, { timestampOffsetSeconds: -300 })), FAIL(401, '时间戳超出允许范围'), 'stale_timestamp'],
    ['a timestamp 5 minutes ahead', () => httpEvent(built(o, { timestampOffsetSeconds: 300 })), FAIL(401, '时间戳超出允许范围'), 'stale_timestamp'],
    ['a key id we do not hold', () => httpEvent(built(o, { serial: 'PUB_KEY_ID_0000000000000000000000000000000000' })), FAIL(401, '未知的微信支付公钥或平台证书序列号'), 'unknown_serial'],
    ['a wrong amount (one fen more)', () => httpEvent(built(o, { wrongAmount: true })), FAIL(400, '支付金额与订单金额不一致'), 'amount_mismatch'],
    ['a wrong amount (one fen, on a 5.00 order)', () => httpEvent(built(o, { wrongAmount: 1 })), FAIL(400, '支付金额与订单金额不一致'), 'amount_mismatch'],
    ['another payer', () => httpEvent(h.sim().buildNotification({ outTradeNo: o.orderId }, { payerOpenid: 'o-someone-else' })), FAIL(400, '支付信息与订单不一致'), 'payer_mismatch'],
    ['an unknown order', () => httpEvent(h.sim().buildNotification({ outTradeNo: 'po_unknown000000000000', amountFen: 500, payerOpenid: lender.openid })), FAIL(404, '订单不存在'), 'unknown_order'],
    ['a resource we cannot decrypt (tampered, re-signed)', () => httpEvent(built(o, { tamperCiphertext: true })), FAIL(500, '解密失败'), 'decrypt_failed'],
    ['a signed body that is not JSON', () => httpEvent(h.sim().signNotification('{"id":')), FAIL(400, '报文格式错误'), 'malformed'],
    ['a signed JSON body that is not a notification', () => httpEvent(h.sim().signNotification('{"hello":"world"}')), FAIL(400, '报文格式错误'), 'malformed'],
    ['an empty body', () => ({ ...httpEvent(built(o)), body: '' }), FAIL(400, '报文格式错误'), 'malformed'],
    ['a "base64" body that is not base64', () => ({ ...httpEvent(built(o)), body: '%%%not base64%%%', isBase64Encoded: true }), FAIL(400, '报文格式错误'), 'malformed'],
    ['no Wechatpay-Nonce header', () => { const e = httpEvent(built(o)); delete (e.headers as Record<string, string>)['wechatpay-nonce']; return e; }, FAIL(400, '报文格式错误'), 'malformed'],
    ['an event that is not an HTTP request', () => ({ Type: 'Timer' }), FAIL(400, '报文格式错误'), 'malformed_event'],
  ];

  test.each(cases)('%s', async (_label, make, answer, reason) => {
    const before = await h.snapshot();
    const from = h.lines.length;
    const e = make();
    expect(await notify(e)).toEqual(answer);
    expect(await h.snapshot()).toBe(before);
    const logged = h.lines.slice(from).map((l) => JSON.parse(l));
    expect(logged.some((l) => l.refused === reason)).toBe(true);
    // Nothing of the request is logged: not the signature, the nonce, the ciphertext or the body.
    const text = h.lines.slice(from).join('\n');
    const headers = (e as { headers?: Record<string, string> }).headers ?? {};
    for (const secret of [headers['wechatpay-signature'], headers['wechatpay-nonce'], (e as { body?: string }).body]) {
      if (secret && secret.length > 8) expect(text).not.toContain(secret);
    }
  });

  test('after all of that, the genuine notification still goes through', async () => {
    expect((await notify(httpEvent(built(o)))).statusCode).toBe(204);
    expect((await h.contractOf(o.contractId)).payment.status).toBe('paid');
  });

  test('no log line of this suite holds a key, a signature, a ciphertext, an ID number or a phone', () => {
    const keys = JSON.parse(fs.readFileSync(path.join(h.c.config.dataDir, 'wechatpay', 'local-keys.json'), 'utf8'));
    const all = h.lines.join('\n');
    expect(h.lines.length).toBeGreaterThan(20);
    expect(all).not.toContain(keys.apiV3Key);
    expect(all).not.toContain(keys.merchant.privateKeyPem.split('\n')[1]);
    expect(all).not.toContain(keys.platform.privateKeyPem.split('\n')[1]);
    expect(all).not.toContain(createPrivateKey(keys.platform.privateKeyPem).export({ format: 'der', type: 'pkcs8' }).toString('base64').slice(40, 80));
    expect(all).not.toMatch(/"ciphertext"|"resource"|paySign|prepay_id=/);
    for (const p of [lender, borrower]) {
      expect(all).not.toContain(p.idNumber);
      expect(all).not.toContain(p.phone);
    }
  });
});

describe('payments that arrive after the contract moved on, and card purchases', () => {
  test('paid after the initiator revoked the draft: 204 (WeChat must stop), the order is paid but not applied, the contract stays revoked', async () => {
    const o = await ordered();
    // The revoke closes the order at WeChat Pay; only when that fails can the payer still pay it.
    h.sim().failNext({ kind: 'error', status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    await h.ok('contract-revoke', lender.openid, { contractId: o.contractId });
    const from = h.lines.length;
    expect((await notify(httpEvent(built(o)))).statusCode).toBe(204);
    expect(await h.orderOf(o.orderId)).toMatchObject({ status: 'paid', applied: false });
    const c = await h.contractOf(o.contractId);
    expect(c.state).toBe('revoked');
    expect(c.payment.status).toBe('unpaid');
    expect(h.lines.slice(from).some((l) => l.includes('refund by hand'))).toBe(true);
    expect((await h.eventsOf(o.contractId)).map((e) => e.type)).toEqual(['created', 'revoked', 'payment_refund_due']);
  });

  test('a card purchase notified 10 times at once extends the card by one month, once', async () => {
    const bought = await h.ok('card-buy', lender.openid, {});
    expect(bought).toMatchObject({ amountFen: 1990, paid: false, card: null });
    const n = h.sim().buildNotification({ outTradeNo: bought.orderId });
    const answers = await Promise.all(Array.from({ length: 10 }, () => notify(httpEvent(n))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(204));
    const card = (await h.c.store.get<SaverCard>('saver_cards', `card_${lender.openid}`))!;
    expect(card).toMatchObject({ validFrom: '2026-03-15T02:00:00.000Z', validUntil: '2026-04-14T16:00:00.000Z', purchases: [bought.orderId] });
    expect(card.version).toBe(1);
  });
});
