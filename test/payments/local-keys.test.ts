/**
 * The local WeChat Pay's keys (DESIGN: the local provider runs the real client and verification
 * against the simulator): generated on first use under the data dir, private to the owner, and the
 * same for every process and restart on that dir — so what one emulator's simulator signs, another
 * verifies (test/e2e/concurrency.test.ts delivers across two processes).
 */
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createWechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { LOCAL_APPID, LOCAL_MCHID, loadOrCreateLocalKeys } from '../../shared/adapters/local/wechatpay-keys';
import { LocalWechatPay } from '../../shared/adapters/local/local-wechatpay';
import { parsePaymentNotification } from '../../shared/adapters/wechatpay/notification';
import { tempDir } from '../support/emulator';

const clock = { now: () => new Date('2026-03-15T02:00:00.000Z') };

test('generated once, owner-only, then read back unchanged; a valid WeChat Pay configuration', () => {
  const dir = tempDir('wxkeys');
  const first = loadOrCreateLocalKeys(dir);
  const file = path.join(dir, 'wechatpay', 'local-keys.json');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(loadOrCreateLocalKeys(dir)).toEqual(first);
  expect(first).toMatchObject({ mchid: LOCAL_MCHID, appid: LOCAL_APPID });
  expect(Buffer.byteLength(first.apiV3Key)).toBe(32);
  expect(fs.readdirSync(path.join(dir, 'wechatpay'))).toEqual(['local-keys.json']); // no temporary file left
  expect(() =>
    createWechatPayConfig({
      mchid: first.mchid, appid: first.appid, merchantSerialNo: first.merchant.serialNo, merchantPrivateKey: first.merchant.privateKeyPem,
      apiV3Key: first.apiV3Key, wechatpayPublicKey: createPublicKey(first.platform.privateKeyPem), wechatpayPublicKeyId: first.platform.publicKeyId,
      notifyUrl: 'http://127.0.0.1:8787/webhooks/payment', baseUrl: 'http://127.0.0.1:9',
    }),
  ).not.toThrow();
});

test('a second adapter on the same data dir verifies what the first one\'s simulator signed', async () => {
  const dir = tempDir('wxkeys2');
  const one = new LocalWechatPay(dir, clock);
  const two = new LocalWechatPay(dir, clock);
  const n = one.simulator.buildNotification({ outTradeNo: 'po_keys00000000000001', amountFen: 500, payerOpenid: 'o-x' });
  const out = parsePaymentNotification({ headers: n.headers, body: n.body }, two.notificationKeys(), clock);
  expect(out.ok).toBe(true);
  const elsewhere = new LocalWechatPay(tempDir('wxkeys3'), clock);
  expect(parsePaymentNotification({ headers: n.headers, body: n.body }, elsewhere.notificationKeys(), clock)).toMatchObject({ ok: false, reason: 'unknown_serial' });
  await Promise.all([one.close(), two.close(), elsewhere.close()]);
});
