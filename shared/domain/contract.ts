/**
 * The contract document as stored. One document per contract: its state, its parties (an ordered
 * list of two or more), the
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

/**
 * A party's place in the contract, by how they came to it (not their role in the kind):
 * - `initiator`: the one who created it; always `parties[0]`;
 * - `counterparty`: the other party of a two-party kind (IOU, receipt, templates); always `parties[1]`;
 * - `signer`: each further signer of an own file (U2) — own files name every party but the
 *   initiator `signer`, however many there are, since none of them is "the" other party.
 * A two-party contract's views and events still speak of `initiator` / `counterparty`.
 */
export const PARTY_SIDES = ['initiator', 'counterparty', 'signer'] as const;
export type PartySide = (typeof PARTY_SIDES)[number];
/** The sides of a two-party contract, where positions have names (report-order subjects, SMS). */
export type TwoPartySide = Exclude<PartySide, 'signer'>;

/** Own files (U2): the listed order, or the initiator first and then the others in any order. */
export const SIGNING_ORDERS = ['sequential', 'any'] as const;
export type SigningOrder = (typeof SIGNING_ORDERS)[number];

/** The stored shape's version; contracts/migrations.ts brings older documents up to it. */
export const CONTRACT_SCHEMA_VERSION = 2;

/**
 * The signing order and initiation style (C5, R2, R3):
 * - iou: initiation is paid; once both parties' details are in, the initiator signs first, then the other party.
 * - receipt_payee: the payee signs (when details are complete) and pays; the payer accepts (确认领取) or refuses.
 * - receipt_payer: the payer issues (确认开具, no fee); the payee signs or refuses (拒签).
 * - template: initiation is free within the monthly quota, else paid; the counterparty fills and signs first, then the initiator.
 * - own_file: the initiator's own document with two or more signers (U2), in the contract's `signingOrder` (C5).
 */
export const FLOWS = ['iou', 'receipt_payee', 'receipt_payer', 'template', 'own_file'] as const;
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
  /** A5: the seal's style (documents/seal.ts SealShape) when the seal record chose one; absent = the square seal. */
  style?: 'square' | 'round' | 'oval' | 'rectangle';
  /** The face check that authorised this signature (V1). */
  faceCheckId: string;
  at: string;
}

export interface Party {
  side: PartySide;
  /** The party's role in the contract's kind, e.g. 'lender' / 'borrower', 'payee' / 'payer'; 'signer' for own files. */
  role: string;
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
  /**
   * Signing position, from 1: a party may sign once every party with a lower `order` has signed
   * (own files, C5). Two-party flows record theirs (IOU: initiator 1; templates: counterparty 1)
   * but their table rows name the order themselves. Parties may share a position (`any` order).
   */
  order: number;
}

export interface PendingRequest {
  type: 'rescind' | 'settle';
  /** Index in `parties` of the party who asked. */
  by: number;
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
  by: PartySide | 'platform';
  /** Index in `parties` of the signer; null for the platform. */
  party: number | null;
  fieldName: string;
  signedAt: string;
  /** SHA-256 of the PDF right after this signature. */
  sha256: string;
  certificate: CertificateSummary;
  /**
   * Set when this revision completed the document (已生效, 已结清, 已解除): a DSS with the chain's
   * certificates and CRLs and an RFC 3161 document timestamp follow the signature (PAdES B-LTA, E1),
   * and `sha256` is the file with them.
   */
  longTerm?: { fieldName: string; timestampTime: string; certificates: number; crls: number };
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
  /** Each signer's signature field; `alsoAt`: an own file signer's further fields, stamped in the same revision (U3). */
  areas: Array<{ party: number; fieldName: string; pageIndex: number; rect: Rect; alsoAt?: Array<{ pageIndex: number; rect: Rect }> }>;
  signatures: DocumentSignature[];
  /**
   * A band of the rendered original that nothing is drawn in (documents/layout.ts): where the
   * parties' rescind/settle signatures and the platform's stamp go, never over text. Absent for an
   * own file (we did not lay it out) and for documents rendered before it existed.
   */
  actsArea?: { pageIndex: number; rect: { x: number; y: number; width: number; height: number } };
  /** The file as it was when the contract came into force (both parties signed). */
  signedKey: string | null;
}

