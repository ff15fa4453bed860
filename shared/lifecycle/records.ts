/**
 * The record-state machine (SPEC C1, M1): the one way a status field of a record other than the
 * contract changes — payment orders, evidence-report deliveries, coupons, face checks, repayment
 * reminders, outgoing messages, a contract's payment gate. Each kind declares its table in its own
 * file beside this one (order.ts, report-order.ts, coupon.ts, face-check.ts, reminder.ts,
 * message.ts, contract-payment.ts): state × action → next state + effects, data only.
 *
 * Pure: no I/O, no clock, no ids. It imports only the error table. Operations read a record,
 * `decideRecord` on its status, carry out the decision's effects, and write `applyRecord`'s result
 * with their usual compare-and-set — so a decision taken on a stale read simply loses, as for
 * contracts (machine.ts). The contract's own state and its parties' statuses stay in table.ts.
 *
 * A row whose `to` is its `from` and that has no effects says "nothing to do" in the table itself
 * (a notification delivered twice, closing an order already paid): its decision is `noop`, and the
 * caller writes nothing. Rows that leave a terminal state, or keep a record in one, are the
 * documented exceptions: each carries a `note` (tableProblems checks it).
 */
import { AppError } from '../errors';

export interface RecordRow<S extends string, A extends string, E extends string = never> {
  readonly from: S | readonly S[];
  readonly action: A;
  readonly to: S;
  /** What the operation carries out with this move (in the same commit unless the note says otherwise). */
  readonly effects?: readonly E[];
  /** Why, in the product's terms; required on a row from a terminal state. */
  readonly note?: string;
}

export interface RecordTable<S extends string, A extends string, E extends string = never> {
  /** The record kind, as errors name it ('order', 'coupon', …). */
  readonly kind: string;
  /** The record in the product's words, for the refusal message (订单, 优惠券, …). */
  readonly label: string;
  /** Every status a record of this kind may have — the values stored in its `status` field. */
  readonly states: readonly S[];
  readonly actions: readonly A[];
  /** The status a new record is written with. */
  readonly initial: S;
  /** Statuses nothing leaves except by a documented exception (a row with a note). */
  readonly terminal: readonly S[];
  readonly rows: readonly RecordRow<S, A, E>[];
}

export interface RecordDecision<S extends string, A extends string, E extends string = never> {
  readonly kind: string;
  readonly from: S;
  readonly action: A;
  readonly to: S;
  readonly effects: readonly E[];
  /** Same status and no effects: the record is already as wanted — write nothing. */
  readonly noop: boolean;
}

/** Rows that keep each of `states` as it is for `action` (with `effects`, if any): said in the table, not in an if. */
export const stays = <S extends string, A extends string, E extends string = never>(
  states: readonly S[],
  action: A,
  note: string,
  effects?: readonly E[],
): RecordRow<S, A, E>[] => states.map((s) => ({ from: s, action, to: s, note, ...(effects ? { effects } : {}) }));

const fromStates = <S extends string>(row: RecordRow<S, string, string>): readonly S[] =>
  typeof row.from === 'string' ? [row.from as S] : (row.from as readonly S[]);

/** The row for (state, action), if any. */
export const findRecordRow = <S extends string, A extends string, E extends string>(
  table: RecordTable<S, A, E>,
  state: string,
  action: string,
): RecordRow<S, A, E> | undefined => table.rows.find((r) => r.action === action && fromStates(r).includes(state as S));

/** Whether the table lets `action` happen in `state` (for callers that refuse with their own code). */
export const allowsRecord = (table: RecordTable<string, string, string>, state: string, action: string): boolean =>
  findRecordRow(table, state, action) !== undefined;

/**
 * The table's answer for `action` on a record in `current`, or INVALID_TRANSITION with the record
 * kind, the state and the action. An unknown status (a value the table does not declare) is
 * refused the same way: nothing moves from a state nobody wrote down.
 */
