import { generateKeyPairSync, sign } from 'node:crypto';
import { inspect } from 'node:util';
import forge from 'node-forge';
import { WECHATPAY_ENV, createWechatPayConfig, loadWechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { WechatPayConfigError } from '../../shared/adapters/wechatpay/errors';
import { parsePaymentNotification } from '../../shared/adapters/wechatpay/notification';
import { APPID, MCHID, fixedClock, setUp } from './fixtures';

const { merchant, sim } = setUp();
const APIV3 = sim.apiV3Key;

/** Env as a secret store would hold it: PEMs on one line with literal "\n". */
function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const oneLine = (pem: string): string => pem.trim().replace(/\n/g, '\\n');
  return {
    [WECHATPAY_ENV.mchid]: MCHID,
    [WECHATPAY_ENV.appid]: APPID,
    [WECHATPAY_ENV.merchantSerialNo]: merchant.serialNo,
    [WECHATPAY_ENV.merchantPrivateKey]: oneLine(merchant.privateKeyPem),
    [WECHATPAY_ENV.apiV3Key]: APIV3,
    [WECHATPAY_ENV.wechatpayPublicKey]: oneLine(sim.platformPublicKeyPem),
    [WECHATPAY_ENV.wechatpayPublicKeyId]: sim.publicKeyId,
    [WECHATPAY_ENV.notifyUrl]: 'https://esign.example.com/webhooks/payment',
    ...overrides,
  };
}

function configError(fn: () => unknown): WechatPayConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WechatPayConfigError) return e;
    throw e;
  }
  throw new Error('expected WechatPayConfigError');
}

describe('WeChat Pay config', () => {
  it('loads from env, defaulting the API base URL', () => {
    const c = loadWechatPayConfig(env());
    expect(c.mchid).toBe(MCHID);
    expect(c.baseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(c.wechatpayPublicKeyId).toBe(sim.publicKeyId);
    expect([...c.platformKeys.keys()]).toEqual([sim.publicKeyId]);
    expect(loadWechatPayConfig(env({ WECHATPAY_BASE_URL: 'http://127.0.0.1:8080/' })).baseUrl).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('lists every missing setting by name', () => {
    const e = configError(() => loadWechatPayConfig({}));
    expect(e.missing).toEqual(
      expect.arrayContaining([
        'WECHATPAY_MCHID',
        'WECHATPAY_APPID',
        'WECHATPAY_MERCHANT_SERIAL_NO',
        'WECHATPAY_MERCHANT_PRIVATE_KEY',
        'WECHATPAY_APIV3_KEY',
        'WECHATPAY_NOTIFY_URL',
        'WECHATPAY_PUBLIC_KEY + WECHATPAY_PUBLIC_KEY_ID (or WECHATPAY_PLATFORM_CERTS)',
      ]),
    );
    expect(configError(() => loadWechatPayConfig(env({ WECHATPAY_PUBLIC_KEY_ID: undefined }))).missing).toEqual([
      'WECHATPAY_PUBLIC_KEY_ID',
    ]);
  });

  it('reports unusable values by name, never echoing a secret', () => {
    const e = configError(() =>
      loadWechatPayConfig(
        env({
          WECHATPAY_APIV3_KEY: 'short-secret-value',
          WECHATPAY_MERCHANT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnot-a-key\\n-----END PRIVATE KEY-----',
          WECHATPAY_PUBLIC_KEY_ID: 'KEY_0001',
          WECHATPAY_NOTIFY_URL: 'https://esign.example.com/hook?contract=1',
        }),
      ),
    );
    expect(e.invalid.map((i) => i.name).sort()).toEqual([
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_MERCHANT_PRIVATE_KEY',
      'WECHATPAY_NOTIFY_URL',
      'WECHATPAY_PUBLIC_KEY_ID',
    ]);
    expect(e.message).not.toContain('short-secret-value');
    expect(e.message).not.toContain('not-a-key');
  });

  it('refuses plain http except for a local simulator', () => {
    const e = configError(() =>
      loadWechatPayConfig(
        env({ WECHATPAY_NOTIFY_URL: 'http://esign.example.com/hook', WECHATPAY_BASE_URL: 'http://api.example.com' }),
      ),
    );
    expect(e.invalid.map((i) => i.name).sort()).toEqual(['WECHATPAY_BASE_URL', 'WECHATPAY_NOTIFY_URL']);
    expect(() =>
      loadWechatPayConfig(env({ WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:3000/webhooks/payment' })),
    ).not.toThrow();
  });

  it('holds keys as KeyObjects that neither print nor serialise', () => {
    const c = loadWechatPayConfig(env());
    const shown = inspect(c, { depth: 5 }) + JSON.stringify(c);
    expect(shown).not.toContain(APIV3);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toMatch(/MII[A-Za-z0-9+/]{20}/); // no base64 DER of any key
  });

  it('accepts platform certificates (平台证书 mode) keyed by their serial number', () => {
    // A self-signed certificate made at test time, standing in for a downloaded platform cert.
    const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(platform.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
    cert.validity.notBefore = new Date('2024-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2029-01-01T00:00:00Z');
    const attrs = [{ name: 'commonName', value: 'Tenpay.com Root CA (test)' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    const forgeKey = forge.pki.privateKeyFromPem(
      platform.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    );
    cert.sign(forgeKey, forge.md.sha256.create());
    const certPem = forge.pki.certificateToPem(cert);

    const c = createWechatPayConfig({
      mchid: MCHID,
      appid: APPID,
      merchantSerialNo: merchant.serialNo,
      merchantPrivateKey: merchant.privateKeyPem,
      apiV3Key: APIV3,
      platformCertificates: certPem,
      notifyUrl: 'https://esign.example.com/webhooks/payment',
    });
    expect([...c.platformKeys.keys()]).toEqual(['5157F09EFDC096DE15EBE81A47057A7232F1B8E1']);
    expect(c.wechatpayPublicKeyId).toBeUndefined();

    // A notification signed with that certificate's key and naming its serial (lower-case) verifies.
    const clock = fixedClock('2025-03-01T04:00:00Z');
    const n = setUp({ clock }).sim; // only used for a well-formed encrypted body under another key
    const body = n.buildNotification({ outTradeNo: 'IOU000001', amountFen: 1, payerOpenid: 'o1' }).body;
    const ts = String(Math.floor(clock.now().getTime() / 1000));
    const signature = sign('sha256', Buffer.from(`${ts}\nabc\n${body}\n`), platform.privateKey).toString('base64');
    const out = parsePaymentNotification(
      {
        headers: {
          'Wechatpay-Serial': '5157f09efdc096de15ebe81a47057a7232f1b8e1',
          'Wechatpay-Timestamp': ts,
          'Wechatpay-Nonce': 'abc',
          'Wechatpay-Signature': signature,
        },
        body,
      },
      c,
      clock,
    );
    // The signature verifies with the certificate; decryption then fails because that body was
    // sealed under the other simulator's APIv3 key — proving verification passed first.
    expect(out.ok ? 'ok' : out.reason).toBe('decrypt_failed');
  });
});
