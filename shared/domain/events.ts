/**
 * The audit trail: append-only, one document per event, hash-chained per contract. Each event's
 * hash covers its content and the previous event's hash, so a removed, reordered or edited event
 * breaks the chain from that point on. The chain head (seq, hash) lives on the contract document
 * and moves in the same commit as the change the event records.
 */
import { createHash } from 'node:crypto';
import type { Doc } from '../ports/store';
import type { EventHead, PartySide } from './contract';

/** What happened. */
export const EVENT_TYPES = [
  'created', //            the initiator created the contract (draft)
  'notice_accepted', //    own files (U2): the initiator read the notice (告知书) and accepted it (我已理解并接受)
  'payment_confirmed', //  the initiation fee was paid (or waived)
  'payment_refund_due', // money arrived after the contract had moved on: not applied, to be refunded (F2)
  'initiated', //          the gate passed: filling or signing starts (C2's 30 days start here)
  'issued', //             确认开具 (R3)
  'share_opened', //       a user opened the share link and was bound as the counterparty (P3)
  'filled', //             a party confirmed their details (P2)
  'signed', //             a party signed after an identity check (C5)
  'accepted', //           确认领取 (R2)
  'rejected', //           拒签 / 拒绝领取 (C4)
  'revoked', //            撤销 (C3)
  'expired', //            30 days passed (C2)
  'invalidated', //        a party renamed (A3)
  'rescind_requested', 'rescind_cancelled', 'rescind_confirmed', 'rescind_refused', // C6
  'settle_requested', 'settle_cancelled', 'settle_confirmed', 'settle_refused', //     I9
  'reminders_set', //      the borrower switched repayment reminders on or off (I8)
  'urged', //              催办 SMS re-sent (R4)
  'report_sent', //        an evidence report was produced and emailed to a party (C9)
  'repayment_recorded', // the borrower recorded a repayment, for the lender to confirm (L1)
  'repayment_confirmed', // a repayment counts in the ledger: confirmed by the lender, or recorded by them (L1)
  'repayment_disputed', // the lender says a recorded repayment did not arrive (L1)
  'extension_proposed', // a party proposed a new repayment plan and signed the supplement (L3)
  'extension_signed', //   the other party signed it: the ledger follows the new plan (L3)
  'extension_refused', //  the other party declined it (L3)
  'demand_sent', //        the lender sent a formal demand (催告) for an overdue amount (L3)
  'ledger_cleared', //     the ledger reached zero: 结清 is proposed to both (L4)
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface ContractEvent extends Doc {
  contractId: string;
  seq: number;
  type: EventType;
  at: string;
  /** `role` is the actor's side (domain/contract.ts PartySide), not their role in the kind. */
  actor: { role: PartySide | 'system'; openid: string | null };
  /** The face check behind this act, if any (V1). */
  faceCheckId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: keys sorted at every level, so the hash does not depend on key order. */
export const canonicalJson = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
};

const hashOf = (e: Omit<ContractEvent, '_id' | 'hash' | 'version'>): string =>
  createHash('sha256')
    .update(canonicalJson({ contractId: e.contractId, seq: e.seq, type: e.type, at: e.at, actor: e.actor, faceCheckId: e.faceCheckId, data: e.data, prevHash: e.prevHash }))
    .digest('hex');

export const eventId = (contractId: string, seq: number): string => `${contractId}:${String(seq).padStart(6, '0')}`;

export interface NewEvent {
  type: EventType;
  actor: ContractEvent['actor'];
  faceCheckId?: string | null;
  data?: Record<string, unknown>;
}

/** Chains new events after `head`; returns them and the new head. */
export const chainEvents = (contractId: string, head: EventHead, at: string, events: NewEvent[]): { docs: ContractEvent[]; head: EventHead } => {
  let { seq, hash } = head;
  const docs: ContractEvent[] = [];
  for (const e of events) {
    seq += 1;
    const body = { contractId, seq, type: e.type, at, actor: e.actor, faceCheckId: e.faceCheckId ?? null, data: e.data ?? {}, prevHash: hash };
    hash = hashOf(body);
    docs.push({ _id: eventId(contractId, seq), ...body, hash });
  }
  return { docs, head: { seq, hash } };
};

/** Checks a contract's events against its head: contiguous seqs from 1, each hash right, ending at the head. */
export const verifyChain = (events: ContractEvent[], head: EventHead): { ok: true } | { ok: false; atSeq: number; why: string } => {
  let prev = GENESIS_HASH;
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (e.seq !== i + 1) return { ok: false, atSeq: i + 1, why: 'missing event' };
    if (e.prevHash !== prev) return { ok: false, atSeq: e.seq, why: 'broken link' };
    if (hashOf(e) !== e.hash) return { ok: false, atSeq: e.seq, why: 'edited event' };
    prev = e.hash;
  }
  if (sorted.length !== head.seq || prev !== head.hash) return { ok: false, atSeq: sorted.length + 1, why: 'events after the last stored one are missing' };
  return { ok: true };
};
