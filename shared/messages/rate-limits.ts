/**
 * Rate limits (M2, R4), one mechanism for everything a caller can make the platform send or spend:
 * contract e-mails (C8), evidence reports (C9, free ones too), invitations and re-invitations,
 * 催办, verification codes, face checks. Imports the store port's types, the error table and
 * node:crypto (for counter ids); the decision itself (`decideLimit`) is pure.
 *
 * A limit is a list of rules from configuration (config/messages.json `rateLimits`); each rule
 * counts one scope — the contract, the caller (openid), the destination (phone or e-mail) or one
 * caller on one contract — and allows at most `count` sends in any `windowSeconds` (a sliding
 * window, so nothing resets at midnight to be gamed), and none sooner than `minIntervalSeconds`
 * after the last. Every rule must allow the send.
 *
 * Counters are documents (collection rate_limits, one per action × scope × subject) holding the
 * times of the most recent accepted sends. The check and the increment are ONE compare-and-set of
 * that document, written in the same store commit as the message it admits (the outbox row, the
 * contract change): two concurrent sends that both read "4 of 5" cannot both commit — the loser's
 * commit conflicts, it re-reads, and is refused. Nothing is sent or charged before that commit,
 * so a refused call has sent and charged nothing. Wiring, for an operation:
 *
 *   const specs = counterSpecs(config.rateLimits, 'contract_email', { contractId, caller: openid, destination: email }, key);
 *   const gate = await readCounters(store, specs, now);     // throws RATE_LIMITED {retryAfterSeconds}
 *   await store.commit([contractWrite, ...gate.writes], [{ collection: 'email_outbox', docs: [row] }]);
 *   // conflict → read again from the top (the contract and the counters)
 *
 * Counter ids are HMAC-SHA256(key, scope + subject): a phone number or e-mail never appears in a
 * document id or a log, and cannot be recovered from one by trying all numbers without the key.
 */
import { createHmac } from 'node:crypto';
import { AppError } from '../errors';
import type { CasWrite, Doc, Store } from '../ports/store';

export const RATE_ACTIONS = ['contract_email', 'evidence_report', 'evidence_bundle', 'invite', 'urge', 'verification_code', 'face_start', 'demand', 'rename', 'soter_challenge', 'seal'] as const;
export type RateAction = (typeof RATE_ACTIONS)[number];

export const RATE_SCOPES = ['contract', 'caller', 'destination', 'contract_caller'] as const;
export type RateScope = (typeof RATE_SCOPES)[number];

export interface RateRule {
  readonly scope: RateScope;
  /** At most this many sends … */
  readonly count: number;
  /** … in any window of this many seconds. */
  readonly windowSeconds: number;
  /** And none sooner than this after the previous one (0 = no spacing). */
  readonly minIntervalSeconds: number;
}

export type RateLimitConfig = Readonly<Record<RateAction, readonly RateRule[]>>;

/** The collection the counters live in (shared/store/collections.ts `rateLimits`). */
export const RATE_LIMITS_COLLECTION = 'rate_limits';

/** The counter document. */
export interface RateCounterDoc extends Doc {
  action: RateAction;
  scope: RateScope;
  /** Epoch milliseconds of the most recent accepted sends, oldest first; never more than the largest rule count. */
  hits: number[];
  updatedAt: string;
  /** After this nothing in `hits` counts any more: housekeeping may remove the document. */
  expiresAt: string;
}

/** One counter to check: its id, what it counts, and the rules of its scope. */
export interface CounterSpec {
  readonly id: string;
  readonly action: RateAction;
  readonly scope: RateScope;
  readonly rules: readonly RateRule[];
}

