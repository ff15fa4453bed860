/**
 * The transition table (SPEC C1): every move of a contract's state or a party's status is a row
 * here, and nothing else changes them. A row says: in these flows, from this state, this action by
 * this actor (whose own status is one of these), when this guard holds, leads to this state, sets
 * these party statuses, and has these effects (notifications and bookkeeping the operation
 * carries out in the same commit).
 *
 * Parties are a list (domain/contract.ts: the initiator at 0, then the others). Actors are relative
 * where the product is, and defined over the list: `party` is any party; `other` any party but the
 * initiator; `requester` the party who asked for a rescind/settle and `responder` any other party.
 * `initiator` (index 0) and `counterparty` (index 1) name the positions of two-party flows.
 * `system` is a timer, the payment webhook or an account change.
 */
import type { ContractState, Flow, PartyStatus } from '../domain/contract';
import type { SmsTemplate } from '../ports/sms';

export const ACTIONS = [
  'initiate', //         the payment gate passed (paid, or the price was 0)
  'issue', //            确认开具: a payer-initiated receipt, no fee (R3)
  'fill', //             a 对方填 party confirms their details (P2)
  'sign', //             signature + identity check (C5)
  'accept', //           确认领取: the payer of a payee-initiated receipt (R2)
  'reject', //           拒签 / 拒绝领取 with a reason (C4)
  'revoke', //           撤销 by the initiator while the other party has done nothing (C3)
  'expire', //           30 days after initiation (C2)
  'invalidate', //       a party renamed (A3)
  'rescind_request', 'rescind_cancel', 'rescind_confirm', 'rescind_refuse', // C6
  'settle_request', 'settle_cancel', 'settle_confirm', 'settle_refuse', //     I9 (IOU only)
] as const;
export type Action = (typeof ACTIONS)[number];

export const ACTORS = ['initiator', 'counterparty', 'party', 'other', 'requester', 'responder', 'system'] as const;
export type Actor = (typeof ACTORS)[number];

/**
 * Who a status assignment or notification is about, resolved by machine.ts to party indexes:
 * `initiator`, `counterparty` (two-party only), `actor`; `other`: every party but the actor;
 * `all`: every party; `next`: the parties whose turn it is to sign once the row's other
 * assignments are made (domain/contract.ts `partiesInTurn`), for own files — as a notification
 * target, only those whose turn has just come (not one already to sign, already invited).
 */
export type Target = 'initiator' | 'counterparty' | 'actor' | 'other' | 'all' | 'next';

/**
 * Named guards, evaluated by machine.ts on the contract and the moment. Each names the error a
 * caller gets when it fails, so "not paid yet" reads PAYMENT_REQUIRED, not INVALID_TRANSITION.
 */
export const GUARDS = {
  paid: 'PAYMENT_REQUIRED', //                   payment gate passed (paid or waived)
  allFilled: 'INVALID_TRANSITION', //           every party's details are in
  anyToFill: 'INVALID_TRANSITION', //           some party still has to fill (对方填)
  othersFilled: 'INVALID_TRANSITION', //        every party but the actor has their details in
  othersToFill: 'INVALID_TRANSITION', //        some party but the actor still has to fill
  initiatorSigned: 'INVALID_TRANSITION',
  othersUntouched: 'INVALID_TRANSITION', //     no party but the initiator has filled, signed or refused (C3)
  myTurn: 'NOT_YOUR_TURN', //                   every party before the actor in signing order has signed (C5)
  othersSigned: 'INVALID_TRANSITION', //        the actor's signature is the last one due
  othersToSign: 'INVALID_TRANSITION', //        someone but the actor has still to sign
  expiryDue: 'INVALID_TRANSITION', //           now ≥ expiresAt
  twoParties: 'MULTI_PARTY_RESCIND_UNSUPPORTED', // exactly two parties (C6)
} as const;
export type Guard = keyof typeof GUARDS;

