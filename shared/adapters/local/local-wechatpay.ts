/**
 * The local provider's payments: the REAL WeChat Pay client (request signing, answer verification,
 * wx.requestPayment signing) and the real notification verification, pointed at the local
 * simulator of the WeChat Pay API — so the emulator exercises the production code paths and only
 * the other side of the wire is simulated.
 *
 * The simulator answers on its own 127.0.0.1 port, started on the first API call (a process that
 * never pays never opens it). Keys come from the data dir (wechatpay-keys.ts). The emulator tells
 * this adapter where its webhook route is (`setNotifyUrl`): that is the notify_url orders carry and
 * where the simulator delivers notifications.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../ports/clock';
import type { HttpAnswer } from '../../ports/operation';
import type { CreateOrderInput, CreatedOrder, NotificationCheck, NotificationKeys, NotificationRefusal, NotificationRequest, Payments, PlatformKeysRefresh, ProviderRefund, ProviderTransaction, RefundInput, RefundNotificationCheck } from '../../ports/payments';
import { notificationAccepted, notificationKind, notificationRefused, parsePaymentNotification, parseRefundNotification } from '../wechatpay/notification';
import { createWechatPayConfig } from '../wechatpay/config';
import { WechatPayPayments } from '../wechatpay/payments';
import { PaymentSimulator } from './payment-simulator';
import { loadOrCreateLocalKeys, type LocalWechatPayKeys } from './wechatpay-keys';

/** Until an emulator says where its webhook is, orders name a loopback URL nothing answers on. */
const NO_WEBHOOK_YET = 'http://127.0.0.1/webhooks/payment';

export class LocalWechatPay implements Payments {
  #keys: LocalWechatPayKeys | undefined;
  #simulator: PaymentSimulator | undefined;
  #notificationKeys: NotificationKeys | undefined;
  #server: Promise<{ server: http.Server; baseUrl: string }> | undefined;
  #payments: WechatPayPayments | undefined;
  #notifyUrl = NO_WEBHOOK_YET;

  constructor(private readonly dataDir: string, private readonly clock: Clock) {}

  private keys(): LocalWechatPayKeys {
    return (this.#keys ??= loadOrCreateLocalKeys(this.dataDir));
  }

  /** The other side of the wire: the emulator's pay control and tests build notifications with it. */
  get simulator(): PaymentSimulator {
    const k = this.keys();
    return (this.#simulator ??= new PaymentSimulator({
      mchid: k.mchid,
      appid: k.appid,
      merchantSerialNo: k.merchant.serialNo,
      merchantPublicKey: k.merchant.publicKeyPem,
      apiV3Key: k.apiV3Key,
      publicKeyId: k.platform.publicKeyId,
      platformPrivateKey: k.platform.privateKeyPem,
      clock: this.clock,
    }));
  }

  get notifyUrl(): string {
    return this.#notifyUrl;
  }

  setNotifyUrl(url: string): void {
    this.#notifyUrl = url;
    this.#payments = undefined; // the client's config carries notify_url: rebuild it on next use
  }

  private listen(): Promise<{ server: http.Server; baseUrl: string }> {
    const server = http.createServer(this.simulator.handler);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.unref(); // never what keeps a process alive
        resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      });
    });
  }

  private async client(): Promise<WechatPayPayments> {
    const { baseUrl } = await (this.#server ??= this.listen());
    const k = this.keys();
    return (this.#payments ??= new WechatPayPayments(
      createWechatPayConfig(this.simulator.configInput({ privateKeyPem: k.merchant.privateKeyPem, serialNo: k.merchant.serialNo }, baseUrl, this.#notifyUrl)),
      { clock: this.clock },
    ));
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    return (await this.client()).createOrder(input);
  }

  async queryOrder(orderId: string): Promise<ProviderTransaction | null> {
    return (await this.client()).queryOrder(orderId);
  }

  async closeOrder(orderId: string): Promise<'closed' | 'already_paid' | 'not_found'> {
    return (await this.client()).closeOrder(orderId);
  }

  notificationKeys(): NotificationKeys {
    if (this.#notificationKeys) return this.#notificationKeys;
    const k = this.keys();
    const platformKeys = new Map<string, KeyObject>([[k.platform.publicKeyId.toUpperCase(), createPublicKey(k.platform.privateKeyPem)]]);
    return (this.#notificationKeys = { platformKeys, apiV3Key: createSecretKey(Buffer.from(k.apiV3Key, 'utf8')), mchid: k.mchid, appid: k.appid });
  }

  /** The production verification, with the local keys: the emulator's webhook runs the real checks. */
  parseNotification(request: NotificationRequest): NotificationCheck {
    // Once the client exists, its key ring (with any certificates refreshed) checks notifications too.
    return this.#payments ? this.#payments.parseNotification(request) : parsePaymentNotification(request, this.notificationKeys(), this.clock);
  }

  async refreshPlatformKeys(): Promise<PlatformKeysRefresh | null> {
    return (await this.client()).refreshPlatformKeys();
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    return (await this.client()).refund(input);
  }

  notificationKind(request: NotificationRequest): 'refund' | 'transaction' {
    return notificationKind(request);
  }

  /** The production verification of a refund result, with the local keys. */
  parseRefundNotification(request: NotificationRequest): RefundNotificationCheck {
    if (this.#payments) return this.#payments.parseRefundNotification(request);
    const r = parseRefundNotification(request, this.notificationKeys(), this.clock);
    if (!r.ok) return r;
    const { mchid: _mchid, ...refund } = r.notification.refund;
    return { ok: true, notification: { ...r.notification, refund } };
  }

  notificationAnswer(outcome: 'accepted' | NotificationRefusal): HttpAnswer {
    return outcome === 'accepted' ? notificationAccepted() : notificationRefused(outcome);
  }

  async close(): Promise<void> {
    const started = this.#server;
    this.#server = undefined;
    this.#payments = undefined;
    if (!started) return;
    const { server } = await started;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