export const decideRecord = <S extends string, A extends string, E extends string>(
  table: RecordTable<S, A, E>,
  current: S,
  action: A,
): RecordDecision<S, A, E> => {
  const row = findRecordRow(table, current, action);
  if (!row) throw new AppError('INVALID_TRANSITION', `当前${table.label}状态不支持此操作`, { record: table.kind, state: current, action });
  const effects = row.effects ?? [];
  return { kind: table.kind, from: current, action, to: row.to, effects, noop: row.to === current && effects.length === 0 };
};

/**
 * The only writer of a record's status: the record with the decision's status, and the fields the
 * operation sets with it (`patch`: closedAt, usedAt, attempts…). `patch` cannot carry a status.
 * A record whose stored status is not the decision's `from` was decided on another copy — a bug,
 * thrown as such. A record stored before it had a status field (face checks) has none to compare.
 */
export const applyRecord = <D extends { readonly status?: string }>(
  doc: D,
  decision: RecordDecision<NonNullable<D['status']>, string, string>,
  patch: Partial<Omit<D, 'status'>> = {},
): D => {
  if (doc.status !== undefined && doc.status !== decision.from) {
    throw new Error(`${decision.kind}: decided from '${decision.from}' but the record is '${doc.status}'`);
  }
  return { ...doc, ...patch, status: decision.to };
};

/** A new record's fields with the table's initial status (the creation row of every table). */
export const newRecord = <S extends string, F extends object>(table: RecordTable<S, string, string>, fields: F): F & { status: S } => ({
  ...fields,
  status: table.initial,
});

/**
 * How a kind retries a delivery, as data: after a failed attempt n (1-based) the next one is due
 * `baseDelaySeconds × n` (linear) or `baseDelaySeconds × 2^(n-1)` (exponential) later, never more
 * than `maxDelaySeconds`; after `maxAttempts` attempts there is none. A claim (the status that
 * says "being sent") older than `leaseSeconds` is taken to be abandoned by a crashed call.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelaySeconds: number;
  readonly growth: 'linear' | 'exponential';
  readonly maxDelaySeconds: number;
  readonly leaseSeconds: number;
}

/** Seconds until the attempt after `attemptsMade` failed ones; null when the policy gives up. */
export const retryDelaySeconds = (policy: RetryPolicy, attemptsMade: number): number | null => {
  if (attemptsMade >= policy.maxAttempts) return null;
  const n = Math.max(1, attemptsMade);
  const raw = policy.growth === 'linear' ? policy.baseDelaySeconds * n : policy.baseDelaySeconds * 2 ** (n - 1);
  return Math.min(raw, policy.maxDelaySeconds);
};

/**
 * What is wrong with a table (empty when nothing): unknown states or actions, two rows for one
 * (state, action), an undocumented move from a terminal state, a state no action reaches from the
 * initial one, an action no row uses. The unit tests run it on every table.
 */
export const tableProblems = (table: RecordTable<string, string, string>): string[] => {
  const out: string[] = [];
  const states = new Set(table.states);
  const actions = new Set(table.actions);
  if (!states.has(table.initial)) out.push(`initial '${table.initial}' is not a state`);
  for (const t of table.terminal) if (!states.has(t)) out.push(`terminal '${t}' is not a state`);
  const seen = new Set<string>();
  for (const row of table.rows) {
    if (!actions.has(row.action)) out.push(`unknown action '${row.action}'`);
    if (!states.has(row.to)) out.push(`unknown state '${row.to}' (to)`);
    for (const from of fromStates(row)) {
      if (!states.has(from)) out.push(`unknown state '${from}' (from)`);
      const key = `${from}:${row.action}`;
      if (seen.has(key)) out.push(`two rows for ${key}`);
      seen.add(key);
      if (table.terminal.includes(from) && !row.note) out.push(`undocumented move from terminal '${from}' by '${row.action}'`);
    }
  }
  for (const a of table.actions) if (!table.rows.some((r) => r.action === a)) out.push(`action '${a}' has no row`);
  const reached = new Set([table.initial]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of table.rows) {
      if (!reached.has(row.to) && fromStates(row).some((s) => reached.has(s))) {
        reached.add(row.to);
        grew = true;
      }
    }
  }
  for (const s of table.states) if (!reached.has(s)) out.push(`state '${s}' is unreachable from '${table.initial}'`);
  return out;
};
