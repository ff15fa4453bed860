/**
 * Payments: WeChat Pay API v3, JSAPI (mini-program) orders, in production and locally alike — the
 * local provider runs the same client against a local simulator of the WeChat Pay API.
 *
 * An order is placed with `createOrder`; the mini-program pays with `wx.requestPayment(params)`;
 * WeChat Pay then notifies the payment-notify webhook, which has the notification checked and
 * parsed by `parseNotification` and answers with `notificationAnswer` (the provider's protocol,
 * shared/adapters/wechatpay/notification.ts, stays behind the port). `queryOrder` and
 * `closeOrder` are the reconcile timer's: an order whose notification never came is asked about
 * and settled, or closed so it can no longer be paid.
 */
import type { KeyObject } from 'node:crypto';
import type { HttpAnswer } from './operation';

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

/** A payment notification as the HTTP trigger hands it over: headers and the body exactly as received. */
export interface NotificationRequest {
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body exactly as received; base64 text when `isBase64Encoded`. */
  body: string | Buffer | null | undefined;
  isBase64Encoded?: boolean;
}

/** Why the provider's own checks refuse a notification (signature, timestamp, shape, decryption). */
export type NotificationCheckFailure = 'malformed' | 'bad_signature' | 'stale_timestamp' | 'unknown_serial' | 'decrypt_failed';

/**
 * Why a notification is refused: the checks above, the merchant's own order checks (an order we do
 * not have; an amount or payer that is not the order's), or our own failure.
 */
export type NotificationRefusal = NotificationCheckFailure | 'unknown_order' | 'amount_mismatch' | 'order_mismatch' | 'processing_failed';

/** A notification whose signature verified and whose resource decrypted. */
export interface VerifiedNotification {
  /** Notification id (the same across the provider's retries of one event). */
  id: string;
  createTime: string;
  /** TRANSACTION.SUCCESS for a payment. */
  eventType: string;
  summary?: string;
  transaction: ProviderTransaction;
  /** The serial of the key that verified it (audit). */
  verifiedWith: string;
}

export type NotificationCheck = { ok: true; notification: VerifiedNotification } | { ok: false; reason: NotificationCheckFailure; message: string };

/** 《申请退款》 / 《退款结果通知》 status: asynchronous, PROCESSING until the notification says. */
export type ProviderRefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

/** A refund to ask for: one payment (by its transaction id), whole or part, under our deterministic out_refund_no. */
export interface RefundInput {
  outRefundNo: string;
  transactionId: string;
  amountFen: number;
  /** The payment's own amount (amount.total). */
  totalFen: number;
  /** Shown to the payer with the refund (≤ 80 characters); our words, never typed text. */
  reason?: string;
}

export interface ProviderRefund {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  status: ProviderRefundStatus;
  amount: { refund: number; total: number };
  successTime?: string;
  userReceivedAccount?: string;
}

/** A refund result notification whose signature verified and whose resource decrypted. */
export interface VerifiedRefundNotification {
  id: string;
  createTime: string;
  /** REFUND.SUCCESS | REFUND.ABNORMAL | REFUND.CLOSED */
  eventType: string;
  refund: ProviderRefund;
  verifiedWith: string;
}

export type RefundNotificationCheck = { ok: true; notification: VerifiedRefundNotification } | { ok: false; reason: NotificationCheckFailure; message: string };

/** What a certificate download found: the serials in force (with their expiry), and what changed in the key ring. */
export interface PlatformKeysRefresh {
  serials: string[];
  /** expire_time of each serial in force. */
  expires: Record<string, string>;
  added: string[];
  dropped: string[];
}

export interface Payments {
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  /** null when the provider has no such order (ORDERNOTEXIST). */
  queryOrder(orderId: string): Promise<ProviderTransaction | null>;
  /** 'already_paid' when the provider refuses because the order was paid meanwhile (ORDERPAID). */
  closeOrder(orderId: string): Promise<'closed' | 'already_paid' | 'not_found'>;
  notificationKeys(): NotificationKeys;
  /** Verifies a payment notification (signature over the raw body, timestamp, our merchant and app), decrypts and parses it. */
  parseNotification(request: NotificationRequest): NotificationCheck;
  /** Asks the provider to refund a payment; the same outRefundNo again is the same refund (never a second one). */
  refund(input: RefundInput): Promise<ProviderRefund>;
  /** Which kind of notification this is, from its plaintext event type (routing only; the parser verifies). */
  notificationKind(request: NotificationRequest): 'refund' | 'transaction';
  /** Verifies a refund result notification like a payment one, decrypts and parses it. */
  parseRefundNotification(request: NotificationRequest): RefundNotificationCheck;
  /**
   * Downloads the provider's platform certificates in force (《下载平台证书》) and keeps them beside
   * the configured keys, old and new during a rotation, dropping expired ones. null: refreshed
   * moments ago in this process (at most one download per few minutes, whoever asks).
   */
  refreshPlatformKeys(): Promise<PlatformKeysRefresh | null>;
  /** The answer the provider expects to a notification: accepted, or refused for a reason. */
  notificationAnswer(outcome: 'accepted' | NotificationRefusal): HttpAnswer;
}
