/**
 * Reads the transition table. Pure: given a contract, an action, who acts and the moment, it
 * either returns the decision (next state, every party's next status, the effects) or throws the
 * AppError the caller should see. It never touches storage; operations commit the decision with a
 * compare-and-set, so a decision taken on a stale read simply loses.
 *
 * Parties are addressed by their index in `contract.parties` (0 is the initiator); the table's
 * relative actors and targets resolve to indexes here, for any number of parties.
 */
import { fail } from '../errors';
import { otherParties, partiesInTurn, type Contract, type ContractState, type PartyStatus } from '../domain/contract';
import { GUARDS, TRANSITIONS, type Action, type Actor, type Effect, type Guard, type Target, type Transition } from './table';

/**
 * Who performs a move as the table sees it: a party by index, or the platform. Not the platform's
 * caller identity (an openid, ports/operation.ts `Caller`): contracts/transition.ts resolves one to the other.
 */
export type Performer = { kind: 'party'; index: number } | { kind: 'system' };

export interface Facts {
  /** ISO instant of the decision. */
  now: string;
}

export interface Decision {
  action: Action;
  from: ContractState;
  to: ContractState;
  /** The acting party's index, if a party acted. */
  actor: number | null;
  /** Every party's next status, in list order. */
  statuses: PartyStatus[];
  effects: readonly Effect[];
  /** Notifications resolved to concrete parties (indexes). */
  notify: Array<{ party: number; sms: Extract<Effect, { notify: unknown }>['sms'] }>;
}

const done = (s: PartyStatus) => s === 'signed' || s === 'confirmed';
const untouched = (c: Contract, i: number) => {
  const p = c.parties[i]!;
  return p.filledAt === null && p.signature === null && p.status !== 'rejected';
};
const others = (c: Contract, actor: number | null) => (actor === null ? c.parties.map((_, i) => i) : otherParties(c, actor));

const GUARD_CHECKS: Record<Guard, (c: Contract, f: Facts, actor: number | null) => boolean> = {
  paid: (c) => c.payment.status === 'paid' || c.payment.status === 'waived',
  allFilled: (c) => c.parties.every((p) => p.details !== null && p.status !== 'to_fill'),
  anyToFill: (c) => c.parties.some((p) => p.status === 'to_fill'),
  othersFilled: (c, _f, a) => others(c, a).every((i) => c.parties[i]!.details !== null && c.parties[i]!.status !== 'to_fill'),
  othersToFill: (c, _f, a) => others(c, a).some((i) => c.parties[i]!.status === 'to_fill'),
  initiatorSigned: (c) => c.parties[0]!.status === 'signed',
  othersUntouched: (c) => otherParties(c, 0).every((i) => untouched(c, i)),
  myTurn: (c, _f, a) => a !== null && partiesInTurn(c.parties).includes(a),
  othersSigned: (c, _f, a) => others(c, a).every((i) => done(c.parties[i]!.status)),
  othersToSign: (c, _f, a) => others(c, a).some((i) => !done(c.parties[i]!.status)),
  expiryDue: (c, f) => c.expiresAt !== null && f.now >= c.expiresAt,
  twoParties: (c) => c.parties.length === 2,
};

/** What a failing guard tells the caller besides its code. */
const guardDetails = (guard: Guard, c: Contract): Record<string, unknown> =>
  guard === 'myTurn'
    ? { turn: partiesInTurn(c.parties).map((i) => ({ index: i, side: c.parties[i]!.side, role: c.parties[i]!.role, name: c.parties[i]!.details?.name ?? null })) }
    : {};

const actorMatches = (actor: Actor, contract: Contract, caller: Performer): boolean => {
  if (caller.kind === 'system') return actor === 'system';
  switch (actor) {
    case 'system':
      return false;
    case 'party':
      return true;
    case 'other':
      return caller.index !== 0;
    case 'initiator':
      return caller.index === 0;
    case 'counterparty':
      return caller.index === 1 && contract.parties.length === 2;
    case 'requester':
      return contract.pending !== null && contract.pending.by === caller.index;
    case 'responder':
      return contract.pending !== null && contract.pending.by !== caller.index;
  }
};

/** The indexes a target names, given the statuses assigned so far (for `next`). */
const resolve = (contract: Contract, target: Target, actor: number | null, statuses: readonly PartyStatus[]): number[] => {
  switch (target) {
    case 'initiator':
      return [0];
    case 'counterparty':
      if (contract.parties.length !== 2) throw new Error(`transition target 'counterparty' on a ${contract.parties.length}-party contract`);
      return [1];
    case 'all':
      return contract.parties.map((_, i) => i);
    case 'next':
      return partiesInTurn(contract.parties.map((p, i) => ({ order: p.order, status: statuses[i]! })));
    case 'actor':
    case 'other':
      // 'actor'/'other' rows are party rows by construction; a system row never uses them.
      if (actor === null) throw new Error(`transition target '${target}' needs a party actor`);
      return target === 'actor' ? [actor] : otherParties(contract, actor);
  }
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
      actorMatches(row.actor, contract, caller) &&
      (row.actorStatus === undefined || (caller.kind === 'party' && row.actorStatus.includes(contract.parties[caller.index]!.status))),
  );

export const decide = (contract: Contract, action: Action, caller: Performer, facts: Facts): Decision => {
  const rows = candidates(contract, action, caller);
  // Whose turn it is (issue 18): the sides whose act is due, so a refused caller knows who to wait for.
  if (rows.length === 0) fail('INVALID_TRANSITION', undefined, { state: contract.state, action, turn: contract.parties.filter((p) => p.status === 'to_sign' || p.status === 'to_fill').map((p) => p.side) });
  const actor = caller.kind === 'party' ? caller.index : null;
  let firstFailure: Guard | null = null;
  for (const row of rows) {
    const failed = (row.when ?? []).find((g) => !GUARD_CHECKS[g](contract, facts, actor));
    if (failed === undefined) return build(contract, row, actor);
    firstFailure ??= failed;
  }
  // Unreachable without a failing guard: rows.length > 0 and none passed.
  const guard = firstFailure as Guard;
  return fail(GUARDS[guard], undefined, { state: contract.state, action, ...guardDetails(guard, contract) });
};

const build = (contract: Contract, row: Transition, actor: number | null): Decision => {
  const statuses = contract.parties.map((p) => p.status);
  // `next` is resolved last, on the statuses the row's other assignments leave (the actor signed → who follows).
  const assignments = Object.entries(row.set ?? {}) as Array<[Target, PartyStatus]>;
  for (const [target, status] of [...assignments.filter(([t]) => t !== 'next'), ...assignments.filter(([t]) => t === 'next')]) {
    for (const i of resolve(contract, target, actor, statuses)) statuses[i] = status;
  }
  const notify: Decision['notify'] = [];
  for (const effect of row.effects ?? []) {
    if (!('notify' in effect)) continue;
    // `next` tells only those whose turn just came: in `any` order a signer already to sign was invited before.
    const parties = resolve(contract, effect.notify, actor, statuses).filter((i) => effect.notify !== 'next' || contract.parties[i]!.status !== 'to_sign');
    for (const party of parties) notify.push({ party, sms: effect.sms });
  }
  return { action: row.action, from: contract.state, to: row.to, actor, statuses, effects: row.effects ?? [], notify };
};

/** The contract with the decision's state and statuses; everything else is the operation's to set. */
export const applyDecision = (contract: Contract, decision: Decision): Contract => ({
  ...contract,
  state: decision.to,
  parties: contract.parties.map((p, i) => ({ ...p, status: decision.statuses[i]! })),
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
