/**
 * 《申请退款》 and 《退款结果通知》 (issue 16 item 5) with the real client against the WeChat Pay
 * simulator over HTTP on 127.0.0.1: the simulator checks every request's signature, signs its
 * answers (the client checks them), answers in the shape of the docs, keeps one refund per
 * out_refund_no, and seals and signs refund notifications, which the real parser verifies and
 * decrypts.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import { WechatPayClient } from '../../shared/adapters/wechatpay/client';
import { createWechatPayConfig, type WechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { notificationKind, parseRefundNotification } from '../../shared/adapters/wechatpay/notification';
import type { PaymentSimulator } from '../../shared/adapters/local/payment-simulator';
import { MCHID, caught, close, listen, setUp } from './fixtures';

let server: Server;
let sim: PaymentSimulator;
let config: WechatPayConfig;
let client: WechatPayClient;
let seq = 0;
const clock = { now: () => new Date() };

beforeAll(async () => {
  const s = setUp();
  sim = s.sim;
  const l = await listen(sim.handler);
  server = l.server;
  config = createWechatPayConfig(sim.configInput(s.merchant, l.baseUrl, 'https://esign.example.com/webhooks/payment'));
  client = new WechatPayClient({ config });
});
afterAll(() => close(server));


/** A paid order at the simulator: its transaction id. */
const paid = async (amountFen = 990): Promise<{ outTradeNo: string; transactionId: string }> => {
  const outTradeNo = `RFD${Date.now()}${String(++seq).padStart(4, '0')}`;
  await client.createJsapiOrder({ outTradeNo, description: '电子借条-发起费', amountFen, payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
  return { outTradeNo, transactionId: sim.pay(outTradeNo).transactionId! };
};

describe('createRefund', () => {
  it('asks by transaction_id with notify_url and amount; the signed answer is PROCESSING with WeChat\'s refund_id', async () => {
    const { outTradeNo, transactionId } = await paid();
    const bodies: unknown[] = [];
    const spying = new WechatPayClient({ config, fetch: async (input, init) => (bodies.push(JSON.parse(String(init?.body))), fetch(input, init)) });
    const r = await spying.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990, reason: '重复支付' });
    expect(bodies).toEqual([{ transaction_id: transactionId, out_refund_no: `RF${transactionId}`, reason: '重复支付', notify_url: 'https://esign.example.com/webhooks/payment', amount: { refund: 990, total: 990, currency: 'CNY' } }]);
    expect(r).toEqual({ refundId: expect.stringMatching(/^50\d{27}$/), outRefundNo: `RF${transactionId}`, transactionId, outTradeNo, status: 'PROCESSING', amount: { refund: 990, total: 990 }, userReceivedAccount: '支付用户零钱' });
  });

  it('the same out_refund_no again is the same refund (one at WeChat Pay); more than was paid is INVALID_REQUEST', async () => {
    const { transactionId } = await paid(500);
    const first = await client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 500, totalFen: 500 });
    const again = await client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 500, totalFen: 500 });
    expect(again.refundId).toBe(first.refundId);
    expect(sim.refunds().filter((x) => x.transactionId === transactionId)).toHaveLength(1);
    const e = await caught(client.createRefund({ transactionId, outRefundNo: `RX${transactionId}`, amountFen: 1, totalFen: 500 }));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: 400, providerCode: 'INVALID_REQUEST' });
  });

  it('an unknown payment is RESOURCE_NOT_EXISTS; bad input never leaves the process', async () => {
    expect(await caught(client.createRefund({ transactionId: '4200000000000000000000000000', outRefundNo: 'RF4200000000000000000000000000', amountFen: 1, totalFen: 1 }))).toMatchObject({ httpStatus: 404, providerCode: 'RESOURCE_NOT_EXISTS' });
    expect(await caught(client.createRefund({ transactionId: 'x', outRefundNo: 'RF/../x', amountFen: 1, totalFen: 1 }))).toMatchObject({ kind: 'invalid_input' });
    expect(await caught(client.createRefund({ transactionId: 'x', outRefundNo: 'RFx', amountFen: 2, totalFen: 1 }))).toMatchObject({ kind: 'invalid_input' });
  });

  it('a request signed with the wrong merchant key is refused (SIGN_ERROR); a tampered answer is not believed', async () => {
    const { transactionId } = await paid();
    const impostor = new WechatPayClient({ config: { ...config, merchantPrivateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey } });
    expect(await caught(impostor.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990 }))).toMatchObject({ httpStatus: 401, providerCode: 'SIGN_ERROR' });
    expect(sim.getRefund(`RF${transactionId}`)).toBeUndefined();
    sim.failNext({ kind: 'tamper_response_body' });
    expect(await caught(client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990 }))).toMatchObject({ kind: 'response_not_verified' });
  });
});

describe('refund notifications', () => {
  it('REFUND.SUCCESS: routed as a refund, signature verified, resource decrypted and parsed', async () => {
    const { outTradeNo, transactionId } = await paid();
    await client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990 });
    const n = sim.buildRefundNotification(`RF${transactionId}`);
    expect(notificationKind(n)).toBe('refund');
    expect(notificationKind(sim.buildNotification({ outTradeNo }))).toBe('transaction');
    const out = parseRefundNotification(n, config, clock);
    if (!out.ok) throw new Error(out.message);
    expect(out.notification).toMatchObject({
      eventType: 'REFUND.SUCCESS', summary: '退款成功', verifiedWith: sim.publicKeyId,
      refund: { outRefundNo: `RF${transactionId}`, transactionId, outTradeNo, status: 'SUCCESS', mchid: MCHID, amount: { refund: 990, total: 990 }, userReceivedAccount: '支付用户零钱' },
    });
    expect(out.notification.refund.successTime).toMatch(/\+08:00$/);
  });

  it.each([
    ['a forged signature', { forgeSignature: true }, 'bad_signature'],
    ['a stale timestamp', { timestampOffsetSeconds: -600 }, 'stale_timestamp'],
    ['a tampered ciphertext', { tamperCiphertext: true }, 'decrypt_failed'],
    ['an unknown serial', { serial: 'PUB_KEY_ID_0000000000000000000000000000' }, 'unknown_serial'],
  ] as const)('refuses %s', async (_what, options, reason) => {
    const { transactionId } = await paid();
    await client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990 });
    const out = parseRefundNotification(sim.buildRefundNotification(`RF${transactionId}`, 'SUCCESS', options), config, clock);
    expect(out).toMatchObject({ ok: false, reason });
  });

  it('a payment notification is not a refund one, and a refund for another merchant is refused', async () => {
    const { outTradeNo, transactionId } = await paid();
    expect(parseRefundNotification(sim.buildNotification({ outTradeNo }), config, clock)).toMatchObject({ ok: false, reason: 'malformed', message: 'resource is not a refund' });
    await client.createRefund({ transactionId, outRefundNo: `RF${transactionId}`, amountFen: 990, totalFen: 990 });
    const n = sim.buildRefundNotification(`RF${transactionId}`, 'ABNORMAL');
    expect(parseRefundNotification(n, { ...config, mchid: '1900000001' }, clock)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseRefundNotification(n, config, clock)).toMatchObject({ ok: true, notification: { eventType: 'REFUND.ABNORMAL', refund: { status: 'ABNORMAL' } } });
  });
});