export type Effect =
  | { notify: Target; sms: SmsTemplate }
  | { do: 'startExpiry' } //            initiatedAt = now, expiresAt = now + 30 days (C2)
  | { do: 'stopExpiry' } //             expiresAt = null: the timer's index no longer sees it
  | { do: 'recordSignature' }
  | { do: 'recordFill' }
  | { do: 'recordRejection' }
  | { do: 'openRequest' } //            pending = {type, by, reason…}
  | { do: 'closeRequest' }
  | { do: 'complete' } //               completedAt = now; the final PDF is due
  | { do: 'hideFromOthers' } //         revoked: no party but the initiator sees it any more (C3)
  // The draft ends without passing the payment gate: its open initiation order, if any, is closed at
  // WeChat Pay and here and its coupon given back (after the commit), so nobody pays for a contract
  // that can no longer be initiated; money that arrived meanwhile is recorded for refund (F2).
  | { do: 'closeOpenOrder' }
  | { do: 'scheduleReminders' } //      I8: instalment reminders become live once signed
  | { do: 'cancelReminders' };

export interface Transition {
  flows: readonly Flow[] | 'all';
  from: ContractState;
  action: Action;
  actor: Actor;
  /** The acting party's status must be one of these (party actors only). */
  actorStatus?: readonly PartyStatus[];
  /** Every guard must hold; the first failing one names the error. */
  when?: readonly Guard[];
  to: ContractState;
  set?: Partial<Record<Target, PartyStatus>>;
  effects?: readonly Effect[];
}

const ALL = 'all' as const;
const UNFINISHED: readonly ContractState[] = ['awaiting_fill', 'awaiting_signatures'];
const startExpiry: Effect = { do: 'startExpiry' };
const stopExpiry: Effect = { do: 'stopExpiry' };
const signed: Effect = { do: 'recordSignature' };
const filled: Effect = { do: 'recordFill' };
const rejection: Effect = { do: 'recordRejection' };
const closeOpenOrder: Effect = { do: 'closeOpenOrder' };

