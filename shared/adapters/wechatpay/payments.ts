/**
 * The Payments port on WeChat Pay API v3 (the client in client.ts). The answers WeChat gives as
 * errors but the payment flow treats as facts are mapped here, in one place:
 *  - 《商户订单号查询订单》 404 ORDERNOTEXIST → null (the order was never placed there);
 *  - 《关闭订单》 400 ORDERPAID → 'already_paid' (the payer finished first: settle, don't close);
 *    404 ORDERNOTEXIST → 'not_found'.
 * Every other failure is thrown as the WechatPayError it is; operations answer PROVIDER_ERROR.
 */
import type { Clock } from '../../ports/clock';
import type { HttpAnswer } from '../../ports/operation';
import type { CreateOrderInput, CreatedOrder, NotificationCheck, NotificationKeys, NotificationRefusal, NotificationRequest, Payments, PlatformKeysRefresh, ProviderRefund, ProviderTransaction, RefundInput, RefundNotificationCheck } from '../../ports/payments';
import { WechatPayClient } from './client';
import { PlatformKeyRing } from './certificates';

/** At most one certificate download per process this often (an unknown serial asks for one). */
const REFRESH_EVERY_MS = 5 * 60_000;
import type { WechatPayConfig } from './config';
import { isWechatPayError } from './errors';
import { notificationAccepted, notificationKind, notificationRefused, parsePaymentNotification, parseRefundNotification } from './notification';

const providerSays = (e: unknown, code: string): boolean => isWechatPayError(e) && e.kind === 'api_error' && e.providerCode === code;

export class WechatPayPayments implements Payments {
  private readonly client: WechatPayClient;
  private readonly clock: Clock;

  private readonly config: WechatPayConfig;
  private readonly keyRing: PlatformKeyRing;
  private lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(config: WechatPayConfig, options: { clock?: Clock; fetch?: typeof fetch } = {}) {
    // One key ring for answers and notifications alike: a refresh serves both at once.
    this.keyRing = new PlatformKeyRing(config.platformKeys);
    this.config = { ...config, platformKeys: this.keyRing };
    this.client = new WechatPayClient({ ...options, config: this.config });
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async refreshPlatformKeys(): Promise<PlatformKeysRefresh | null> {
    const now = this.clock.now();
    if (now.getTime() - this.lastRefresh < REFRESH_EVERY_MS) return null;
    this.lastRefresh = now.getTime();
    const certificates = await this.client.downloadCertificates();
    return { serials: certificates.map((c) => c.serialNo), expires: Object.fromEntries(certificates.map((c) => [c.serialNo, c.expireTime])), ...this.keyRing.merge(certificates, now) };
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    const order = await this.client.createJsapiOrder({
      outTradeNo: input.orderId,
      description: input.description,
      amountFen: input.amountFen,
      payerOpenid: input.payerOpenid,
    });
    return { prepayId: order.prepayId, requestPayment: { ...order.requestPayment } };
  }

  async queryOrder(orderId: string): Promise<ProviderTransaction | null> {
    try {
      const t = await this.client.queryOrder(orderId);
      const out: ProviderTransaction = { mchid: t.mchid, outTradeNo: t.outTradeNo, tradeState: t.tradeState, amount: { ...t.amount } };
      if (t.appid !== undefined) out.appid = t.appid;
      if (t.transactionId !== undefined) out.transactionId = t.transactionId;
      if (t.payerOpenid !== undefined) out.payerOpenid = t.payerOpenid;
      if (t.successTime !== undefined) out.successTime = t.successTime;
      return out;
    } catch (e) {
      if (providerSays(e, 'ORDERNOTEXIST')) return null;
      throw e;
    }
  }

  async closeOrder(orderId: string): Promise<'closed' | 'already_paid' | 'not_found'> {
    try {
      await this.client.closeOrder(orderId);
      return 'closed';
    } catch (e) {
      if (providerSays(e, 'ORDERPAID')) return 'already_paid';
      if (providerSays(e, 'ORDERNOTEXIST')) return 'not_found';
      throw e;
    }
  }

  notificationKeys(): NotificationKeys {
    const { platformKeys, apiV3Key, mchid, appid } = this.config;
    return { platformKeys, apiV3Key, mchid, appid };
  }

  parseNotification(request: NotificationRequest): NotificationCheck {
    return parsePaymentNotification(request, this.notificationKeys(), this.clock);
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    const r = await this.client.createRefund({ transactionId: input.transactionId, outRefundNo: input.outRefundNo, amountFen: input.amountFen, totalFen: input.totalFen, ...(input.reason ? { reason: input.reason } : {}) });
    const { mchid: _mchid, ...refund } = r;
    return refund;
  }

  notificationKind(request: NotificationRequest): 'refund' | 'transaction' {
    return notificationKind(request);
  }

  parseRefundNotification(request: NotificationRequest): RefundNotificationCheck {
    const r = parseRefundNotification(request, this.notificationKeys(), this.clock);
    if (!r.ok) return r;
    const { mchid: _mchid, ...refund } = r.notification.refund;
    return { ok: true, notification: { ...r.notification, refund } };
  }

  notificationAnswer(outcome: 'accepted' | NotificationRefusal): HttpAnswer {
    return outcome === 'accepted' ? notificationAccepted() : notificationRefused(outcome);
  }
}
