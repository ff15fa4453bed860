/**
 * Carrying out one lifecycle move: read → decide (the table) → apply the row's effects → one commit
 * (compare-and-set on the contract's version + the chained events) → notify. State checks happen
 * inside this read-decide-commit cycle, never outside it, so a cancel racing a sign cannot both win:
 * the loser's compare-and-set fails, it re-reads, and the table refuses what no longer applies
 * (INVALID_TRANSITION) — or, if the contract keeps changing under it, it gets CONFLICT.
 */
import { AppError } from '../errors';
import { chainEvents, type EventType, type NewEvent } from '../domain/events';
import { partyIndexOf, type Contract, type Party, type PartyDetails, type PartySide, type Signature } from '../domain/contract';
import { applyDecision, decide, hasEffect, type Performer, type Decision } from '../lifecycle/machine';
import type { Action } from '../lifecycle/table';
import type { Append, CasWrite } from '../ports/store';
import type { Deps } from '../ports/operation';
import { CONTRACTS, EVENTS, isVisibleTo, loadContract } from './repository';
import { contractMessageRows, type SmsFacts } from '../messages/contract-sms';
import { limitWritesEach } from '../messages/limits';
import { deliverNow, outboxAppend, type OutboxRow } from '../messages/outbox';
import { chinaDay } from '../rules/dates';
import { cleanTypedText } from '../rules/typed-text';
import { cancelReminders, scheduleReminders } from './reminders';

const EVENT_OF: Record<Action, EventType> = {
  initiate: 'initiated', issue: 'issued', fill: 'filled', sign: 'signed', accept: 'accepted', reject: 'rejected',
  revoke: 'revoked', expire: 'expired', invalidate: 'invalidated',
  rescind_request: 'rescind_requested', rescind_cancel: 'rescind_cancelled', rescind_confirm: 'rescind_confirmed', rescind_refuse: 'rescind_refused',
  settle_request: 'settle_requested', settle_cancel: 'settle_cancelled', settle_confirm: 'settle_confirmed', settle_refuse: 'settle_refused',
};

/** How many times a lost compare-and-set is retried on a fresh read before answering CONFLICT. */
const MAX_ATTEMPTS = 3;

export interface TransitionRequest {
  contractId: string;
  action: Action;
  /** A party (by openid) or the system (timers, payment, account changes). */
  by: { openid: string } | 'system';
  faceCheckId?: string;
  reason?: string;
  signature?: Omit<Signature, 'at' | 'faceCheckId'>;
  fill?: { details: PartyDetails; openid: string };
  /** Adjusts the fresh read before the decision (e.g. the payment gate passing in the same commit). */
  prepare?: (c: Contract) => Contract;
  /** The contract as the operation just read it: the first attempt decides on it instead of reading again. */
  current?: Contract;
  /** Events recorded before the action's own (e.g. payment_confirmed). */
  preEvents?: NewEvent[];
  /** Further compare-and-set writes of the same commit (e.g. the face check this act spends). */
  writes?: CasWrite[];
  /** Documents inserted in the same commit (e.g. the free-quota slot an initiation uses): all or nothing. */
  appends?: Append[];
  /** Extra data on the action's event. */
  eventData?: Record<string, unknown>;
  /**
   * Runs the `closeOpenOrder` effect after the commit: payments/draft-orders.ts `closeDraftOrder`, passed
   * by the operations that can end a draft (revoke, invalidate), so that only their bundles carry the
   * payment modules and client. A decision with that effect and no runner is refused before the commit.
   */
  closeOpenOrder?: (deps: Deps, contract: Contract) => Promise<unknown>;
}

export interface TransitionResult {
  contract: Contract;
  decision: Decision;
  /** The acting party's index in `contract.parties`; null for the system. */
  index: number | null;
}

const resolveCaller = (contract: Contract, by: TransitionRequest['by']): { caller: Performer; index: number | null } => {
  if (by === 'system') return { caller: { kind: 'system' }, index: null };
  const index = partyIndexOf(contract, by.openid);
  if (index === null) throw new AppError('NOT_FOUND');
  // A party the contract was hidden from by a revoke (C3) no longer sees it, but one who acts on it —
  // typically racing the revoke — is told it moved on rather than that it never existed.
  if (!isVisibleTo(contract, by.openid)) throw new AppError('INVALID_TRANSITION', '发起方已撤销该合同');
  return { caller: { kind: 'party', index }, index };
};