/** One row per (flow, state, action, actor); order matters only between rows that differ by guard. */
export const TRANSITIONS: readonly Transition[] = [
  // ── initiation ────────────────────────────────────────────────────────────────────────────
  // IOU and templates: after the gate, a 对方填 party fills first; otherwise signing starts.
  { flows: ['iou', 'template'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid', 'anyToFill'], to: 'awaiting_fill', effects: [startExpiry] },
  { flows: ['iou'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid'], to: 'awaiting_signatures', set: { initiator: 'to_sign' }, effects: [startExpiry] },
  { flows: ['template'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid'], to: 'awaiting_signatures', set: { counterparty: 'to_sign' }, effects: [startExpiry, { notify: 'counterparty', sms: 'invite_sign' }] },
  // Payee-initiated receipt (R2): complete details → the payee signed before paying; pending → pay first, payer fills.
  { flows: ['receipt_payee'], from: 'draft', action: 'sign', actor: 'initiator', actorStatus: ['to_sign'], when: ['allFilled'], to: 'draft', set: { actor: 'signed' }, effects: [signed] },
  { flows: ['receipt_payee'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid', 'anyToFill'], to: 'awaiting_fill', effects: [startExpiry] },
  { flows: ['receipt_payee'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid', 'initiatorSigned'], to: 'awaiting_signatures', set: { counterparty: 'to_sign' }, effects: [startExpiry, { notify: 'counterparty', sms: 'invite_accept' }] },
  // Own files (U2, P2): any 对方填 signer fills first; otherwise the first in signing order is invited.
  { flows: ['own_file'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid', 'anyToFill'], to: 'awaiting_fill', effects: [startExpiry] },
  { flows: ['own_file'], from: 'draft', action: 'initiate', actor: 'system', when: ['paid'], to: 'awaiting_signatures', set: { next: 'to_sign' }, effects: [startExpiry, { notify: 'next', sms: 'invite_sign' }] },
  // Payer-initiated receipt (R3): 确认开具 with no fee.
  { flows: ['receipt_payer'], from: 'draft', action: 'issue', actor: 'initiator', when: ['anyToFill'], to: 'awaiting_fill', set: { initiator: 'confirmed' }, effects: [startExpiry] },
  { flows: ['receipt_payer'], from: 'draft', action: 'issue', actor: 'initiator', when: ['allFilled'], to: 'awaiting_signatures', set: { initiator: 'confirmed', counterparty: 'to_sign' }, effects: [startExpiry, { notify: 'counterparty', sms: 'invite_sign' }] },

  // ── filling (P2) ──────────────────────────────────────────────────────────────────────────
  { flows: ['iou', 'receipt_payee'], from: 'awaiting_fill', action: 'fill', actor: 'counterparty', actorStatus: ['to_fill'], to: 'awaiting_signatures', set: { counterparty: 'waiting', initiator: 'to_sign' }, effects: [filled, { notify: 'initiator', sms: 'ready_to_sign' }] },
  { flows: ['template', 'receipt_payer'], from: 'awaiting_fill', action: 'fill', actor: 'counterparty', actorStatus: ['to_fill'], to: 'awaiting_signatures', set: { counterparty: 'to_sign' }, effects: [filled] },
  // Own files: each 对方填 signer fills; the last one in starts the signing, with whoever is first in order.
  { flows: ['own_file'], from: 'awaiting_fill', action: 'fill', actor: 'other', actorStatus: ['to_fill'], when: ['othersToFill'], to: 'awaiting_fill', set: { actor: 'waiting' }, effects: [filled] },
  { flows: ['own_file'], from: 'awaiting_fill', action: 'fill', actor: 'other', actorStatus: ['to_fill'], when: ['othersFilled'], to: 'awaiting_signatures', set: { actor: 'waiting', next: 'to_sign' }, effects: [filled, { notify: 'next', sms: 'invite_sign' }] },

  // ── signing (C5, I7) ──────────────────────────────────────────────────────────────────────
  // IOU: initiator first, then the other party is told by SMS.
  { flows: ['iou'], from: 'awaiting_signatures', action: 'sign', actor: 'initiator', actorStatus: ['to_sign'], to: 'awaiting_signatures', set: { initiator: 'signed', counterparty: 'to_sign' }, effects: [signed, { notify: 'counterparty', sms: 'invite_sign' }] },
  { flows: ['iou'], from: 'awaiting_signatures', action: 'sign', actor: 'counterparty', actorStatus: ['to_sign'], to: 'signed', set: { counterparty: 'signed' }, effects: [signed, stopExpiry, { do: 'complete' }, { do: 'scheduleReminders' }, { notify: 'initiator', sms: 'contract_signed' }] },
  // Templates: the counterparty signs first, then the initiator.
  { flows: ['template'], from: 'awaiting_signatures', action: 'sign', actor: 'counterparty', actorStatus: ['to_sign'], to: 'awaiting_signatures', set: { counterparty: 'signed', initiator: 'to_sign' }, effects: [signed, { notify: 'initiator', sms: 'signed_by_other' }] },
  { flows: ['template'], from: 'awaiting_signatures', action: 'sign', actor: 'initiator', actorStatus: ['to_sign'], to: 'signed', set: { initiator: 'signed' }, effects: [signed, stopExpiry, { do: 'complete' }, { notify: 'counterparty', sms: 'contract_signed' }] },
  // Payee-initiated receipt with pending details: the payee signs after the payer filled, then the payer accepts.
  // The payer is asked to 确认领取, not to sign: a receipt is the payee's document. Accepting records no
  // signature of the payer (the operation has the platform witness it on the PDF) — their status
  // 'signed' means "done", as for every party whose part is over.
  { flows: ['receipt_payee'], from: 'awaiting_signatures', action: 'sign', actor: 'initiator', actorStatus: ['to_sign'], to: 'awaiting_signatures', set: { initiator: 'signed', counterparty: 'to_sign' }, effects: [signed, { notify: 'counterparty', sms: 'invite_accept' }] },
  { flows: ['receipt_payee'], from: 'awaiting_signatures', action: 'accept', actor: 'counterparty', actorStatus: ['to_sign'], to: 'signed', set: { counterparty: 'signed' }, effects: [stopExpiry, { do: 'complete' }, { notify: 'initiator', sms: 'receipt_accepted' }] },
  // Payer-initiated receipt: the payee signs; the payer who issued it is told the receipt is in force.
  { flows: ['receipt_payer'], from: 'awaiting_signatures', action: 'sign', actor: 'counterparty', actorStatus: ['to_sign'], to: 'signed', set: { counterparty: 'signed' }, effects: [signed, stopExpiry, { do: 'complete' }, { notify: 'initiator', sms: 'receipt_signed' }] },
  // Own files (C5): a signer whose turn it is signs (a waiting one is told whose turn it is, NOT_YOUR_TURN);
  // the next in order is invited; the last signature brings it into force and tells everyone else.
  { flows: ['own_file'], from: 'awaiting_signatures', action: 'sign', actor: 'party', actorStatus: ['to_sign', 'waiting'], when: ['myTurn', 'othersToSign'], to: 'awaiting_signatures', set: { actor: 'signed', next: 'to_sign' }, effects: [signed, { notify: 'next', sms: 'invite_sign' }] },
  { flows: ['own_file'], from: 'awaiting_signatures', action: 'sign', actor: 'party', actorStatus: ['to_sign', 'waiting'], when: ['myTurn', 'othersSigned'], to: 'signed', set: { actor: 'signed' }, effects: [signed, stopExpiry, { do: 'complete' }, { notify: 'other', sms: 'contract_signed' }] },

  // ── refusing, withdrawing, timing out (C3, C4, C2, A3) ───────────────────────────────────
  // 拒签 (C4) by the party whose turn it is; the other party is told, with the reason.
  ...UNFINISHED.map((from): Transition => ({
    flows: ['iou', 'template', 'receipt_payer'], from, action: 'reject', actor: 'party', actorStatus: ['to_fill', 'to_sign'], to: 'rejected',
    set: { actor: 'rejected' }, effects: [rejection, stopExpiry, { notify: 'other', sms: 'rejected' }],
  })),
  // A payee-initiated receipt: the payee may still 拒签 their own receipt while it is theirs to sign;
  // the payer's refusal is 拒绝领取 (R2), and the payee's SMS says so.
  ...UNFINISHED.flatMap((from): Transition[] => [
    { flows: ['receipt_payee'], from, action: 'reject', actor: 'initiator', actorStatus: ['to_sign'], to: 'rejected', set: { actor: 'rejected' }, effects: [rejection, stopExpiry, { notify: 'other', sms: 'rejected' }] },
    { flows: ['receipt_payee'], from, action: 'reject', actor: 'counterparty', actorStatus: ['to_fill', 'to_sign'], to: 'rejected', set: { actor: 'rejected' }, effects: [rejection, stopExpiry, { notify: 'other', sms: 'receipt_refused' }] },
  ]),
  // Own files: any signer who has not signed may refuse, whether or not it is their turn; it ends for all, and all others are told.
  ...UNFINISHED.map((from): Transition => ({
    flows: ['own_file'], from, action: 'reject', actor: 'party', actorStatus: ['to_fill', 'to_sign', 'waiting'], to: 'rejected',
    set: { actor: 'rejected' }, effects: [rejection, stopExpiry, { notify: 'other', sms: 'rejected' }],
  })),
  ...(['draft', ...UNFINISHED] as const).map((from): Transition => ({
    flows: ALL, from, action: 'revoke', actor: 'initiator', when: ['othersUntouched'], to: 'revoked',
    effects: [stopExpiry, { do: 'hideFromOthers' }, ...(from === 'draft' ? [closeOpenOrder] : [])],
  })),
  // Only initiated contracts expire (the 30 days start at initiation), so no draft — and no open order — is left by expiry.
  ...UNFINISHED.map((from): Transition => ({
    flows: ALL, from, action: 'expire', actor: 'system', when: ['expiryDue'], to: 'expired',
    effects: [stopExpiry, { notify: 'all', sms: 'expired' }],
  })),
  // A3: a party renamed. An initiated contract's parties are told it ended (the renamed party too, at the
  // number the contract has); a draft was never sent to anyone.
  ...(['draft', ...UNFINISHED] as const).map((from): Transition => ({
    flows: ALL, from, action: 'invalidate', actor: 'system', to: 'invalidated',
    effects: [stopExpiry, ...(from === 'draft' ? [closeOpenOrder] : [{ notify: 'all', sms: 'invalidated' } as const])],
  })),

  // ── after signing: rescind (C6) and settle (I9) ──────────────────────────────────────────
  // Two parties only: with more, a release agreement signed by all is needed (C6), so the request is refused
  // with MULTI_PARTY_RESCIND_UNSUPPORTED; with exactly two, `other` and `responder` are the one other party.
  { flows: ALL, from: 'signed', action: 'rescind_request', actor: 'party', when: ['twoParties'], to: 'rescind_pending', effects: [{ do: 'openRequest' }, { notify: 'other', sms: 'rescind_requested' }] },
  { flows: ALL, from: 'rescind_pending', action: 'rescind_cancel', actor: 'requester', to: 'signed', effects: [{ do: 'closeRequest' }, { notify: 'other', sms: 'rescind_cancelled' }] },
  { flows: ALL, from: 'rescind_pending', action: 'rescind_refuse', actor: 'responder', to: 'signed', effects: [{ do: 'closeRequest' }, { notify: 'other', sms: 'rescind_answered' }] },
  { flows: ALL, from: 'rescind_pending', action: 'rescind_confirm', actor: 'responder', to: 'rescinded', effects: [{ do: 'closeRequest' }, { do: 'cancelReminders' }, { notify: 'other', sms: 'rescind_answered' }] },
  { flows: ['iou'], from: 'signed', action: 'settle_request', actor: 'party', to: 'settle_pending', effects: [{ do: 'openRequest' }, { notify: 'other', sms: 'settle_requested' }] },
  { flows: ['iou'], from: 'settle_pending', action: 'settle_cancel', actor: 'requester', to: 'signed', effects: [{ do: 'closeRequest' }, { notify: 'other', sms: 'settle_cancelled' }] },
  { flows: ['iou'], from: 'settle_pending', action: 'settle_refuse', actor: 'responder', to: 'signed', effects: [{ do: 'closeRequest' }, { notify: 'other', sms: 'settle_answered' }] },
  { flows: ['iou'], from: 'settle_pending', action: 'settle_confirm', actor: 'responder', to: 'settled', effects: [{ do: 'closeRequest' }, { do: 'cancelReminders' }, { notify: 'other', sms: 'settle_answered' }] },
];

/**
 * Party statuses at creation, one per party in list order, from whether each party is left to
 * fill (对方填): such a party is to fill; the payee of a complete payee-initiated receipt signs
 * before paying (R2); everyone else waits for their turn (own files: initiation invites the first).
 */
export const initialStatuses = (flow: Flow, toFill: readonly boolean[]): PartyStatus[] =>
  toFill.map((fills, i) => (fills ? 'to_fill' : i === 0 && flow === 'receipt_payee' && !toFill.some(Boolean) ? 'to_sign' : 'waiting'));

/**
 * Signing positions at creation (C5): two-party flows in their fixed order (templates: the
 * counterparty first; the others: the initiator first); own files `sequential` in list order, or
 * `any`: the initiator first, then everyone else at one shared position.
 */
export const signingPositions = (flow: Flow, count: number, order: 'sequential' | 'any' = 'sequential'): number[] =>
  Array.from({ length: count }, (_, i) => (flow === 'template' ? (i === 0 ? 2 : 1) : flow === 'own_file' && order === 'any' ? Math.min(i, 1) + 1 : i + 1));
