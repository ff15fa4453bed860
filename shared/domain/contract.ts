/**
 * The contract document as stored. One document per contract: its state, both parties, the
 * form, the payment gate, any pending rescind/settle request and the head of its event chain
 * (kept here so the compare-and-set write and the event append are one transaction even where
 * transactions only allow single-document operations, as on CloudBase).
 */
import type { Doc } from '../ports/store';

/** SPEC C1. Mirrors Tencent E-Sign's FlowStatus where one exists (see DESIGN.md). */
export const CONTRACT_STATES = [
  'draft', //                 created, not yet initiated (payment / 确认开具 pending)
  'awaiting_fill', //         ESS 8: a 对方填 party has not confirmed their details
  'awaiting_signatures', //   ESS 1/2: waiting for (further) signatures
  'signed', //                ESS 4: 已生效
  'rejected', //              ESS 3: a party refused (拒签 / 拒绝领取)
  'revoked', //               ESS 6: the initiator withdrew it (撤销)
  'expired', //               ESS 5: not completed within 30 days (C2)
  'invalidated', //           ESS 16: a party renamed (A3); unfinished contracts can no longer be signed
  'rescind_pending', //       解除 requested, waiting for the other party
  'rescinded', //             ESS 21: 已解除
  'settle_pending', //        结清 requested (IOU only)
  'settled', //               已结清 (IOU only)
] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

/** SPEC C1 per-party status. `waiting`: not this party's turn; `confirmed`: issued a receipt (确认开具). */
export const PARTY_STATUSES = ['to_fill', 'waiting', 'to_sign', 'signed', 'confirmed', 'rejected'] as const;
export type PartyStatus = (typeof PARTY_STATUSES)[number];

export const PARTY_ROLES = ['initiator', 'counterparty'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/**
 * The signing order and initiation style (C5, R2, R3):
 * - iou: initiation is paid; once both parties' details are in, the initiator signs first, then the other party.
 * - receipt_payee: the payee signs (when details are complete) and pays; the payer accepts (确认领取) or refuses.
 * - receipt_payer: the payer issues (确认开具, no fee); the payee signs or refuses (拒签).
 * - template: initiation is free within the monthly quota, else paid; the counterparty fills and signs first, then the initiator.
 */
export const FLOWS = ['iou', 'receipt_payee', 'receipt_payer', 'template'] as const;
export type Flow = (typeof FLOWS)[number];

export interface PartyDetails {
  name: string;
  /** Resident ID number, normalised (upper-case X). Masked in every view but its owner's. */
  idNumber: string;
  /** 11-digit mainland mobile. Masked in every view but its owner's. */
  phone: string;
}

export interface Signature {
  type: 'seal' | 'handwritten';
  /** Seal id or uploaded handwritten-signature file id. */
  ref: string | null;
  /** The face check that authorised this signature (V1). */
  faceCheckId: string;
  at: string;
}

export interface Party {
  role: PartyRole;
  /** The role's name in the contract's kind, e.g. 'lender' / 'borrower', 'payee' / 'payer'. */
  kindRole: string;
  /** The WeChat user bound to this party; null until a 对方填 party opens the share link. */
  openid: string | null;
  /** Null while the party is to fill (对方填). */
  details: PartyDetails | null;
  /** Who entered the details: the party themself, or the initiator for them (我来填). */
  filledBy: 'self' | 'initiator' | null;
  status: PartyStatus;
  /** When the party themself confirmed their details (P2) — "the other party did something" (C3). */
  filledAt: string | null;
  signature: Signature | null;
  rejectReason?: string;
}

export interface PendingRequest {
  type: 'rescind' | 'settle';
  by: PartyRole;
  reason: string;
  at: string;
  faceCheckId: string;
}

export interface PaymentGate {
  /** 'waived' when the price is 0 (free quota, card, coupon) or the flow has no fee (R3). */
  status: 'unpaid' | 'paid' | 'waived';
  amountFen: number;
  orderId: string | null;
  paidAt: string | null;
  /**
   * Payments that arrived for this contract after it had moved on (revoked or invalidated before
   * the order could be closed, or already paid by another order): never applied, to be refunded
   * by hand (F2). Absent until there is one.
   */
  refundsDue?: RefundDue[];
}

export interface RefundDue {
  /** Our order (WeChat's out_trade_no) and WeChat's transaction id: what a refund names. */
  orderId: string;
  transactionId: string;
  amountFen: number;
  /** When we learnt of it. */
  at: string;
}

/** A certificate as the contract shows it (C10). */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  fingerprintSha256: string;
}

/** One digital signature in the contract's PDF: a party's, or the platform's on a rescission/settlement. */
export interface DocumentSignature {
  by: PartyRole | 'platform';
  fieldName: string;
  signedAt: string;
  /** SHA-256 of the PDF right after this signature. */
  sha256: string;
  certificate: CertificateSummary;
}

/**
 * The contract's PDF (T4): the original rendering and each signed revision are files; the
 * contract points at the current one. Each signature is an incremental update of the previous
 * file, so earlier signatures stay valid.
 */
export interface ContractDocument {
  originalKey: string;
  originalSha256: string;
  currentKey: string;
  currentSha256: string;
  /** Where each party signs, from the rendering. */
  areas: Array<{ role: PartyRole; fieldName: string; pageIndex: number; rect: { x: number; y: number; width: number; height: number } }>;
  signatures: DocumentSignature[];
  /** The file as it was when the contract came into force (both parties signed). */
  signedKey: string | null;
}

export interface EventHead {
  seq: number;
  hash: string;
}

export interface Contract extends Doc {
  _id: string;
  /** Human contract number shown on the document (e.g. JT20261125xxxx). */
  contractNo: string;
  kind: string;
  flow: Flow;
  title: string;
  state: ContractState;
  parties: Record<PartyRole, Party>;
  /** Openids that may see the contract (index-backed "my contracts"). */
  memberOpenids: string[];
  form: Record<string, unknown>;
  /** What the rules applied at initiation (e.g. the LPR and cap for I5), kept for the record. */
  ruleFacts: Record<string, unknown>;
  shareToken: string;
  payment: PaymentGate;
  pending: PendingRequest | null;
  reminders: { enabled: boolean };
  createdAt: string;
  updatedAt: string;
  initiatedAt: string | null;
  /** Set while awaiting fill/signatures; the expiry timer's index key (C2). */
  expiresAt: string | null;
  completedAt: string | null;
  /** Null until the first signature renders and signs the PDF. */
  document: ContractDocument | null;
  eventHead: EventHead;
}

export const FINAL_STATES: readonly ContractState[] = ['rejected', 'revoked', 'expired', 'invalidated', 'rescinded', 'settled'];
export const IN_PROGRESS_STATES: readonly ContractState[] = ['draft', 'awaiting_fill', 'awaiting_signatures'];
/** Both parties signed, whatever happened after: a rescission or settlement asked or done (C8, C9, C11). */
export const SIGNED_STATES: readonly ContractState[] = ['signed', 'rescind_pending', 'settle_pending', 'rescinded', 'settled'];

export const otherRole = (role: PartyRole): PartyRole => (role === 'initiator' ? 'counterparty' : 'initiator');

export const roleOf = (contract: Contract, openid: string): PartyRole | null => {
  for (const role of PARTY_ROLES) if (contract.parties[role].openid === openid) return role;
  return null;
};
