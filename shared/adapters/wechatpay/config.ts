/**
 * WeChat Pay API v3 settings, by name, for a direct merchant (普通商户) taking JSAPI/mini-program
 * payments.
 *
 * Docs (pay.weixin.qq.com/doc/v3/merchant):
 *  - 《商户API证书》/《商户API私钥》: the merchant signs requests with its private key
 *    (apiclient_key.pem) and names the certificate by its serial number (`serial_no`).
 *  - 《APIv3密钥》: 32 characters, the AES-256-GCM key of notification resources.
 *  - 《微信支付公钥》 (4012153196) and 《如何从平台证书切换成微信支付公钥》 (4012154180): WeChat Pay
 *    signs with a key named by `Wechatpay-Serial`, either a WeChat Pay public key id
 *    (`PUB_KEY_ID_…`) or a platform certificate serial. During a switch-over both may be seen on
 *    notifications, so both can be configured at once; in public-key mode requests carry
 *    `Wechatpay-Serial: PUB_KEY_ID_…` so responses are signed with the public key.
 *  - 《小程序下单》/《JSAPI下单》 (4012525182 / 4012525167): `notify_url` must be reachable from the internet, HTTPS,
 *    and "不能携带参数" (no query string).
 *
 * Keys are held as node:crypto KeyObjects: they cannot be printed or JSON-serialised by accident
 * (a KeyObject logs as `PrivateKeyObject {}` and serialises as `{}`).
 */
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject, X509Certificate } from 'node:crypto';
import { WechatPayConfigError } from './errors';

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
/** Prefix of a WeChat Pay public key id, as sent in `Wechatpay-Serial` (《微信支付公钥》). */
export const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';

export interface WechatPayConfig {
  /** 商户号. */
  readonly mchid: string;
  /** The mini-program's AppID, bound to the merchant (下单 `appid`, 调起支付 `appId`). */
  readonly appid: string;
  /** Serial number of the merchant API certificate (`serial_no` in Authorization). */
  readonly merchantSerialNo: string;
  readonly merchantPrivateKey: KeyObject;
  /** APIv3 key as an AES-256 secret key. */
  readonly apiV3Key: KeyObject;
  /**
   * WeChat Pay's verification keys by the id WeChat sends in `Wechatpay-Serial` (upper-cased):
   * the public key id and/or platform certificate serials.
   */
  readonly platformKeys: ReadonlyMap<string, KeyObject>;
  /** Set in public-key mode: sent as the request's `Wechatpay-Serial`. */
  readonly wechatpayPublicKeyId?: string;
  readonly notifyUrl: string;
  /** No trailing slash. Tests point this at a local simulator. */
  readonly baseUrl: string;
}

/** Typed settings (tests, the emulator). PEM strings or ready KeyObjects. */
export interface WechatPayConfigInput {
  mchid?: string;
  appid?: string;
  merchantSerialNo?: string;
  merchantPrivateKey?: string | KeyObject;
  apiV3Key?: string;
  /** WeChat Pay public key (PEM, SPKI) — the "微信支付公钥" mode. */
  wechatpayPublicKey?: string | KeyObject;
  wechatpayPublicKeyId?: string;
  /** Platform certificates (PEM, one or more concatenated) — the older "平台证书" mode. */
  platformCertificates?: string | readonly string[];
  notifyUrl?: string;
  baseUrl?: string;
}

/** The environment variable for each setting (the deployment README lists these). */
export const WECHATPAY_ENV = {
  mchid: 'WECHATPAY_MCHID',
  appid: 'WECHATPAY_APPID',
  merchantSerialNo: 'WECHATPAY_MERCHANT_SERIAL_NO',
  merchantPrivateKey: 'WECHATPAY_MERCHANT_PRIVATE_KEY',
  apiV3Key: 'WECHATPAY_APIV3_KEY',
  wechatpayPublicKey: 'WECHATPAY_PUBLIC_KEY',
  wechatpayPublicKeyId: 'WECHATPAY_PUBLIC_KEY_ID',
  platformCertificates: 'WECHATPAY_PLATFORM_CERTS',
  notifyUrl: 'WECHATPAY_NOTIFY_URL',
  baseUrl: 'WECHATPAY_BASE_URL',
} as const satisfies Record<keyof WechatPayConfigInput, string>;

