import { createCipheriv, createDecipheriv, createSecretKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createWechatPayConfig } from '../../shared/adapters/wechatpay/config';
import {
  notificationAccepted,
  notificationRefused,
  parsePaymentNotification,
  type NotificationOutcome,
  type NotificationRequest,
} from '../../shared/adapters/wechatpay/notification';
import type { SimulatedNotification } from '../../shared/adapters/local/payment-simulator';
import { APPID, MCHID, fixedClock, setUp } from './fixtures';

const clock = fixedClock('2025-03-01T04:00:00Z');
const { sim, config, merchant } = setUp({ clock });
const ORDER = { outTradeNo: 'IOU20250301000001', amountFen: 990, payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' };

const parse = (n: NotificationRequest): NotificationOutcome => parsePaymentNotification(n, config, clock);
const reasonOf = (o: NotificationOutcome): string => (o.ok ? 'ok' : o.reason);

describe('payment notification (《支付成功回调通知》)', () => {
  it('verifies, decrypts and returns the transaction', () => {
    const n = sim.buildNotification(ORDER, { tradeState: 'SUCCESS' });
    const out = parse(n);
    if (!out.ok) throw new Error(`${out.reason}: ${out.message}`);
    const { notification } = out;
    expect(notification.eventType).toBe('TRANSACTION.SUCCESS');
    expect(notification.createTime).toBe('2025-03-01T12:00:00+08:00');
    expect(notification.verifiedWith).toBe(sim.publicKeyId);
    expect(notification.transaction).toMatchObject({
      appid: APPID,
      mchid: MCHID,
      outTradeNo: ORDER.outTradeNo,
      tradeState: 'SUCCESS',
      tradeType: 'JSAPI',
      successTime: '2025-03-01T12:00:00+08:00',
      payerOpenid: ORDER.payerOpenid,
      amount: { total: 990, payerTotal: 990, currency: 'CNY' },
    });
    expect(notification.transaction.transactionId).toMatch(/^4200\d{24}$/);
  });

  it('accepts header names in any case (HTTP triggers lower-case them)', () => {
    const n = sim.buildNotification(ORDER);
    const lower = Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(reasonOf(parse({ headers: lower, body: n.body }))).toBe('ok');
  });

  it('refuses a forged signature', () => {
    expect(reasonOf(parse(sim.buildNotification(ORDER, {}, { forgeSignature: true })))).toBe('bad_signature');
  });

  it('refuses a body changed after signing', () => {
    const n = sim.buildNotification(ORDER);
    const changed = n.body.replace('"summary":"支付成功"', '"summary":"支付成功 "');
    expect(changed).not.toBe(n.body);
    expect(reasonOf(parse({ ...n, body: changed }))).toBe('bad_signature');
  });

  it('refuses a missing signature as bad_signature and missing headers as malformed', () => {
    const n = sim.buildNotification(ORDER);
    const { 'Wechatpay-Signature': _sig, ...unsigned } = n.headers;
    expect(reasonOf(parse({ headers: unsigned, body: n.body }))).toBe('bad_signature');
    const { 'Wechatpay-Nonce': _nonce, ...noNonce } = n.headers;
    expect(reasonOf(parse({ headers: noNonce, body: n.body }))).toBe('malformed');
  });

  it('refuses WeChat Pay signature-probe traffic (WECHATPAY/SIGNTEST/…)', () => {
    const n = sim.buildNotification(ORDER);
    const probe = { ...n.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${n.headers['Wechatpay-Signature']}` };
    expect(reasonOf(parse({ headers: probe, body: n.body }))).toBe('bad_signature');
  });

  it.each([
    [0, 'ok'],
    [299, 'ok'],
    [-299, 'ok'],
    [300, 'stale_timestamp'], // as the official SDKs: |skew| >= 5 min is refused
    [301, 'stale_timestamp'],
    [-301, 'stale_timestamp'],
    [-86_400, 'stale_timestamp'], // a replay of yesterday's notification
  ])('timestamp %i s away from our clock → %s', (offset, expected) => {
    expect(reasonOf(parse(sim.buildNotification(ORDER, {}, { timestampOffsetSeconds: offset })))).toBe(expected);
  });

  it('refuses an unknown Wechatpay-Serial', () => {
    const n = sim.buildNotification(ORDER, {}, { serial: 'PUB_KEY_ID_0000000000000000000000000000000000' });
    expect(reasonOf(parse(n))).toBe('unknown_serial');
  });

  it('refuses a correctly signed body that is not JSON', () => {
    expect(reasonOf(parse(sim.signNotification('{"id":"EV-1","resource":')))).toBe('malformed');
    expect(reasonOf(parse(sim.signNotification('[]')))).toBe('malformed');
  });

  it('refuses a signed body without an encrypted transaction', () => {
    const body = JSON.stringify({
      id: 'EV-1',
      create_time: '2025-03-01T12:00:00+08:00',
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'plain',
    });
    expect(reasonOf(parse(sim.signNotification(body)))).toBe('malformed');
  });

  it('refuses a tampered ciphertext (signed after tampering) as decrypt_failed', () => {
    expect(reasonOf(parse(sim.buildNotification(ORDER, {}, { tamperCiphertext: true })))).toBe('decrypt_failed');
  });

  it('refuses to decrypt with another APIv3 key', () => {
    const otherKey = { ...config, apiV3Key: createSecretKey(Buffer.from('0123456789abcdef0123456789abcdef')) };
    const out = parsePaymentNotification(sim.buildNotification(ORDER), otherKey, clock);
    expect(reasonOf(out)).toBe('decrypt_failed');
  });

  it('refuses a transaction for another merchant', () => {
    const out = parsePaymentNotification(sim.buildNotification(ORDER), { ...config, mchid: '1900000001' }, clock);
    expect(reasonOf(out)).toBe('malformed');
  });

  it('reads a base64 body from an HTTP trigger (isBase64Encoded) and verifies the decoded bytes', () => {
    const n = sim.buildNotification(ORDER, {}, { base64Body: true });
    expect(n.isBase64Encoded).toBe(true);
    expect(n.body.startsWith('{')).toBe(false);
    const out = parse({ headers: n.headers, body: n.body, isBase64Encoded: true });
    expect(reasonOf(out)).toBe('ok');
    // The same base64 text taken as the raw body is not what WeChat signed.
    expect(reasonOf(parse({ headers: n.headers, body: n.body, isBase64Encoded: false }))).toBe('bad_signature');
    // Garbage that is not base64 at all.
    expect(reasonOf(parse({ headers: n.headers, body: '%%%not-base64%%%', isBase64Encoded: true }))).toBe('malformed');
  });

  it('passes through a wrong amount untouched: checking it against the order is the webhook’s job', () => {
    const out = parse(sim.buildNotification(ORDER, {}, { wrongAmount: 1 }));
    if (!out.ok) throw new Error(out.reason);
    expect(out.notification.transaction.amount.total).toBe(1);
  });

  it('accepts a notification built by hand with node:crypto (not by the simulator)', () => {
    // An independent "WeChat Pay": own key pair, own AES-GCM, own message layout from the docs.
    const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const apiV3Key = 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f'; // 32 ASCII characters, test-only
    const keyId = 'PUB_KEY_ID_0119000091912025030100000000000001';
    const cfg = createWechatPayConfig({
      mchid: MCHID,
      appid: APPID,
      merchantSerialNo: merchant.serialNo,
      merchantPrivateKey: merchant.privateKeyPem,
      apiV3Key,
      wechatpayPublicKey: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      wechatpayPublicKeyId: keyId,
      notifyUrl: 'https://esign.example.com/webhooks/payment',
    });
    const plaintext =
      '{"mchid":"1900009191","appid":"wxd678efh567hg6787","out_trade_no":"1217752501201407033233368018",' +
      '"transaction_id":"1217752501201407033233368018","trade_type":"JSAPI","trade_state":"SUCCESS",' +
      '"trade_state_desc":"支付成功","bank_type":"CMC","attach":"自定义数据","success_time":"2018-06-08T10:34:56+08:00",' +
      '"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}';
    const nonce = 'fdasflkja484';
    const gcm = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
    gcm.setAAD(Buffer.from('transaction', 'utf8'));
    const ciphertext = Buffer.concat([gcm.update(plaintext, 'utf8'), gcm.final(), gcm.getAuthTag()]).toString('base64');
    const body =
      `{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource",` +
      `"event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction",` +
      `"algorithm":"AEAD_AES_256_GCM","ciphertext":"${ciphertext}","associated_data":"transaction","nonce":"${nonce}"}}`;
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const wechatNonce = 'e63973074d9d78aff8fb62277b5f95a0';
    const signature = sign(
      'sha256',
      Buffer.from(`${timestamp}\n${wechatNonce}\n${body}\n`, 'utf8'),
      platform.privateKey,
    ).toString('base64');

    const out = parsePaymentNotification(
      {
        headers: {
          'wechatpay-timestamp': timestamp,
          'wechatpay-nonce': wechatNonce,
          'wechatpay-signature': signature,
          'wechatpay-serial': keyId,
          'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
        },
        body,
      },
      cfg,
      clock,
    );
    if (!out.ok) throw new Error(`${out.reason}: ${out.message}`);
    expect(out.notification.id).toBe('EV-2018022511223320873');
    expect(out.notification.transaction).toMatchObject({
      outTradeNo: '1217752501201407033233368018',
      transactionId: '1217752501201407033233368018',
      attach: '自定义数据',
      amount: { total: 100, payerTotal: 100, currency: 'CNY' },
    });
  });

  it('builds notifications that a hand-written node:crypto check accepts (simulator vs the docs)', () => {
    const n: SimulatedNotification = sim.buildNotification(ORDER);
    const h = n.headers;
    expect(h['Wechatpay-Signature-Type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(h['Wechatpay-Serial']).toMatch(/^PUB_KEY_ID_\d+$/);
    const message = Buffer.from(`${h['Wechatpay-Timestamp']}\n${h['Wechatpay-Nonce']}\n${n.body}\n`, 'utf8');
    expect(verify('sha256', message, sim.platformPublicKeyPem, Buffer.from(h['Wechatpay-Signature'], 'base64'))).toBe(
      true,
    );

    const body = JSON.parse(n.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['id', 'create_time', 'resource_type', 'event_type', 'summary', 'resource']);
    expect(body).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS' });
    const r = body.resource as {
      original_type: string;
      algorithm: string;
      ciphertext: string;
      associated_data: string;
      nonce: string;
    };
    expect(r).toMatchObject({
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'transaction',
    });
    expect(r.nonce).toHaveLength(12);
    const data = Buffer.from(r.ciphertext, 'base64');
    const d = createDecipheriv('aes-256-gcm', Buffer.from(sim.apiV3Key, 'utf8'), Buffer.from(r.nonce, 'utf8'));
    d.setAAD(Buffer.from(r.associated_data, 'utf8'));
    d.setAuthTag(data.subarray(data.length - 16));
    const tx = JSON.parse(
      Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8'),
    ) as Record<string, unknown>;
    expect(tx).toMatchObject({ mchid: MCHID, appid: APPID, out_trade_no: ORDER.outTradeNo, trade_state: 'SUCCESS' });
  });
});

describe('notification answers (《通知应答》)', () => {
  it('answers success with 204 and no body', () => {
    expect(notificationAccepted()).toEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it.each([
    ['malformed', 400],
    ['bad_signature', 401],
    ['stale_timestamp', 401],
    ['unknown_serial', 401],
    ['decrypt_failed', 500],
    ['processing_failed', 500],
  ] as const)('answers %s with %i and {"code":"FAIL","message":…}', (reason, status) => {
    const a = notificationRefused(reason);
    expect(a.statusCode).toBe(status);
    expect(a.headers['Content-Type']).toMatch(/^application\/json/);
    const body = JSON.parse(a.body) as { code: string; message: string };
    expect(body.code).toBe('FAIL');
    expect(body.message.length).toBeGreaterThan(0);
    expect(body.message.length).toBeLessThanOrEqual(64);
  });
});
