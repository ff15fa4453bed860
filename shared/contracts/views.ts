/**
 * What a party sees of a contract. Their own details in full (they check them before signing);
 * the other parties' ID numbers and phones masked, as the product shows them; the actions the table
 * allows them now, so the mini-program shows the right buttons.
 */
import { otherParties, partyAt, type Contract, type ContractState, type Party, type PartyStatus } from '../domain/contract';
import { availableActions } from '../lifecycle/machine';
import type { EventType } from '../domain/events';
import { maskIdNumber } from '../rules/id-number';
import { maskPhone } from '../rules/phone';

export const STATE_LABELS: Record<ContractState, string> = {
  draft: '待发起',
  awaiting_fill: '待补充',
  awaiting_signatures: '待签署',
  signed: '已生效',
  rejected: '已拒签',
  revoked: '已撤销',
  expired: '已过期',
  invalidated: '已失效',
  rescind_pending: '解除中',
  rescinded: '已解除',
  settle_pending: '结清中',
  settled: '已结清',
};

/** The timeline's words for each event (contract-events, the console). */
export const EVENT_LABELS: Record<EventType, string> = {
  created: '创建合同', payment_confirmed: '支付发起费', payment_refund_due: '款项待退回', initiated: '发起成功',
  issued: '确认开具', share_opened: '对方打开分享', filled: '补充信息', signed: '签署', accepted: '确认领取',
  rejected: '拒签', revoked: '撤销', expired: '已过期', invalidated: '已失效',
  rescind_requested: '申请解除', rescind_cancelled: '取消解除', rescind_confirmed: '确认解除', rescind_refused: '拒绝解除',
  settle_requested: '申请结清', settle_cancelled: '取消结清', settle_confirmed: '确认结清', settle_refused: '拒绝结清',
  reminders_set: '设置还款提醒', urged: '催办', report_sent: '出证报告已发送', notice_accepted: '接受告知书',
  repayment_recorded: '登记还款', repayment_confirmed: '确认还款', repayment_disputed: '对还款提出异议',
  extension_proposed: '申请展期', extension_signed: '签署展期协议', extension_refused: '拒绝展期', demand_sent: '发送催告', ledger_cleared: '还款已还清',
};

export const PARTY_STATUS_LABELS: Record<PartyStatus, string> = {
  to_fill: '待补充',
  waiting: '待他人处理',
  to_sign: '待签署',
  signed: '已签署',
  confirmed: '已开具',
  rejected: '已拒签',
};

/**
 * The payer of a payee-initiated receipt does not sign: their turn is 确认领取 (R2). The table keeps
 * one status vocabulary (to_sign: "your act is due", signed: "your part is done"); the words the
 * product shows for that party are these.
 */
const acceptsReceipt = (c: Contract, p: Party) => c.flow === 'receipt_payee' && p.side === 'counterparty';
const RECEIPT_PAYER_LABELS: Partial<Record<PartyStatus, string>> = { to_sign: '待领取', signed: '已领取', rejected: '已拒绝领取' };

export const partyStatusLabel = (c: Contract, p: Party): string =>
  (acceptsReceipt(c, p) ? RECEIPT_PAYER_LABELS[p.status] : undefined) ?? PARTY_STATUS_LABELS[p.status];

/** 待签署 reads 待领取 while a payee-initiated receipt waits for its payer's 确认领取 (R2: 待付款人领取). */
export const stateLabel = (c: Contract): string =>
  c.state === 'awaiting_signatures' && c.flow === 'receipt_payee' && partyAt(c, 1).status === 'to_sign' ? '待领取' : STATE_LABELS[c.state];

/**
 * One party as the viewer sees it. The output keeps the names it always had: `role` is the party's
 * side (initiator / counterparty / signer) and `kindRole` its role in the kind (lender, payee…).
 */
