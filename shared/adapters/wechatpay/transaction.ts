/**
 * The transaction object, as returned by 《商户订单号查询订单》
 * (GET /v3/pay/transactions/out-trade-no/{out_trade_no}, pay.weixin.qq.com/doc/v3/merchant/4012556352)
 * and carried encrypted in 《支付成功回调通知》 (resource.original_type "transaction",
 * pay.weixin.qq.com/docs/merchant/products/notification/introduction.html).
 *
 * Only the fields the payment flow reads are mapped (camelCase); `raw` keeps the whole object for
 * the audit trail. Fields WeChat marks 选填 stay optional: an unpaid order (NOTPAY) has no
 * transaction_id, success_time or payer.
 */

/** 《交易状态》 trade_state. */
export const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const;
export type TradeState = (typeof TRADE_STATES)[number];

export interface Transaction {
  /** appid */
  appid?: string;
  /** mchid */
  mchid: string;
  /** out_trade_no — our order id. */
  outTradeNo: string;
  /** transaction_id — WeChat's order id; present once paid. */
  transactionId?: string;
  /** trade_state */
  tradeState: TradeState;
  /** trade_state_desc */
  tradeStateDesc?: string;
  /** trade_type (JSAPI for mini-program payments) */
  tradeType?: string;
  /** success_time, RFC 3339 with offset, e.g. 2018-06-08T10:34:56+08:00 */
  successTime?: string;
  /** payer.openid */
  payerOpenid?: string;
  /** attach, returned as sent at order time */
  attach?: string;
  /** amount.total / payer_total (fen) / currency */
  amount: { total?: number; payerTotal?: number; currency?: string };
  /** The object exactly as WeChat sent it. */
  raw: Record<string, unknown>;
}

export type TransactionParse = { ok: true; transaction: Transaction } | { ok: false; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const optFen = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);

export function parseTransaction(value: unknown): TransactionParse {
  if (!isRecord(value)) return { ok: false, message: 'transaction is not an object' };
  const mchid = optString(value.mchid);
  const outTradeNo = optString(value.out_trade_no);
  const tradeState = value.trade_state;
  if (mchid === undefined || outTradeNo === undefined)
    return { ok: false, message: 'transaction lacks mchid/out_trade_no' };
  if (typeof tradeState !== 'string' || !(TRADE_STATES as readonly string[]).includes(tradeState)) {
    return { ok: false, message: 'transaction has an unknown trade_state' };
  }
  const amount = isRecord(value.amount) ? value.amount : {};
  const payer = isRecord(value.payer) ? value.payer : {};
  if (
    tradeState === 'SUCCESS' &&
    (optString(value.transaction_id) === undefined || optFen(amount.total) === undefined)
  ) {
    return { ok: false, message: 'paid transaction lacks transaction_id/amount.total' };
  }
  const t: Transaction = {
    mchid,
    outTradeNo,
    tradeState: tradeState as TradeState,
    amount: {},
    raw: value,
  };
  const set = <K extends keyof Transaction>(k: K, v: Transaction[K] | undefined): void => {
    if (v !== undefined) t[k] = v;
  };
  set('appid', optString(value.appid));
  set('transactionId', optString(value.transaction_id));
  set('tradeStateDesc', optString(value.trade_state_desc));
  set('tradeType', optString(value.trade_type));
  set('successTime', optString(value.success_time));
  set('payerOpenid', optString(payer.openid));
  set('attach', optString(value.attach));
  const total = optFen(amount.total);
  const payerTotal = optFen(amount.payer_total);
  const currency = optString(amount.currency);
  if (total !== undefined) t.amount.total = total;
  if (payerTotal !== undefined) t.amount.payerTotal = payerTotal;
  if (currency !== undefined) t.amount.currency = currency;
  return { ok: true, transaction: t };
}
