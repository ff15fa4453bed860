/**
 * WeChat Pay v3 refunds (《申请退款》 POST /v3/refund/domestic/refunds, 《退款结果通知》): the answer's
 * and the decrypted notification resource's fields our bookkeeping reads. The answer's `status`
 * and the notification's `refund_status` take the same values: SUCCESS, CLOSED, PROCESSING,
 * ABNORMAL (the refund call is asynchronous: PROCESSING until the notification or a query says).
 */
export const REFUND_STATUSES = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface Refund {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  status: RefundStatus;
  /** amount.refund / amount.total in fen. */
  amount: { refund: number; total: number };
  successTime?: string;
  userReceivedAccount?: string;
  /** mchid: present in notifications (the answer to our own call does not carry it). */
  mchid?: string;
}

export type RefundParse = { ok: true; refund: Refund } | { ok: false; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const fen = (v: unknown): number | undefined => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);

/** `statusField`: 'status' in the API's answer, 'refund_status' in the notification's resource. */
export function parseRefund(value: unknown, statusField: 'status' | 'refund_status'): RefundParse {
  if (!isRecord(value)) return { ok: false, message: 'refund is not an object' };
  const refundId = str(value.refund_id);
  const outRefundNo = str(value.out_refund_no);
  const transactionId = str(value.transaction_id);
  const outTradeNo = str(value.out_trade_no);
  const status = value[statusField];
  const amount = isRecord(value.amount) ? value.amount : {};
  const refund = fen(amount.refund);
  const total = fen(amount.total);
  if (!refundId || !outRefundNo || !transactionId || !outTradeNo) return { ok: false, message: 'refund lacks refund_id/out_refund_no/transaction_id/out_trade_no' };
  if (typeof status !== 'string' || !(REFUND_STATUSES as readonly string[]).includes(status)) return { ok: false, message: `refund has an unknown ${statusField}` };
  if (refund === undefined || total === undefined) return { ok: false, message: 'refund lacks amount.refund/amount.total' };
  const out: Refund = { refundId, outRefundNo, transactionId, outTradeNo, status: status as RefundStatus, amount: { refund, total } };
  const successTime = str(value.success_time);
  const account = str(value.user_received_account);
  const mchid = str(value.mchid);
  if (successTime) out.successTime = successTime;
  if (account) out.userReceivedAccount = account;
  if (mchid) out.mchid = mchid;
  return { ok: true, refund: out };
}
