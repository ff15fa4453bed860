/**
 * Drives the emulator over HTTP the way the mini-program would: POST /fn/<name> with x-openid.
 * People are made with checksum-valid ID numbers of a chosen age on today's China day.
 *
 * ESIGN_E2E_PROVIDER=cloud makes startTestEmulator run the same HTTP surface on the production
 * adapters (ESIGN_PROVIDER=cloud): the CloudBase and Tencent Cloud protocol servers of test/fakes
 * (signatures checked), a WeChat Pay simulator on its own port, and the emulator's controls routed
 * to them — so an end-to-end test runs unchanged on either provider.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type CloudEmulation, type Emulator } from '../../emulator/server';
import { MovableClock } from '../../shared/adapters/local/clock';
import { generateMerchantKeys, PaymentSimulator } from '../../shared/adapters/local/payment-simulator';
import { LOCAL_APPID, LOCAL_MCHID } from '../../shared/adapters/local/wechatpay-keys';
import { generatePlatformCa, issueTsaCertificate, loadPlatformCa } from '../../shared/documents/ca';
import { tsaIdentity } from '../../shared/adapters/local/tsa';
import { startTsaFake } from '../fakes/tsa';
import { SMS_TEMPLATE_IDS, SSM_PREFIX, SSM_VERSION, startCloudFakes, type CloudFakes } from '../fakes';
import type { SecretName } from '../../shared/ports/secrets';
import { addDays, chinaDay } from '../../shared/rules/dates';
import type { Store } from '../../shared/ports/store';
import { ALL_COLLECTIONS } from '../../shared/store/collections';
import { makeId } from '../rules/helpers';
import { checkAnswer } from './output-schemas';

export interface Person {
  openid: string;
  name: string;
  idNumber: string;
  phone: string;
}

export interface Reply<T = any> {
  status: number;
  ok: boolean;
  data: T;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export class Client {
  constructor(readonly emu: Emulator) {}

  async raw(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.emu.url}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  }

  async call<T = any>(name: string, openid: string | null, body: unknown = {}): Promise<Reply<T>> {
    const { status, json } = await this.raw('POST', `/fn/${name}`, body, openid ? { 'x-openid': openid } : {});
    // Every answer of every end-to-end call is checked against its function's output schema
    // (schemas/outputs/<name>.output.json): a shape the front end was not promised fails the test.
    checkAnswer(name, json);
    return { status, ok: json.ok, data: json.data, error: json.error };
  }

  /** Calls and fails the test with the error when the call was refused. */
  async ok<T = any>(name: string, openid: string, body: unknown = {}): Promise<T> {
    const r = await this.call<T>(name, openid, body);
    if (!r.ok) throw new Error(`${name} refused: ${JSON.stringify(r.error)}`);
    return r.data;
  }

  /**
   * WeChat Pay's side of an order: the payer pays and the simulator delivers the signed, encrypted
   * notification to the real webhook (POST /_emulator/pay/<orderId>); `mode` sends a duplicate
   * burst, a forged signature, a stale timestamp or a wrong amount instead.
   */
  async payOrder(orderId: string, options: { mode?: 'duplicate' | 'forged' | 'stale' | 'wrong_amount' | 'second_payment'; times?: number } = {}): Promise<{ status: number; json: any }> {
    return this.raw('POST', `/_emulator/pay/${orderId}`, options);
  }

  /**
   * Paying as the mini-program does (I6, F2): contract-pay places the order (or initiates at once
   * at price 0), then WeChat Pay notifies. Returns contract-pay's answer, the deliveries and the
   * contract as its initiator sees it afterwards. Fails the test when any step is refused.
   */
  async pay(openid: string, contractId: string, payload: Record<string, unknown> = {}): Promise<{ order: any; delivery: any; contract: any }> {
    const order = await this.ok('contract-pay', openid, { contractId, ...payload });
    if (order.orderId === null) return { order, delivery: null, contract: order.contract };
    const delivery = (await this.payOrder(order.orderId)).json;
    if (!delivery.ok || delivery.deliveries.some((d: { status: number }) => d.status >= 300)) throw new Error(`payment not accepted: ${JSON.stringify(delivery)}`);
    return { order, delivery, contract: await this.ok('contract-get', openid, { contractId }) };
  }

  /** Issues a coupon of a campaign (config/fees.json) to a user, as marketing would. */
  async coupon(openid: string, campaign: string): Promise<string> {
    const r = await this.raw('POST', '/_emulator/coupons', { openid, campaign });
    if (!r.json.ok) throw new Error(`coupon not issued: ${JSON.stringify(r.json)}`);
    return r.json.coupon.id;
  }

  async timer(name: string): Promise<any> {
    const { json } = await this.raw('POST', `/timers/${name}`);
    checkAnswer(name, json);
    return json;
  }

  async sms(phone?: string): Promise<Array<{ phone: string; template: string; text: string }>> {
    return (await this.raw('GET', `/outbox/sms${phone ? `?phone=${phone}` : ''}`)).json.messages;
  }

  async advance(days: number): Promise<void> {
    await this.raw('POST', '/_emulator/clock', { advanceDays: days });
  }

  async advanceMinutes(minutes: number): Promise<void> {
    await this.raw('POST', '/_emulator/clock', { advanceMinutes: minutes });
  }

  /** Starts a face check for a contract act and has the person pass (or fail) it. */
  async face(person: Person, purpose: string, contractId: string, pass = true): Promise<string> {
    const { bizToken } = await this.ok('face-start', person.openid, { purpose, contractId });
    await this.raw('POST', `/_emulator/face/${bizToken}`, { pass });
    return bizToken;
  }

  /** 实名认证 through the real flow: face-start(realname) → the check passes → identity-verify. */
  async verify(person: Person): Promise<void> {
    const { bizToken } = await this.ok('face-start', person.openid, { purpose: 'realname', name: person.name, idNumber: person.idNumber });
    await this.raw('POST', `/_emulator/face/${bizToken}`, { pass: true });
    await this.ok('identity-verify', person.openid, { name: person.name, idNumber: person.idNumber, phone: person.phone, bizToken });
  }

  /** Moves the clock forward to the next hh:00 China time, so a test cannot straddle a China midnight by chance. */
  async advanceToChinaHour(hour: number): Promise<void> {
    const now = this.emu.container.clock.now().getTime();
    const chinaMinutes = Math.floor((now + 8 * 3_600_000) / 60_000) % 1440;
    const wait = (hour * 60 - chinaMinutes + 1440) % 1440 || 1440;
    await this.raw('POST', '/_emulator/clock', { advanceMinutes: wait });
  }

  today(): string {
    return chinaDay(this.emu.container.clock.now());
  }
}