/** Decides without committing: lets an operation refuse before spending a face check or creating an order. */
export const preview = (contract: Contract, action: Action, by: TransitionRequest['by'], now: string): Decision =>
  decide(contract, action, resolveCaller(contract, by).caller, { now });

const applyEffects = (deps: Deps, base: Contract, d: Decision, req: TransitionRequest, actor: number | null, now: string): Contract => {
  let c = applyDecision(base, d);
  const setParty = (i: number, patch: Partial<Party>) => {
    c = { ...c, parties: c.parties.map((p, j) => (j === i ? { ...p, ...patch } : p)) };
  };
  for (const effect of d.effects) {
    if (!('do' in effect)) continue;
    switch (effect.do) {
      case 'startExpiry': {
        const ttl = new Date(Date.parse(now) + deps.config.contractTtlDays * 86_400_000).toISOString();
        // C2: an own file's signing deadline ends it when it comes before the 30 days.
        const deadline = c.ownFile?.deadline;
        const expires = deadline && deadline < ttl ? deadline : ttl;
        c = { ...c, initiatedAt: now, expiresAt: expires };
        break;
      }
      case 'stopExpiry':
        c = { ...c, expiresAt: null };
        break;
      case 'recordSignature':
        if (actor !== null && req.signature && req.faceCheckId) setParty(actor, { signature: { ...req.signature, faceCheckId: req.faceCheckId, at: now } });
        else if (actor !== null && !req.signature) throw new Error(`${d.action} needs a signature and a face check`);
        break;
      case 'recordFill':
        if (actor === null || !req.fill) throw new Error('fill needs details');
        setParty(actor, { details: req.fill.details, openid: req.fill.openid, filledBy: 'self', filledAt: now });
        break;
      case 'recordRejection':
        if (actor !== null) setParty(actor, { rejectReason: req.reason ?? '' });
        break;
      case 'openRequest':
        if (actor === null || !req.faceCheckId) throw new Error('a request needs a party and a face check');
        c = { ...c, pending: { type: d.action.startsWith('settle') ? 'settle' : 'rescind', by: actor, reason: req.reason ?? '', at: now, faceCheckId: req.faceCheckId } };
        break;
      case 'closeRequest':
        c = { ...c, pending: null };
        break;
      case 'complete':
        // The file as it stood when the contract came into force: what a signed contract's email and download send.
        c = { ...c, completedAt: now, ...(c.document ? { document: { ...c.document, signedKey: c.document.currentKey } } : {}) };
        break;
      case 'hideFromOthers':
        c = { ...c, memberOpenids: c.memberOpenids.filter((o) => o === c.parties[0]!.openid) };
        break;
      case 'closeOpenOrder':
        if (!req.closeOpenOrder) throw new Error(`${d.action} of a draft needs closeOpenOrder (payments/draft-orders.ts)`);
        break; // after the commit
      case 'scheduleReminders':
      case 'cancelReminders':
        break; // separate documents, after the commit
    }
  }
  return { ...c, updatedAt: now };
};

/** Reason words for the "answered" SMS. */
const answerOf = (action: Action): 'confirm' | 'refuse' => (action.endsWith('_confirm') ? 'confirm' : 'refuse');