export type LimitDecision =
  | { ok: true; nextDoc: RateCounterDoc; retryAfterSeconds: 0 }
  | { ok: false; nextDoc: null; retryAfterSeconds: number; rule: RateRule };

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** Validates config/messages.json `rateLimits`; a mistake there fails the cold start, not a send. */
export const parseRateLimitConfig = (raw: unknown): RateLimitConfig => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('rateLimits must be an object');
  const out: Partial<Record<RateAction, RateRule[]>> = {};
  for (const [action, rules] of Object.entries(raw as Record<string, unknown>)) {
    if (!(RATE_ACTIONS as readonly string[]).includes(action)) throw new Error(`rateLimits: unknown action ${action}`);
    if (!Array.isArray(rules) || rules.length === 0) throw new Error(`rateLimits.${action} must be a non-empty list`);
    out[action as RateAction] = rules.map((r: unknown, i) => {
      const o = (r ?? {}) as Record<string, unknown>;
      const at = `rateLimits.${action}[${i}]`;
      if (!(RATE_SCOPES as readonly string[]).includes(String(o.scope))) throw new Error(`${at}.scope must be one of ${RATE_SCOPES.join(', ')}`);
      if (!isPositiveInt(o.count) || o.count > 1000) throw new Error(`${at}.count must be an integer 1–1000`);
      if (!isPositiveInt(o.windowSeconds)) throw new Error(`${at}.windowSeconds must be a positive integer`);
      const minIntervalSeconds = o.minIntervalSeconds ?? 0;
      if (typeof minIntervalSeconds !== 'number' || !Number.isSafeInteger(minIntervalSeconds) || minIntervalSeconds < 0) throw new Error(`${at}.minIntervalSeconds must be an integer ≥ 0`);
      const unknown = Object.keys(o).filter((k) => !['scope', 'count', 'windowSeconds', 'minIntervalSeconds'].includes(k));
      if (unknown.length) throw new Error(`${at}: unknown ${unknown.join(', ')}`);
      return Object.freeze({ scope: o.scope as RateScope, count: o.count, windowSeconds: o.windowSeconds, minIntervalSeconds });
    });
  }
  const missing = RATE_ACTIONS.filter((a) => !out[a]);
  if (missing.length) throw new Error(`rateLimits: no rules for ${missing.join(', ')}`);
  return Object.freeze(out as Record<RateAction, RateRule[]>);
};

/** What is counted for one call; scopes whose subject is absent are not checked. */
export interface RateSubjects {
  contractId?: string;
  /** The caller's openid. */
  caller?: string;
  /** The phone number or e-mail address the message goes to, normalized by the caller (parseMobile, lower-cased e-mail). */
  destination?: string;
}

const subjectOf = (scope: RateScope, s: RateSubjects): string | undefined => {
  switch (scope) {
    case 'contract':
      return s.contractId;
    case 'caller':
      return s.caller;
    case 'destination':
      return s.destination;
    case 'contract_caller':
      return s.contractId !== undefined && s.caller !== undefined ? `${s.contractId}\u0000${s.caller}` : undefined;
  }
};

/** The counter's document id: rl_<action>_<scope>_<22 base64url characters of HMAC-SHA256>. */
export const counterId = (action: RateAction, scope: RateScope, subject: string, key: string | Buffer): string =>
  `rl_${action}_${scope}_${createHmac('sha256', key).update(`${action}\u0000${scope}\u0000${subject}`).digest('base64url').slice(0, 22)}`;

/**
 * The counters one call of `action` must pass, one per scope present in its rules and in
 * `subjects` (several rules of one scope share one counter). A scope whose subject is missing is
 * skipped — e.g. face checks for an account change have no contract.
 */
export const counterSpecs = (config: RateLimitConfig, action: RateAction, subjects: RateSubjects, key: string | Buffer): CounterSpec[] => {
  const byScope = new Map<RateScope, RateRule[]>();
  for (const r of config[action]) byScope.set(r.scope, [...(byScope.get(r.scope) ?? []), r]);
  const specs: CounterSpec[] = [];
  for (const [scope, rules] of byScope) {
    const subject = subjectOf(scope, subjects);
    if (subject === undefined || subject === '') continue;
    specs.push({ id: counterId(action, scope, subject, key), action, scope, rules });
  }
  return specs;
};

/**
 * Whether one more send is allowed now, and the counter as it must be written if so. Pure.
 * - `doc` is the stored counter or null; hits in the future (a clock that stepped back) count
 *   as now, so they delay rather than vanish.
 * - A rule refuses when its `count`-th most recent hit is inside its window (retry when that one
 *   leaves the window), or the last hit is closer than `minIntervalSeconds` (retry when the
 *   interval has passed). The answer waits for the rule that waits longest.
 * - On success `nextDoc` holds the hits that still matter (inside the longest window or the
 *   longest interval) plus now, at most the largest count of them — enough for every rule to decide the next call.
 */