type Field = keyof WechatPayConfigInput;

/**
 * Builds the config from an env-like record (the composition root passes `process.env`; nothing
 * in this folder reads the environment itself). PEM values may use literal `\n` escapes, as
 * single-line secret stores require.
 */
export function loadWechatPayConfig(env: Readonly<Record<string, string | undefined>>): WechatPayConfig {
  const get = (f: Field): string | undefined => {
    const v = env[WECHATPAY_ENV[f]];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const pem = (f: Field): string | undefined => get(f)?.replace(/\\n/g, '\n');
  const input: WechatPayConfigInput = {};
  const assign = <K extends Field>(k: K, v: WechatPayConfigInput[K] | undefined): void => {
    if (v !== undefined) input[k] = v;
  };
  assign('mchid', get('mchid')?.trim());
  assign('appid', get('appid')?.trim());
  assign('merchantSerialNo', get('merchantSerialNo')?.trim());
  assign('merchantPrivateKey', pem('merchantPrivateKey'));
  assign('apiV3Key', get('apiV3Key'));
  assign('wechatpayPublicKey', pem('wechatpayPublicKey'));
  assign('wechatpayPublicKeyId', get('wechatpayPublicKeyId')?.trim());
  assign('platformCertificates', pem('platformCertificates'));
  assign('notifyUrl', get('notifyUrl')?.trim());
  assign('baseUrl', get('baseUrl')?.trim());
  return build(input, (f) => WECHATPAY_ENV[f]);
}

/** Builds the config from typed settings; errors name the fields (`mchid`, `apiV3Key`, …). */
export function createWechatPayConfig(input: WechatPayConfigInput): WechatPayConfig {
  return build(input, (f) => f);
}

function build(input: WechatPayConfigInput, nameOf: (f: Field) => string): WechatPayConfig {
  const missing: string[] = [];
  const invalid: Array<{ name: string; problem: string }> = [];
  const bad = (f: Field, problem: string): void => {
    invalid.push({ name: nameOf(f), problem });
  };
  const required = <T>(f: Field, v: T | undefined): T | undefined => {
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) missing.push(nameOf(f));
    return v;
  };

  const mchid = required('mchid', input.mchid);
  const appid = required('appid', input.appid);
  const merchantSerialNo = required('merchantSerialNo', input.merchantSerialNo);
  const notifyUrl = required('notifyUrl', input.notifyUrl);
  const apiV3KeyText = required('apiV3Key', input.apiV3Key);
  const merchantKeyInput = required('merchantPrivateKey', input.merchantPrivateKey);

  if (mchid !== undefined && !/^\d{1,32}$/.test(mchid)) bad('mchid', 'expected up to 32 digits');
  if (appid !== undefined && !/^wx[0-9a-zA-Z]{1,30}$/.test(appid)) bad('appid', 'expected an AppID starting with "wx"');
  if (merchantSerialNo !== undefined && !/^[0-9A-Fa-f]{1,64}$/.test(merchantSerialNo)) {
    bad('merchantSerialNo', 'expected the certificate serial number in hex');
  }

  let merchantPrivateKey: KeyObject | undefined;
  if (merchantKeyInput !== undefined) {
    merchantPrivateKey = asKey(merchantKeyInput, 'private');
    if (merchantPrivateKey === undefined) bad('merchantPrivateKey', 'not a PEM RSA private key');
  }

  let apiV3Key: KeyObject | undefined;
  if (apiV3KeyText !== undefined) {
    // 《APIv3密钥》: exactly 32 characters; used as the raw AES-256 key bytes.
    const bytes = Buffer.from(apiV3KeyText, 'utf8');
    if (bytes.length !== 32) bad('apiV3Key', `must be 32 bytes, got ${bytes.length}`);
    else apiV3Key = createSecretKey(bytes);
  }

  // Verification keys: the WeChat Pay public key (with its id) and/or platform certificates.
  const platformKeys = new Map<string, KeyObject>();
  const pubKeyInput = input.wechatpayPublicKey;
  const pubKeyId = input.wechatpayPublicKeyId?.trim() || undefined;
  if (pubKeyInput !== undefined && pubKeyId === undefined) missing.push(nameOf('wechatpayPublicKeyId'));
  if (pubKeyInput === undefined && pubKeyId !== undefined) missing.push(nameOf('wechatpayPublicKey'));
  if (pubKeyInput !== undefined && pubKeyId !== undefined) {
    const key = asKey(pubKeyInput, 'public');
    if (key === undefined) bad('wechatpayPublicKey', 'not a PEM RSA public key');
    if (!pubKeyId.startsWith(PUBLIC_KEY_ID_PREFIX))
      bad('wechatpayPublicKeyId', `must start with ${PUBLIC_KEY_ID_PREFIX}`);
    else if (key !== undefined) platformKeys.set(pubKeyId.toUpperCase(), key);
  }
  if (input.platformCertificates !== undefined) {
    const pems = splitCertificates(input.platformCertificates);
    if (pems.length === 0) bad('platformCertificates', 'no PEM certificate found');
    for (const certPem of pems) {
      try {
        const cert = new X509Certificate(certPem);
        if (cert.publicKey.asymmetricKeyType !== 'rsa') bad('platformCertificates', 'not an RSA certificate');
        else platformKeys.set(cert.serialNumber.toUpperCase(), cert.publicKey);
      } catch {
        bad('platformCertificates', 'unreadable PEM certificate');
      }
    }
  }
  if (pubKeyInput === undefined && pubKeyId === undefined && input.platformCertificates === undefined) {
    missing.push(
      `${nameOf('wechatpayPublicKey')} + ${nameOf('wechatpayPublicKeyId')} (or ${nameOf('platformCertificates')})`,
    );
  }

  if (notifyUrl !== undefined) {
    const problem = notifyUrlProblem(notifyUrl);
    if (problem !== undefined) bad('notifyUrl', problem);
  }
  const baseUrl = (input.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
      bad('baseUrl', 'must be https (http only for a local simulator)');
    }
  } catch {
    bad('baseUrl', 'not a URL');
  }

  if (missing.length > 0 || invalid.length > 0) throw new WechatPayConfigError(missing, invalid);
  // Every value below was checked above; the assertions only restate that for the compiler.
  const config: WechatPayConfig = {
    mchid: mchid!,
    appid: appid!,
    merchantSerialNo: merchantSerialNo!.toUpperCase(),
    merchantPrivateKey: merchantPrivateKey!,
    apiV3Key: apiV3Key!,
    platformKeys,
    notifyUrl: notifyUrl!,
    baseUrl,
    ...(pubKeyId !== undefined ? { wechatpayPublicKeyId: pubKeyId } : {}),
  };
  return Object.freeze(config);
}

function asKey(v: string | KeyObject, type: 'private' | 'public'): KeyObject | undefined {
  try {
    const key = typeof v === 'string' ? (type === 'private' ? createPrivateKey(v) : createPublicKey(v)) : v;
    if (key.type !== type || key.asymmetricKeyType !== 'rsa') return undefined;
    return key;
  } catch {
    return undefined;
  }
}

function splitCertificates(v: string | readonly string[]): string[] {
  const text = typeof v === 'string' ? v : v.join('\n');
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** JSAPI下单 `notify_url`: absolute, HTTPS, no query string ("不能携带参数"). */
function notifyUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (u.search !== '') return 'must not carry a query string';
  if (url.length > 255) return 'longer than 255 characters';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && isLoopback(u.hostname)) return undefined; // the local emulator only
  return 'must be https';
}
