/**
 * Payments: WeChat Pay API v3, JSAPI (mini-program) orders, in production and locally alike — the
 * local provider runs the same client against a local simulator of the WeChat Pay API.
 *
 * An order is placed with `createOrder`; the mini-program pays with `wx.requestPayment(params)`;
 * WeChat Pay then notifies the payment-notify webhook, which verifies the notification with
 * `notificationKeys()` (through shared/adapters/wechatpay/notification.ts). `queryOrder` and
 * `closeOrder` are the reconcile timer's: an order whose notification never came is asked about
 * and settled, or closed so it can no longer be paid.
 */
import type { KeyObject } from 'node:crypto';

export interface CreateOrderInput {
  /** Our order id, WeChat's out_trade_no: 6–32 characters of [A-Za-z0-9_-|*]. */
  orderId: string;
  /** Shown in the payer's bill (≤ 127 characters). */
  description: string;
  /** A positive number of fen. */
  amountFen: number;
  /** The payer's openid under our AppID — from the platform context, never from the payload. */
  payerOpenid: string;
}

export interface CreatedOrder {
  prepayId: string;
  /** What the mini-program passes as-is to `wx.requestPayment` (timeStamp, nonceStr, package, signType, paySign). */
  requestPayment: Record<string, string>;
}

/** 《交易状态》 trade_state. */
export type ProviderTradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** What the provider says about an order (the fields our checks read). */
export interface ProviderTransaction {
  mchid: string;
  appid?: string;
  outTradeNo: string;
  tradeState: ProviderTradeState;
  transactionId?: string;
  payerOpenid?: string;
  amount: { total?: number; currency?: string };
  successTime?: string;
}

/**
 * What verifying a payment notification needs: the provider's verification keys by the serial it
 * names (Wechatpay-Serial), the APIv3 key that decrypts the resource, and who we are (a
 * notification for another merchant or app is refused).
 */
export interface NotificationKeys {
  platformKeys: ReadonlyMap<string, KeyObject>;
  apiV3Key: KeyObject;
  mchid: string;
  appid: string;
}

export interface Payments {
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  /** null when the provider has no such order (ORDERNOTEXIST). */
  queryOrder(orderId: string): Promise<ProviderTransaction | null>;
  /** 'already_paid' when the provider refuses because the order was paid meanwhile (ORDERPAID). */
  closeOrder(orderId: string): Promise<'closed' | 'already_paid' | 'not_found'>;
  notificationKeys(): NotificationKeys;
}