export const decideLimit = (doc: RateCounterDoc | null, now: Date, spec: CounterSpec): LimitDecision => {
  const t = now.getTime();
  const longestWindowMs = Math.max(...spec.rules.map((r) => r.windowSeconds)) * 1000;
  // A hit matters while it is inside a window or the last one's interval has not passed.
  const memoryMs = Math.max(longestWindowMs, ...spec.rules.map((r) => r.minIntervalSeconds * 1000));
  const keep = Math.max(...spec.rules.map((r) => r.count));
  const hits = (doc?.hits ?? [])
    .filter((h) => typeof h === 'number' && Number.isFinite(h))
    .map((h) => Math.min(h, t))
    .filter((h) => h > t - memoryMs)
    .sort((a, b) => a - b);

  let wait = 0;
  let worst: RateRule | null = null;
  for (const r of spec.rules) {
    let ruleWait = 0;
    const last = hits[hits.length - 1];
    if (last !== undefined && r.minIntervalSeconds > 0) ruleWait = Math.max(ruleWait, last + r.minIntervalSeconds * 1000 - t);
    const nth = hits[hits.length - r.count];
    if (nth !== undefined && nth > t - r.windowSeconds * 1000) ruleWait = Math.max(ruleWait, nth + r.windowSeconds * 1000 - t);
    if (ruleWait > wait) {
      wait = ruleWait;
      worst = r;
    }
  }
  if (worst) return { ok: false, nextDoc: null, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), rule: worst };

  const nextHits = [...hits, t].slice(-keep);
  const oldest = nextHits[0] ?? t;
  const nextDoc: RateCounterDoc = {
    _id: spec.id,
    action: spec.action,
    scope: spec.scope,
    hits: nextHits,
    updatedAt: now.toISOString(),
    expiresAt: new Date(Math.max(t + Math.max(...spec.rules.map((r) => r.minIntervalSeconds)) * 1000, oldest + longestWindowMs)).toISOString(),
  };
  return { ok: true, nextDoc, retryAfterSeconds: 0 };
};

/** The compare-and-set that records an allowed send: insert for a new counter, else on the version read. */
export const counterWrite = (read: RateCounterDoc | null, nextDoc: RateCounterDoc): CasWrite => ({
  collection: RATE_LIMITS_COLLECTION,
  doc: nextDoc,
  expectedVersion: read?.version ?? 0,
});

/** RATE_LIMITED as the caller sees it: when to try again, and what was exceeded. */
export const rateLimitedError = (action: RateAction, scope: RateScope, retryAfterSeconds: number): AppError => {
  const wait = retryAfterSeconds < 60 ? `${retryAfterSeconds}秒` : retryAfterSeconds < 3600 ? `${Math.ceil(retryAfterSeconds / 60)}分钟` : `${Math.ceil(retryAfterSeconds / 3600)}小时`;
  return new AppError('RATE_LIMITED', `操作过于频繁，请${wait}后再试`, { retryAfterSeconds, action, scope });
};

/**
 * Decides every counter of a call together. All allow → the writes to put into the commit; any
 * refuses → RATE_LIMITED with the longest wait among the refusing ones (waiting less would only be
 * refused again). Pure; `readCounters` is the same with the reads.
 */
export const decideLimits = (
  specs: readonly CounterSpec[],
  docs: ReadonlyArray<RateCounterDoc | null>,
  now: Date,
): { ok: true; writes: CasWrite[] } | { ok: false; error: AppError; retryAfterSeconds: number } => {
  const writes: CasWrite[] = [];
  let refused: { spec: CounterSpec; retryAfterSeconds: number } | null = null;
  for (const [i, spec] of specs.entries()) {
    const read = docs[i] ?? null;
    const d = decideLimit(read, now, spec);
    if (d.ok) writes.push(counterWrite(read, d.nextDoc));
    else if (!refused || d.retryAfterSeconds > refused.retryAfterSeconds) refused = { spec, retryAfterSeconds: d.retryAfterSeconds };
  }
  if (refused) return { ok: false, error: rateLimitedError(refused.spec.action, refused.spec.scope, refused.retryAfterSeconds), retryAfterSeconds: refused.retryAfterSeconds };
  return { ok: true, writes };
};

/**
 * Reads the counters of `specs` and decides: the CasWrites for the commit, or throws
 * RATE_LIMITED {retryAfterSeconds, action, scope}. Call it inside the operation's
 * read–decide–commit loop, so a lost commit reads the counters again.
 */
export const readCounters = async (store: Store, specs: readonly CounterSpec[], now: Date): Promise<{ writes: CasWrite[] }> => {
  const docs = await Promise.all(specs.map((s) => store.get<RateCounterDoc>(RATE_LIMITS_COLLECTION, s.id)));
  const d = decideLimits(specs, docs, now);
  if (!d.ok) throw d.error;
  return { writes: d.writes };
};
