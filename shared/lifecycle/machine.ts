/**
 * Reads the transition table. Pure: given a contract, an action, who acts and the moment, it
 * either returns the decision (next state, every party's next status, the effects) or throws the
 * AppError the caller should see. It never touches storage; operations commit the decision with a
 * compare-and-set, so a decision taken on a stale read simply loses.
 */
import { fail } from '../errors';
import { PARTY_ROLES, otherRole, type Contract, type ContractState, type PartyRole, type PartyStatus } from '../domain/contract';
import { GUARDS, TRANSITIONS, type Action, type Effect, type Guard, type Target, type Transition } from './table';

/**
 * Who performs a move as the table sees it: a party by role, or the platform. Not the platform's
 * caller identity (an openid, ports/operation.ts `Caller`): contracts/transition.ts resolves one to the other.
 */
export type Performer = { kind: 'party'; role: PartyRole } | { kind: 'system' };

export interface Facts {
  /** ISO instant of the decision. */
  now: string;
}

export interface Decision {
  action: Action;
  from: ContractState;
  to: ContractState;
  /** The acting party, if a party acted. */
  actor: PartyRole | null;
  statuses: Record<PartyRole, PartyStatus>;
  effects: readonly Effect[];
  /** Notifications resolved to concrete parties. */
  notify: Array<{ role: PartyRole; sms: Extract<Effect, { notify: unknown }>['sms'] }>;
}

const GUARD_CHECKS: Record<Guard, (c: Contract, f: Facts) => boolean> = {
  paid: (c) => c.payment.status === 'paid' || c.payment.status === 'waived',
  counterpartyToFill: (c) => c.parties.counterparty.status === 'to_fill',
  allFilled: (c) => PARTY_ROLES.every((r) => c.parties[r].details !== null && c.parties[r].status !== 'to_fill'),
  initiatorSigned: (c) => c.parties.initiator.status === 'signed',
  otherUntouched: (c) => {
    const p = c.parties.counterparty;
    return p.filledAt === null && p.signature === null && p.status !== 'rejected';
  },
  expiryDue: (c, f) => c.expiresAt !== null && f.now >= c.expiresAt,
  twoParties: (c) => Object.keys(c.parties).length === 2,
};

const actorMatches = (row: Transition, contract: Contract, caller: Performer): boolean => {
  if (caller.kind === 'system') return row.actor === 'system';
  switch (row.actor) {
    case 'system':
      return false;
    case 'party':
      return true;
    case 'requester':
      return contract.pending !== null && contract.pending.by === caller.role;
    case 'responder':
      return contract.pending !== null && contract.pending.by !== caller.role;
    default:
      return row.actor === caller.role;
  }
};

const resolve = (target: Target, actor: PartyRole | null): PartyRole => {
  if (target === 'initiator' || target === 'counterparty') return target;
  // 'actor'/'other' rows are party rows by construction; a system row never uses them.
  if (actor === null) throw new Error(`transition target '${target}' needs a party actor`);
  return target === 'actor' ? actor : otherRole(actor);
};

/** The table indexed by state once, so a decision looks at a handful of rows, not all of them. */
const BY_STATE = new Map<ContractState, Transition[]>();
for (const row of TRANSITIONS) BY_STATE.set(row.from, [...(BY_STATE.get(row.from) ?? []), row]);

/** The rows that could apply before guards: same flow, state, action, actor and actor status. */
export const candidates = (contract: Contract, action: Action, caller: Performer): Transition[] =>
  (BY_STATE.get(contract.state) ?? []).filter(
    (row) =>
      row.action === action &&
      (row.flows === 'all' || row.flows.includes(contract.flow)) &&
      actorMatches(row, contract, caller) &&
      (row.actorStatus === undefined || (caller.kind === 'party' && row.actorStatus.includes(contract.parties[caller.role].status))),
  );

export const decide = (contract: Contract, action: Action, caller: Performer, facts: Facts): Decision => {
  const rows = candidates(contract, action, caller);
  if (rows.length === 0) fail('INVALID_TRANSITION', undefined, { state: contract.state, action });
  let firstFailure: Guard | null = null;
  for (const row of rows) {
    const failed = (row.when ?? []).find((g) => !GUARD_CHECKS[g](contract, facts));
    if (failed === undefined) return build(contract, row, caller);
    firstFailure ??= failed;
  }
  // Unreachable without a failing guard: rows.length > 0 and none passed.
  return fail(GUARDS[firstFailure as Guard], undefined, { state: contract.state, action });
};

const build = (contract: Contract, row: Transition, caller: Performer): Decision => {
  const actor = caller.kind === 'party' ? caller.role : null;
  const statuses = { initiator: contract.parties.initiator.status, counterparty: contract.parties.counterparty.status };
  for (const [target, status] of Object.entries(row.set ?? {}) as Array<[Target, PartyStatus]>) {
    statuses[resolve(target, actor)] = status;
  }
  const notify: Decision['notify'] = [];
  for (const effect of row.effects ?? []) {
    if (!('notify' in effect)) continue;
    const roles = effect.notify === 'both' ? [...PARTY_ROLES] : [resolve(effect.notify, actor)];
    for (const role of roles) notify.push({ role, sms: effect.sms });
  }
  return { action: row.action, from: contract.state, to: row.to, actor, statuses, effects: row.effects ?? [], notify };
};

/** The contract with the decision's state and statuses; everything else is the operation's to set. */
export const applyDecision = (contract: Contract, decision: Decision): Contract => ({
  ...contract,
  state: decision.to,
  parties: {
    initiator: { ...contract.parties.initiator, status: decision.statuses.initiator },
    counterparty: { ...contract.parties.counterparty, status: decision.statuses.counterparty },
  },
});

export const hasEffect = (decision: Decision, name: Extract<Effect, { do: unknown }>['do']): boolean =>
  decision.effects.some((e) => 'do' in e && e.do === name);

/** Actions this caller could take now (for the contract view's buttons); guards included. */
export const availableActions = (contract: Contract, caller: Performer, facts: Facts): Action[] => {
  const out = new Set<Action>();
  for (const row of BY_STATE.get(contract.state) ?? []) {
    if (out.has(row.action)) continue;
    if (candidates(contract, row.action, caller).length === 0) continue;
    try {
      decide(contract, row.action, caller, facts);
      out.add(row.action);
    } catch {
      /* guard failed: not available now */
    }
  }
  return [...out];
};