export const runTransition = async (deps: Deps, rawReq: TransitionRequest): Promise<TransitionResult> => {
  // M3: a typed reason is cleaned (invisible/control characters out, trimmed) and refused when
  // empty or too long — VALIDATION_FAILED before anything is read or written ("理由：   " never again).
  const req: TransitionRequest = rawReq.reason !== undefined ? { ...rawReq, reason: cleanTypedText(rawReq.reason, 'reason', '/reason') } : rawReq;
  for (let attempt = 1; ; attempt++) {
    const fresh = attempt === 1 && req.current ? req.current : await loadContract(deps, req.contractId);
    if (!fresh) throw new AppError('NOT_FOUND');
    const { caller, index } = resolveCaller(fresh, req.by);
    const base = req.prepare ? req.prepare(fresh) : fresh;
    const now = deps.clock.now().toISOString();
    const decision = decide(base, req.action, caller, { now });
    const next = applyEffects(deps, base, decision, req, index, now);

    // Events name the actor by side (initiator / counterparty / signer) and openid, as they always have.
    const side: PartySide | 'system' = index === null ? 'system' : fresh.parties[index]!.side;
    const actor = { role: side, openid: req.by === 'system' ? null : req.by.openid };
    const events: NewEvent[] = [
      ...(req.preEvents ?? []),
      {
        type: EVENT_OF[req.action],
        actor,
        faceCheckId: req.faceCheckId ?? null,
        data: { from: decision.from, to: decision.to, ...(req.reason !== undefined ? { reason: req.reason } : {}), ...(req.signature ? { signatureType: req.signature.type } : {}), ...req.eventData },
      },
    ];
    const chained = chainEvents(fresh._id, fresh.eventHead, now, events);
    const toSave: Contract = { ...next, eventHead: chained.head };
    // M1: the messages the move causes are outbox rows of this very commit, with the face check
    // spent (req.writes) and the events: all of it is stored, or none of it is.
    const routed = await outboxRows(deps, toSave, decision, req, fresh, index);
    const { rows: messages, writes: limitCounters } = await limitInvitations(deps, toSave, routed.rows);
    const result = await deps.store.commit(
      [{ collection: CONTRACTS, doc: toSave, expectedVersion: fresh.version ?? 0 }, ...(req.writes ?? []), ...limitCounters, ...routed.writes],
      [{ collection: EVENTS, docs: chained.docs }, ...outboxAppend(messages), ...(req.appends ?? [])],
    );
    if (!result.ok) {
      if (attempt < MAX_ATTEMPTS) continue;
      throw new AppError('CONFLICT');
    }
    const saved: Contract = { ...toSave, version: result.version };
    await afterCommit(deps, saved, decision, req);
    await deliverNow(deps, messages);
    return { contract: saved, decision, index };
  }
};

const afterCommit = async (deps: Deps, contract: Contract, d: Decision, req: TransitionRequest): Promise<void> => {
  if (hasEffect(d, 'closeOpenOrder')) await req.closeOpenOrder?.(deps, contract); // present: applyEffects checked
  if (hasEffect(d, 'scheduleReminders') && contract.reminders.enabled) await scheduleReminders(deps, contract);
  // Reminders exist only while they are enabled (reminder-set cancels them when disabled, and the
  // reminder timer checks `enabled` before sending): a contract without them needs no query.
  if (hasEffect(d, 'cancelReminders') && contract.reminders.enabled) await cancelReminders(deps, contract._id);
};

/** The SMS templates that invite someone (M2 `invite`): what a caller could aim at any typed-in number. */
export const INVITATION_TEMPLATES: readonly string[] = ['invite_fill', 'invite_sign', 'invite_accept'];

/**
 * M2: an invitation SMS counts against the `invite` limits (per contract, per initiator, per
 * phone), its counters in this commit. One over the limit is not sent — the move itself (a paid
 * initiation, a signature) goes on, and the person is still reached by the share link.
 * contract-pay refuses before charging when the initiation's invitation would be refused.
 */
const limitInvitations = async (deps: Deps, contract: Contract, rows: OutboxRow[]): Promise<{ rows: OutboxRow[]; writes: CasWrite[] }> => {
  const isInvitation = (row: OutboxRow) => row.kind === 'sms' && !!row.sms && INVITATION_TEMPLATES.includes(row.sms.template);
  const invitations = rows.filter(isInvitation);
  if (invitations.length === 0) return { rows, writes: [] };
  const { allowed, writes } = await limitWritesEach(deps, 'invite', invitations.map((row) => ({ contractId: contract._id, caller: contract.parties[0]!.openid ?? undefined, destination: row.sms!.phone })));
  const refused = new Set(invitations.filter((_, i) => !allowed[i]));
  for (const row of refused) deps.log.warn({ contractId: contract._id, template: row.sms!.template }, 'invitation not sent: rate limited');
  return { rows: rows.filter((r) => !refused.has(r)), writes };
};

/** The message rows a decision calls for (N1), one per party it names, by subscription message where accepted, else SMS. */
const outboxRows = (deps: Deps, contract: Contract, d: Decision, req: TransitionRequest, before: Contract, actor: number | null): Promise<{ rows: OutboxRow[]; writes: CasWrite[] }> => {
  // {3} of the SMS: a request's or a refusal's reason, or the answer to a request; nothing else
  // (an SMS template takes exactly as many parameters as it has placeholders).
  // The expiry SMS names the day the contract was due by (the move itself clears expiresAt).
  const facts: SmsFacts = d.action.endsWith('_confirm') || d.action.endsWith('_refuse')
    ? { answer: answerOf(d.action) }
    : { ...(req.reason !== undefined ? { reason: req.reason } : {}), ...(before.expiresAt ? { day: chinaDay(new Date(before.expiresAt)) } : {}) };
  return contractMessageRows(deps, contract, d.notify, { ...facts, actor });
};

