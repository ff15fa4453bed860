/**
 * Payments (WeChat Pay API v3 JSAPI in production). Foundation scope: create an order for a
 * contract's initiation fee; the local adapter marks it paid at once by calling back
 * `onPaid`. The payment issue adds the webhook, the simulator and reconciliation.
 */
export interface CreateOrderInput {
  orderId: string;          // our out_trade_no (≤ 32 chars)
  description: string;
  amountFen: number;
  payerOpenid: string;
}

export interface CreatedOrder {
  /** What the mini-program passes to wx.requestPayment; absent when settled at once locally. */
  requestPayment?: Record<string, string>;
  /** The local adapter settles at once. */
  paidImmediately: boolean;
  transactionId?: string;
}

export interface Payments {
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
}
