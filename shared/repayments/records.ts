/**
 * The ledger's records (L1, L3): repayments, extensions and demand notices of a signed IOU, each a
 * document of its own collection keyed to the contract, and the ledger they add up to on a day
 * (rules/ledger.ts does the arithmetic). Light: no PDF code — the supplement and the certificate
 * are in documents.ts, for the functions that sign.
 *
 * May import: ports/, domain/, lifecycle/, rules/, documents/ (types), contracts/repository, store/, errors.
 */
import { AppError } from '../errors';
import { partyAt, type Contract } from '../domain/contract';
import type { Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import type { ExtensionStatus, RepaymentStatus } from '../lifecycle';
import { chinaDay, type Day } from '../rules/dates';
import { computeLedger, type Ledger, type LedgerInput } from '../rules/ledger';
import type { RepaymentInstalment } from '../rules/iou';
import { collectionName } from '../store/collections';
import { loadAsParty } from '../contracts/repository';
import type { SignatureArea } from '../documents/model';

export const REPAYMENTS = collectionName('repayments');
export const EXTENSIONS = collectionName('extensions');
export const DEMANDS = collectionName('demands');
/** The outbox's collection, read for a demand's delivery state only (importing the outbox would bring its senders into ledger-get). */
const MESSAGES = collectionName('messages');

/** How the money went (the borrower picks one; nothing typed). */
export const REPAYMENT_CHANNELS = ['wechat', 'alipay', 'bank_transfer', 'cash', 'other'] as const;
export type RepaymentChannel = (typeof REPAYMENT_CHANNELS)[number];
export const CHANNEL_LABELS: Record<RepaymentChannel, string> = { wechat: '微信转账', alipay: '支付宝', bank_transfer: '银行转账', cash: '现金', other: '其他' };

export interface RepaymentRecord extends Doc {
  _id: string;
  contractId: string;
  status: RepaymentStatus;
  amountFen: number;
  paidOn: Day;
  channel: RepaymentChannel;
  /** Index in the contract's parties of who recorded it. */
  recordedBy: number;
  createdAt: string;
  confirmedAt: string | null;
  /** The lender's identity check on confirming. */
  faceCheckId: string | null;
  disputedAt: string | null;
  disputeReason: string | null;
  /** The transfer's photo, if the recorder gave one (photo.ts). */
  photo?: { key: string; sha256: string; contentType: string };
}

export interface SupplementDocument {
  key: string;
  sha256: string;
  /** Where each party signs (from the render), so the second signature goes in its own field. */
  areas: SignatureArea[];
  /** One per party who signed it, in order. */
  signatures: Array<{ party: number; signedAt: string; fieldName: string; certificateSerial: string; faceCheckId: string }>;
}

export interface ExtensionRecord extends Doc {
  _id: string;
  contractId: string;
  status: ExtensionStatus;
  proposedBy: number;
  /** The new plan for the principal unpaid on `proposedOn`. */
  plan: RepaymentInstalment[];
  proposedOn: Day;
  principalFen: number;
  document: SupplementDocument;
  createdAt: string;
  answeredAt: string | null;
}

export interface DemandRecord extends Doc {
  _id: string;
  contractId: string;
  /** The demand's text as sent in the mini-program (made from the ledger; nothing typed). */
  text: string;
  overdueFen: number;
  sentOn: Day;
  createdAt: string;
  /** The outbox row of its SMS: its delivery state is the message's. */
  messageId: string | null;
}

export const isIou = (c: Contract): boolean => c.kind === 'iou';
/** The IOU parties by kind role (the lender may be either side). */
export const lenderIndex = (c: Contract): number => c.parties.findIndex((p) => p.role === 'lender');
export const borrowerIndex = (c: Contract): number => c.parties.findIndex((p) => p.role === 'borrower');

/** A ledger is kept for an IOU in force (已生效, or with a settle or rescind request pending). */
export const requireLedgerContract = (c: Contract, readOnly = false): void => {
  if (!isIou(c)) throw new AppError('INVALID_TRANSITION', '仅借条支持还款记录', { state: c.state });
  // A settled or rescinded IOU's ledger stays readable (the settlement certificate cites it).
  const states = readOnly ? ['signed', 'settle_pending', 'rescind_pending', 'settled', 'rescinded'] : ['signed', 'settle_pending', 'rescind_pending'];
  if (!states.includes(c.state)) throw new AppError('INVALID_TRANSITION', '借条未生效或已结束，不能记录还款', { state: c.state });
};

interface IouTerms {
  amountFen: number;
  borrowDate: Day;
  annualRateBp: number;
  repaymentPlan: RepaymentInstalment[];
  supplement?: { overdueRateBp?: number };
}

export interface LedgerRecords {
  repayments: RepaymentRecord[];
  extensions: ExtensionRecord[];
  demands: Array<DemandRecord & { delivery: string }>;
}

export const loadLedgerRecords = async (deps: Deps, contractId: string): Promise<LedgerRecords> => {
  const byContract = { orderBy: [['createdAt', 'asc']] as Array<[string, 'asc' | 'desc']>, limit: 1000 };
  const [repayments, extensions, demands] = await Promise.all([
    deps.store.find<RepaymentRecord>(REPAYMENTS, { contractId }, byContract),
    deps.store.find<ExtensionRecord>(EXTENSIONS, { contractId }, byContract),
    deps.store.find<DemandRecord>(DEMANDS, { contractId }, byContract),
  ]);
  const rows = await Promise.all(demands.map((d) => (d.messageId ? deps.store.get<Doc & { status: string }>(MESSAGES, d.messageId) : Promise.resolve(null))));
  return { repayments, extensions, demands: demands.map((d, i) => ({ ...d, delivery: rows[i]?.status ?? 'none' })) };
};

/** What rules/ledger.ts needs, from the contract and its records. */
export const ledgerInput = (deps: Deps, c: Contract, records: LedgerRecords, asOf: Day): LedgerInput => {
  const f = c.form as unknown as IouTerms;
  const formedOn = chinaDay(new Date(c.completedAt ?? c.createdAt));
  return {
    terms: {
      principalFen: f.amountFen,
      borrowDate: f.borrowDate,
      annualRateBp: f.annualRateBp,
      ...(f.supplement?.overdueRateBp !== undefined ? { overdueRateBp: f.supplement.overdueRateBp } : {}),
      formedOn,
      plan: f.repaymentPlan,
    },
    repayments: records.repayments.filter((r) => r.status === 'confirmed').map((r) => ({ id: r._id, paidOn: r.paidOn, amountFen: r.amountFen })),
    extensions: records.extensions.filter((e) => e.status === 'signed').map((e) => ({ id: e._id, effectiveOn: chinaDay(new Date(e.answeredAt!)), plan: e.plan })),
    // A demand interrupts the limitation period once it reached the borrower (art. 195).
    demandsDeliveredOn: records.demands.filter((d) => d.delivery === 'sent').map((d) => d.sentOn),
    asOf,
    lprTable: deps.config.lprTable,
  };
};

export const ledgerOf = (deps: Deps, c: Contract, records: LedgerRecords, asOf: Day): Ledger => computeLedger(ledgerInput(deps, c, records, asOf));

/** The party's name for messages and documents. */
export const nameOf = (c: Contract, i: number): string => partyAt(c, i).details?.name ?? '';

export interface LedgerParty {
  contract: Contract;
  index: number;
  records: LedgerRecords;
}

/** The IOU (in force, or for reading also ended) and its records, for a party of it (a stranger gets NOT_FOUND). */
export const loadLedgerParty = async (deps: Deps, contractId: string, openid: string, role?: 'lender' | 'borrower', readOnly = false): Promise<LedgerParty> => {
  const { contract, index } = await loadAsParty(deps, contractId, openid);
  requireLedgerContract(contract, readOnly);
  if (role && partyAt(contract, index).role !== role) throw new AppError('FORBIDDEN', role === 'lender' ? '仅出借人可以执行此操作' : '仅借款人可以执行此操作');
  return { contract, index, records: await loadLedgerRecords(deps, contract._id) };
};

