/**
 * What a party sees of the ledger (L1–L3): the figures on a day, each instalment, every repayment
 * with its state, the extensions and the demand notices with their delivery. Amounts in fen with
 * their yuan text; days as China calendar days. Light: no PDF code.
 *
 * May import: rules/, domain/, lifecycle/, this module's records.
 */
import type { Contract } from '../domain/contract';
import { formatYuan } from '../rules/money';
import type { Ledger } from '../rules/ledger';
import { CHANNEL_LABELS, type ExtensionRecord, type LedgerRecords, type RepaymentRecord } from './records';

const REPAYMENT_LABELS = { recorded: '待出借人确认', confirmed: '已确认', disputed: '有异议' } as const;
const EXTENSION_LABELS = { proposed: '待对方签署', signed: '已签署', refused: '已拒绝' } as const;
const INSTALMENT_LABELS = { paid: '已还清', upcoming: '未到期', due: '今日到期', overdue: '已逾期', superseded: '已展期' } as const;
const DELIVERY_LABELS: Record<string, string> = { sent: '已送达', pending: '发送中', sending: '发送中', failed: '发送失败', none: '仅小程序内' };

export const repaymentView = (r: RepaymentRecord) => ({
  repaymentId: r._id,
  status: r.status,
  statusLabel: REPAYMENT_LABELS[r.status],
  amountFen: r.amountFen,
  amountYuan: formatYuan(r.amountFen),
  paidOn: r.paidOn,
  channel: r.channel,
  channelLabel: CHANNEL_LABELS[r.channel],
  recordedBy: r.recordedBy,
  confirmedAt: r.confirmedAt,
  disputedAt: r.disputedAt,
  ...(r.disputeReason ? { disputeReason: r.disputeReason } : {}),
  photo: r.photo ? { sha256: r.photo.sha256 } : null,
});

export const extensionView = (e: ExtensionRecord) => ({
  extensionId: e._id,
  status: e.status,
  statusLabel: EXTENSION_LABELS[e.status],
  proposedBy: e.proposedBy,
  proposedOn: e.proposedOn,
  principalFen: e.principalFen,
  plan: e.plan,
  signatures: e.document.signatures.map((s) => ({ party: s.party, signedAt: s.signedAt })),
  documentSha256: e.document.sha256,
});

export const ledgerView = (c: Contract, ledger: Ledger, records: LedgerRecords) => ({
  contractId: c._id,
  asOf: ledger.asOf,
  capBp: ledger.capBp,
  principalOutstandingFen: ledger.principalOutstandingFen,
  interestOutstandingFen: ledger.interestOutstandingFen,
  overdueInterestOutstandingFen: ledger.overdueInterestOutstandingFen,
  totalOutstandingFen: ledger.totalOutstandingFen,
  totalOutstandingYuan: formatYuan(ledger.totalOutstandingFen),
  dueNowFen: ledger.dueNowFen,
  overpaidFen: ledger.overpaidFen,
  cleared: ledger.cleared,
  instalments: ledger.instalments.map((i) => ({ ...i, statusLabel: INSTALMENT_LABELS[i.status] })),
  applied: ledger.repayments,
  repayments: records.repayments.map(repaymentView),
  extensions: records.extensions.map(extensionView),
  demands: records.demands.map((d) => ({ demandId: d._id, sentOn: d.sentOn, overdueFen: d.overdueFen, text: d.text, delivery: d.delivery, deliveryLabel: DELIVERY_LABELS[d.delivery] ?? d.delivery })),
  limitation: ledger.limitation,
});
