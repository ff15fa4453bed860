import { AppError } from '../errors';
import { partyAt } from '../domain/contract';
import type { EvidenceReportRequestInput } from '../generated/schema-types';
import { emailOrBound } from '../identity/users';
import { requireCaller, type Operation } from '../ports/operation';
import { placeOrder, renewOrder, withdrawOrder, type PlacedOrder } from '../payments/checkout';
import { loadAsParty } from '../contracts/repository';
import { payWithCoupon, type CouponHolder } from '../payments/coupons';
import { sameTerms, updateOrder, type Order } from '../payments/orders';
import { priceFor, type Priced } from '../payments/pricing';
import { deliverReport, newReportNo, recordReportSent, sendReport, type DeliveryOutcome } from '../evidence/report-delivery';
import { owedReport, reportable, reportSubject } from '../evidence/report-orders';
import { newRecord, REPORT_ORDER_TABLE } from '../lifecycle';
import { expectQuoted, quoteView } from '../payments/quote-view';
import { commitLimited } from '../messages/limits';

/**
 * C9 出证报告 (F3): a party asks for the signing report by email, at the server's price (the
 * evidence-report table of config/fees.json, the saver card's price, a coupon for reports;
 * `quotedAmountFen` the page showed → PRICE_CHANGED when it is not the price any more).
 *
 * - Price 0: the report is produced now (signed by the platform), emailed, recorded in the audit
 *   trail, and an SMS tells the party — as before payments existed.
 * - Otherwise a WeChat Pay order (purpose `evidence_report`, one open order per contract and party)
 *   remembering the party and the address; the answer carries the wx.requestPayment parameters.
 *   The report is sent when the payment notification (or the reconcile timer) settles the order,
 *   once (evidence/report-delivery.ts). Asking again before paying renews the same order (a new address
 *   replaces the old); a different price or coupon replaces it.
 * - A report paid for but not delivered (its email failed) is sent again by asking again, to the
 *   address given now, without paying again; the reconcile timer also retries it.
 *
 * Refused before any order: a non-party (NOT_FOUND), a contract not signed by both (INVALID_TRANSITION).
 */
export const evidenceReportRequest: Operation<EvidenceReportRequestInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  const role = partyAt(contract, index).side;
  if (!reportable(contract)) throw new AppError('INVALID_TRANSITION', '双方完成签署后才能申请签署报告');
  const email = await emailOrBound(deps, openid, input.email);

  const owed = await owedReport(deps, contract._id, role);
  if (owed) return delivered(owed, await deliverReport(deps, owed, 'requested', email));

  const subject = reportSubject(contract._id, role);
  const priced = await priceFor(deps, { item: 'evidence_report', buyer: openid, contract, couponId: input.couponId, subject });
  const { quote, open } = priced;
  expectQuoted(priced, input.quotedAmountFen);
  const description = `电子签-签署报告-${contract.title}`.slice(0, 127);
  // The earlier order, paid meanwhile: that is the report paid for — sent now, to the address given now.
  const paidBefore = async (o: Order) => delivered(o, await deliverReport(deps, o._id, 'requested', email));
  if (open && sameTerms(open, quote)) {
    const current = open.report?.email === email
      ? open
      : (await updateOrder(deps, open, (o) => (o.status === 'created' && o.report && o.report.email !== email ? { ...o, report: { ...o.report, email: email } } : null))).order;
    const renewed = await renewOrder(deps, current, description);
    return renewed === 'paid' ? paidBefore(current) : ordered(priced, renewed);
  }
  if (open && (await withdrawOrder(deps, open, 'superseded')) === 'paid') return paidBefore(open);
  if (quote.amountFen > 0) {
    return ordered(priced, await placeOrder(deps, {
      purpose: 'evidence_report', subject, contractId: contract._id, openid, quote, description,
      report: newRecord(REPORT_ORDER_TABLE, { role, email: email, reportNo: newReportNo(deps, contract), sha256: null, attempts: 0, claimedAt: null, retryAt: null, sentAt: null, lastError: null }),
    }));
  }

  // Free (the template's reports cost nothing, or a coupon took the whole price): sent now, no order.
  const reportNo = newReportNo(deps, contract);
  // M2: a free report is produced and mailed at once, so it is counted (this party on this
  // contract, the address, the caller) in a commit before anything is produced or sent.
  await commitLimited(deps, 'evidence_report', { contractId: contract._id, caller: openid, destination: email.trim().toLowerCase() }, () => []);
  const freeHolder: CouponHolder = { orderId: null, contractId: contract._id, item: 'evidence_report' };
  const { sha256 } = await payWithCoupon(deps, quote.couponId, freeHolder, () => sendReport(deps, contract, email, reportNo));
  await recordReportSent(deps, contract._id, { role, openid }, { reportNo, sha256, email: email, amountFen: 0, orderId: null });
  return { orderId: null, amountFen: 0, paid: true, quote: quoteView(priced), reportNo, sha256, sentTo: email };
};

/** An order to pay: the report is sent when WeChat Pay confirms the payment. */
const ordered = (priced: Priced, placed: PlacedOrder) => ({
  orderId: placed.order._id,
  amountFen: placed.order.amountFen,
  paid: false,
  requestPayment: placed.requestPayment,
  quote: quoteView(priced),
  reportNo: null,
});

/** A report already paid for, delivered by this call (or by another one just now). */
const delivered = (order: Order, d: DeliveryOutcome) => {
  if (d.status === 'sent') return { orderId: order._id, amountFen: order.amountFen, paid: true, reportNo: d.reportNo, sha256: d.sha256, sentTo: d.sentTo };
  if (d.status === 'failed') {
    throw new AppError('PROVIDER_ERROR', '邮件发送失败。报告已支付，将自动重试发送，您也可以稍后再次申请（无需再次支付）', { orderId: order._id, paid: true });
  }
  throw new AppError('CONFLICT', '报告正在发送，请稍后查看邮箱', { orderId: order._id, paid: true });
};