let seq = 100;
/** A person aged `age` full years today (born `age` years and 10 days ago, China calendar). */
export const person = (openid: string, name: string, age = 30, today = chinaDay(new Date())): Person => {
  const [y, m, d] = addDays(today, -10).split('-');
  const birth = `${Number(y) - age}-${m}-${m === '02' && d === '29' ? '28' : d}`; // no Feb 29 in most years
  seq += 1;
  return { openid, name, idNumber: makeId(birth, { seq: String(seq % 1000).padStart(3, '0') }), phone: `139${String(10_000_000 + seq).slice(-8)}` };
};

export const tempDir = (label: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `esign-${label}-`));

/** Which provider the end-to-end tests run on: ESIGN_E2E_PROVIDER=cloud, or local (the default). */
export const e2eProvider = (): 'local' | 'cloud' => (process.env.ESIGN_E2E_PROVIDER === 'cloud' ? 'cloud' : 'local');

/** The provider sides started in this test file, for tests that check the traffic really went through them. */
export const cloudEmulations: Array<{ fakes: CloudFakes; payments: PaymentSimulator }> = [];

/**
 * The provider side of ESIGN_PROVIDER=cloud, all on 127.0.0.1 with keys made for this run: the
 * CloudBase API (database with the collections and indexes the setup command creates, storage),
 * the Tencent Cloud API (FaceID, SMS, SES), WeChat Pay, and the platform CA in the settings.
 */
