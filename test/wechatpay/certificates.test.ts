/**
 * Platform certificates (issue 16 item 5; 《下载平台证书》, 《平台证书更新指引》) with the real client
 * and adapter against the WeChat Pay simulator over HTTP: the certificates in force are
 * downloaded, decrypted with the APIv3 key and checked; during a rotation the old and the new are
 * both kept (a notification signed by either verifies), an expired one is dropped; the answer may
 * be signed by the new certificate already; the 微信支付公钥 configured beside them keeps working.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import { WechatPayClient } from '../../shared/adapters/wechatpay/client';
import { PlatformKeyRing } from '../../shared/adapters/wechatpay/certificates';
import { createWechatPayConfig, type WechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { WechatPayPayments } from '../../shared/adapters/wechatpay/payments';
import type { PaymentSimulator } from '../../shared/adapters/local/payment-simulator';
import { buildCertificate, derToPem, encodeName } from '../../shared/documents/x509';
import { close, fixedClock, listen, setUp } from './fixtures';

let server: Server;
let sim: PaymentSimulator;
let config: WechatPayConfig;
const clock = fixedClock(new Date().toISOString());

/** A self-signed RSA certificate as WeChat Pay's platform certificates are (their serial in hex). */
const platformCert = (days: number): { serialNo: string; pem: string; key: KeyObject; expireTime: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serial = randomBytes(20);
  serial[0] = serial[0]! & 0x7f | 0x10;
  const name = [{ type: 'CN' as const, value: 'Tenpay.com Root CA' }];
  const notAfter = new Date(clock.now().getTime() + days * 86_400_000);
  const der = buildCertificate({ serialNumber: serial, issuerNameDer: encodeName(name), subject: name, notBefore: new Date(clock.now().getTime() - 86_400_000), notAfter, subjectPublicKey: publicKey, ca: false, keyUsage: ['digitalSignature'] }, privateKey);
  return { serialNo: serial.toString('hex').toUpperCase(), pem: derToPem(der, 'CERTIFICATE'), key: privateKey, expireTime: notAfter.toISOString() };
};
const serve = (c: ReturnType<typeof platformCert>) =>
  sim.addPlatformCertificate({ serialNo: c.serialNo, certificatePem: c.pem, effectiveTime: new Date(clock.now().getTime() - 86_400_000).toISOString(), expireTime: c.expireTime });

beforeAll(async () => {
  const s = setUp({ clock });
  sim = s.sim;
  const l = await listen(sim.handler);
  server = l.server;
  config = createWechatPayConfig(sim.configInput(s.merchant, l.baseUrl, 'https://esign.example.com/webhooks/payment'));
});
afterAll(() => close(server));

test('downloadCertificates: decrypted with the APIv3 key, serials checked', async () => {
  const a = platformCert(365);
  serve(a);
  const got = await new WechatPayClient({ config, clock }).downloadCertificates();
  expect(got.map((c) => [c.serialNo, c.expireTime, c.certificatePem])).toEqual([[a.serialNo, a.expireTime, a.pem]]);
  sim.removePlatformCertificate(a.serialNo);
});

test('a rotation: old and new kept side by side with the public key, the answer signed by the new one; the old dropped once expired', async () => {
  const payments = new WechatPayPayments(config, { clock });
  const old = platformCert(3);
  const fresh = platformCert(365);
  serve(old);
  serve(fresh);
  const signedBy = (c: ReturnType<typeof platformCert>) => sim.signNotification('{"id":"x"}', { serial: c.serialNo, signingKey: c.key });
  const verifies = (n: ReturnType<typeof signedBy>) => payments.parseNotification(n);
  // Before any download the new serial is unknown.
  expect(verifies(signedBy(fresh))).toMatchObject({ ok: false, reason: 'unknown_serial' });

  sim.signAnswersWith({ serial: fresh.serialNo, key: fresh.key }); // WeChat already signs with the new one
  const r = await payments.refreshPlatformKeys();
  expect(r).toEqual({ serials: [old.serialNo, fresh.serialNo], expires: { [old.serialNo]: old.expireTime, [fresh.serialNo]: fresh.expireTime }, added: [old.serialNo, fresh.serialNo], dropped: [] });
  // Both verify now (the body is no notification: refused as malformed, after the signature passed).
  expect(verifies(signedBy(old))).toMatchObject({ ok: false, reason: 'malformed' });
  expect(verifies(signedBy(fresh))).toMatchObject({ ok: false, reason: 'malformed' });
  // The 微信支付公钥 configured beside them still verifies.
  expect(verifies(sim.signNotification('{"id":"x"}'))).toMatchObject({ ok: false, reason: 'malformed' });
  // Asked again at once: no second download.
  expect(await payments.refreshPlatformKeys()).toBeNull();

  clock.advance(4 * 86_400);
  sim.removePlatformCertificate(old.serialNo);
  expect(await payments.refreshPlatformKeys()).toEqual({ serials: [fresh.serialNo], expires: { [fresh.serialNo]: fresh.expireTime }, added: [], dropped: [old.serialNo] });
  expect(verifies(signedBy(old))).toMatchObject({ ok: false, reason: 'unknown_serial' });
  expect(verifies(signedBy(fresh))).toMatchObject({ ok: false, reason: 'malformed' });
  sim.signAnswersWith(undefined);
});

test('certificates that do not decrypt under our APIv3 key are refused whole: nothing is kept', async () => {
  const ring = new PlatformKeyRing(new Map());
  const bad = new WechatPayClient({ config: { ...config, apiV3Key: createKey() }, clock });
  serve(platformCert(30));
  await expect(bad.downloadCertificates().then((c) => ring.merge(c, clock.now()))).rejects.toMatchObject({ kind: 'malformed_response' });
  expect(ring.size).toBe(0);
});

function createKey(): KeyObject {
  return require('node:crypto').createSecretKey(Buffer.from('0'.repeat(32)));
}