/** A rectangle in PDF points, origin bottom left. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A signature field placed by the initiator (U3), in PDF points on a page (1-based), origin bottom left. */
export interface SignatureField {
  party: number;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A prepared own file (U1), as file-import stores it (the evidence report prints originalSha256 and pdfSha256). */
export interface OwnFile {
  importId: string;
  type: string;
  originalName: string;
  /** SHA-256 of the original as uploaded (the first image's for an album; each in `originals`). */
  originalSha256: string;
  pdfSha256: string;
  pages: Array<{ width: number; height: number }>;
  originals: Array<{ name: string; sha256: string; key: string }>;
  pdfKey: string;
}

/** What an own-file contract keeps: its import, the deadline and where each signer signs. */
export interface OwnFileRecord extends OwnFile {
  /** C2: the initiator's signing deadline (ISO instant). */
  deadline: string;
  fields: SignatureField[];
}

export interface EventHead {
  seq: number;
  hash: string;
}

/**
 * The event head as the platform signed it in the commit that moved it (E2, contracts/
 * chain-heads.ts): a detached CMS over the head's bytes (evidence/merkle.ts chainHeadBytes). The
 * anchor timer puts it in a timestamped Merkle tree; the evidence bundle carries it.
 */
export interface SignedHead extends EventHead {
  /** The CMS SignedData, DER in base64. */
  signature: string;
  /** When the commit signed it (our clock: the trusted time is the anchor's). */
  signedAt: string;
}

/** The head is what `signed` signed: the signature covers the chain as it stands. */
export const isSignedHead = (head: EventHead, signed: SignedHead | undefined): signed is SignedHead => signed !== undefined && signed.seq === head.seq && signed.hash === head.hash;

export interface Contract extends Doc {
  _id: string;
  /** Human contract number shown on the document (e.g. JT20261125xxxx). */
  contractNo: string;
  kind: string;
  flow: Flow;
  title: string;
  state: ContractState;
  /** See CONTRACT_SCHEMA_VERSION; absent on documents stored before version 2. */
  schemaVersion: number;
  /** Two or more, the initiator first; see PartySide. */
  parties: Party[];
  /** Own files only (C5): how the signers after the initiator take turns. */
  signingOrder?: SigningOrder;
  /** Own files only (U1–U3): the prepared document, its hashes, the deadline and each signer's fields. */
  ownFile?: OwnFileRecord;
  /** Openids that may see the contract (index-backed "my contracts"). */
  memberOpenids: string[];
  /**
   * P3 我来填: keyed hashes of the ID numbers the initiator typed for parties not yet bound
   * (contracts/invitees.ts), so the invited person finds the contract in their list as soon as
   * their verified ID number matches. Absent on older documents.
   */
  inviteeKeys?: string[];
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
  /** L4: the lender's signed 结清证明 of a settled IOU, beside the stamped contract. */
  settlementCertificate?: SettlementCertificate;
  eventHead: EventHead;
  /** eventHead signed by the platform; absent on contracts whose chain has not moved since E2. */
  signedHead?: SignedHead;
}

export interface SettlementCertificate {
  key: string;
  sha256: string;
  signedAt: string;
  /** The lender's one-time certificate. */
  certificateSerial: string;
}

export const FINAL_STATES: readonly ContractState[] = ['rejected', 'revoked', 'expired', 'invalidated', 'rescinded', 'settled'];
export const IN_PROGRESS_STATES: readonly ContractState[] = ['draft', 'awaiting_fill', 'awaiting_signatures'];
/** Both parties signed, whatever happened after: a rescission or settlement asked or done (C8, C9, C11). */
export const SIGNED_STATES: readonly ContractState[] = ['signed', 'rescind_pending', 'settle_pending', 'rescinded', 'settled'];

/** The party at index `i`; throws on an index the contract does not have (a caller bug, not user input). */
export const partyAt = (c: Pick<Contract, 'parties'>, i: number): Party => {
  const p = c.parties[i];
  if (!p) throw new Error(`contract has no party ${i}`);
  return p;
};

export const initiatorOf = (c: Pick<Contract, 'parties'>): Party => partyAt(c, 0);

/** The other party of a two-party contract; throws on a contract with more (they have no single counterparty). */
export const counterpartyOf = (c: Pick<Contract, 'parties'>): Party => {
  if (c.parties.length !== 2) throw new Error(`counterpartyOf: contract has ${c.parties.length} parties`);
  return partyAt(c, 1);
};

/** The index of the party bound to `openid`, or null for anyone else. */
export const partyIndexOf = (c: Pick<Contract, 'parties'>, openid: string): number | null => {
  const i = c.parties.findIndex((p) => p.openid === openid);
  return i < 0 ? null : i;
};

/** The indexes of every party but `i`. */
export const otherParties = (c: Pick<Contract, 'parties'>, i: number): number[] => c.parties.map((_, j) => j).filter((j) => j !== i);

/** The one other party of a two-party contract. */
export const otherPartyIndex = (c: Pick<Contract, 'parties'>, i: number): number => {
  if (c.parties.length !== 2) throw new Error(`otherPartyIndex: contract has ${c.parties.length} parties`);
  return i === 0 ? 1 : 0;
};

/** The index of the party holding the kind role `role` (lender, payee…), or null. */
export const partyIndexByRole = (c: Pick<Contract, 'parties'>, role: string): number | null => {
  const i = c.parties.findIndex((p) => p.role === role);
  return i < 0 ? null : i;
};

/**
 * Whose turn it is to sign (C5): every party not signed yet at the lowest signing position among
 * those not signed. Empty once everyone signed.
 */
export const partiesInTurn = (parties: ReadonlyArray<Pick<Party, 'status' | 'order'>>): number[] => {
  const open = parties.map((p, i) => ({ p, i })).filter(({ p }) => p.status !== 'signed' && p.status !== 'confirmed');
  if (open.length === 0) return [];
  const lowest = Math.min(...open.map(({ p }) => p.order));
  return open.filter(({ p }) => p.order === lowest).map(({ i }) => i);
};