export const startCloudEmulation = async (): Promise<CloudEmulation> => {
  const fakes = await startCloudFakes();
  await fakes.setup();
  // As the local face simulator: a check nobody completed passes unless a test says otherwise.
  fakes.faceid.mode = 'pass';
  const clock = new MovableClock();
  const merchant = generateMerchantKeys();
  const payments = new PaymentSimulator({ mchid: LOCAL_MCHID, appid: LOCAL_APPID, merchantSerialNo: merchant.serialNo, merchantPublicKey: merchant.publicKeyPem, clock });
  const payServer = http.createServer(payments.handler);
  await new Promise<void>((resolve) => payServer.listen(0, '127.0.0.1', resolve));
  const { rootKeyPem: _offline, ...ca } = generatePlatformCa({});
  // The production TSA adapter (RFC 3161 over HTTP) against a TSA server under the same root.
  const tsa = await startTsaFake(tsaIdentity(await issueTsaCertificate(loadPlatformCa(ca), { now: new Date() })), () => clock.now());
  const templates = new Map(Object.entries(SMS_TEMPLATE_IDS).map(([kind, id]) => [id, kind]));
  cloudEmulations.push({ fakes, payments });
  // The issuing CA's key is in KMS (docs/DEPLOY.md), as the operator imported it: SSM has no copy,
  // so a function that read it from SSM would fail.
  const { keyId: caKmsKeyId } = fakes.kms.createKey({ pkcs8Pem: ca.issuingKeyPem });
  // The signing and payment secrets, as an operator puts them into SSM (docs/DEPLOY.md), never in
  // the environment (startCloudFakes put the others).
  const secrets: Partial<Record<SecretName, string>> = {
    'signer-id-secret': randomBytes(32).toString('hex'),
    'ca-root-cert': ca.rootCertPem,
    'ca-issuing-cert': ca.issuingCertPem,
    'ca-root-crl': ca.rootCrlPem!,
    'wechatpay-merchant-private-key': merchant.privateKeyPem,
    'wechatpay-apiv3-key': payments.apiV3Key,
    'wechat-app-secret': randomBytes(16).toString('hex'),
  };
  for (const [name, value] of Object.entries(secrets)) fakes.ssm.put(`${SSM_PREFIX}${name}`, SSM_VERSION, value);
  return {
    env: {
      ...fakes.env,
      ESIGN_TSA_URL: tsa.url,
      ESIGN_CA_KMS_KEY_ID: caKmsKeyId,
      WECHATPAY_MCHID: LOCAL_MCHID,
      WECHATPAY_APPID: LOCAL_APPID,
      WECHATPAY_MERCHANT_SERIAL_NO: merchant.serialNo,
      WECHATPAY_PUBLIC_KEY: payments.platformPublicKeyPem,
      WECHATPAY_PUBLIC_KEY_ID: payments.publicKeyId,
      WECHATPAY_BASE_URL: `http://127.0.0.1:${(payServer.address() as { port: number }).port}`,
    },
    clock,
    face: fakes.faceid,
    payments,
    // What the SMS service delivered, as the outbox shows it: the number as the user gave it, the notification kind by its template id.
    sms: async (phone) =>
      fakes.sms.sent
        .map((m) => ({ id: m.serialNo, phone: m.phone.replace(/^\+86/, ''), template: templates.get(m.templateId) ?? m.templateId, text: m.text }))
        .filter((m) => phone === null || m.phone === phone),
    close: async () => {
      payServer.closeAllConnections();
      await new Promise<void>((resolve) => payServer.close(() => resolve()));
      await fakes.close();
      await tsa.close();
    },
  };
};

export const startTestEmulator = async (label: string): Promise<{ emu: Emulator; client: Client; dir: string }> => {
  const dir = tempDir(label);
  const cloud = e2eProvider() === 'cloud' ? await startCloudEmulation() : undefined;
  const emu = await startEmulator({ port: 0, dataDir: dir, timers: false, env: { NODE_ENV: 'test', ESIGN_LOG_LEVEL: 'silent' }, ...(cloud ? { cloud } : {}) });
  return { emu, client: new Client(emu), dir };
};

/** A valid IOU form relative to `today`: one instalment at the repay date. */
export const iouForm = (today: string, overrides: Record<string, unknown> = {}) => ({
  amountFen: 1_000_000,
  purpose: '家庭装修周转',
  borrowDate: today,
  repayDate: addDays(today, 90),
  annualRateBp: 800,
  repaymentPlan: [{ dueDate: addDays(today, 90), principalFen: 1_000_000 }],
  ...overrides,
});

/** Every collection's documents, to show that a refused call changed nothing. */
export const storeSnapshot = async (store: Store): Promise<string> => {
  const parts: unknown[] = [];
  for (const col of ALL_COLLECTIONS) parts.push(col.name, await store.find(col.name, {}, { limit: 1000 }));
  return JSON.stringify(parts);
};