const partyView = (c: Contract, p: Party, own: boolean, index: number) => ({
  /** One name per concept (issue 18): `side` is initiator / counterparty / signer… */
  side: p.side,
  /** …and `templateRole` the role in the kind. `role`/`kindRole` stay for old callers (same values). */
  templateRole: p.role,
  role: p.side,
  kindRole: p.role,
  isMe: own,
  status: p.status,
  statusLabel: partyStatusLabel(c, p),
  name: p.details?.name ?? null,
  idNumber: p.details ? (own ? p.details.idNumber : maskIdNumber(p.details.idNumber)) : null,
  phone: p.details ? (own ? p.details.phone : maskPhone(p.details.phone)) : null,
  filledBy: p.filledBy,
  signed: p.signature !== null,
  signedAt: p.signature?.at ?? null,
  signatureType: p.signature?.type ?? null,
  ...(p.rejectReason !== undefined ? { rejectReason: p.rejectReason } : {}),
  // Own files (U3, C5): each signer's place in the signing order and where they sign.
  ...(c.ownFile ? { order: p.order, fields: c.ownFile.fields.filter((f) => f.party === index).map(({ page, x, y, width, height }) => ({ page, x, y, width, height })) } : {}),
});

/** The contract as the party at index `viewer` sees it. */
export const contractView = (contract: Contract, viewer: number, now: string) => ({
  id: contract._id,
  contractNo: contract.contractNo,
  kind: contract.kind,
  flow: contract.flow,
  title: contract.title,
  state: contract.state,
  stateLabel: stateLabel(contract),
  /** The viewer's side (initiator / counterparty / signer) and role in the kind (lender, borrower…). */
  side: partyAt(contract, viewer).side,
  role: partyAt(contract, viewer).role,
  /** @deprecated the same as `side` / `role`, kept for callers written before issue 18. */
  myRole: partyAt(contract, viewer).side,
  myKindRole: partyAt(contract, viewer).role,
  parties: contract.parties.map((p, i) => partyView(contract, p, i === viewer, i)),
  ...(contract.ownFile
    ? {
        signingOrder: contract.signingOrder ?? 'sequential',
        ownFile: { originalName: contract.ownFile.originalName, originalSha256: contract.ownFile.originalSha256, pdfSha256: contract.ownFile.pdfSha256, pages: contract.ownFile.pages, deadline: contract.ownFile.deadline },
      }
    : {}),
  form: contract.form,
  payment: { status: contract.payment.status, amountFen: contract.payment.amountFen },
  pending: contract.pending ? { type: contract.pending.type, by: partyAt(contract, contract.pending.by).side, reason: contract.pending.reason, at: contract.pending.at } : null,
  reminders: contract.reminders,
  // The share token is the initiator's to pass on while another party is not bound yet.
  shareToken: viewer === 0 && otherParties(contract, 0).some((i) => partyAt(contract, i).openid === null) ? contract.shareToken : null,
  createdAt: contract.createdAt,
  updatedAt: contract.updatedAt,
  initiatedAt: contract.initiatedAt,
  expiresAt: contract.expiresAt,
  completedAt: contract.completedAt,
  // L4: the lender's 结清证明, downloadable by both (contract-download document: settlement_certificate).
  settlementCertificate: contract.settlementCertificate ? { sha256: contract.settlementCertificate.sha256, signedAt: contract.settlementCertificate.signedAt } : null,
  version: contract.version ?? 0,
  actions: availableActions(contract, { kind: 'party', index: viewer }, { now }),
});

export type ContractView = ReturnType<typeof contractView>;

/**
 * The list row: enough for 我的合同 without form or personal details. `otherPartyName` is the
 * other party's name in a two-party contract; with more parties, the first other one's (the
 * initiator's, for a signer), as the list has room for one name.
 */
export const contractSummary = (contract: Contract, viewer: number) => ({
  id: contract._id,
  contractNo: contract.contractNo,
  kind: contract.kind,
  title: contract.title,
  state: contract.state,
  stateLabel: stateLabel(contract),
  myRole: partyAt(contract, viewer).side,
  myStatus: partyAt(contract, viewer).status,
  otherPartyName: partyAt(contract, otherParties(contract, viewer)[0]!).details?.name ?? null,
  amountFen: typeof contract.form.amountFen === 'number' ? contract.form.amountFen : null,
  updatedAt: contract.updatedAt,
});
