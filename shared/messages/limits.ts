/**
 * Rate limits as operations use them (M2): the counters of one call read from the store and
 * decided against the configured rules, answered as the compare-and-set writes that go into the
 * SAME store commit as the message or the spend they admit (./rate-limits.ts explains why). A
 * refusal throws RATE_LIMITED {retryAfterSeconds} before anything is written, sent or charged.
 * Imports ports and ./rate-limits only.
 */
import type { Deps } from '../ports/operation';
import type { Append, CasWrite } from '../ports/store';
import { AppError } from '../errors';
import { counterSpecs, parseRateLimitConfig, decideLimits, readCounters, RATE_LIMITS_COLLECTION, type RateAction, type RateCounterDoc, type RateLimitConfig, type RateSubjects } from './rate-limits';

/** The configured rules, parsed once per configuration (a mistake there fails the first limited call loudly). */
const parsed = new WeakMap<object, RateLimitConfig>();
const rulesOf = (deps: Deps): RateLimitConfig => {
  let c = parsed.get(deps.config.rateLimits);
  if (!c) parsed.set(deps.config.rateLimits, (c = parseRateLimitConfig(deps.config.rateLimits)));
  return c;
};

const specsOf = (deps: Deps, action: RateAction, subjects: RateSubjects) =>
  counterSpecs(rulesOf(deps), action, subjects, deps.config.rateLimitKey);

/** The counter writes one more `action` needs, for the caller's commit; throws RATE_LIMITED when a rule refuses. */
export const limitWrites = async (deps: Deps, action: RateAction, subjects: RateSubjects): Promise<CasWrite[]> =>
  (await readCounters(deps.store, specsOf(deps, action, subjects), deps.clock.now())).writes;

/**
 * Refuses now what the commit would refuse later, without counting: for an operation that must
 * not charge (contract-pay) for a message the limit would then not let out.
 */
export const expectAllowed = async (deps: Deps, action: RateAction, subjects: RateSubjects): Promise<void> => {
  const specs = specsOf(deps, action, subjects);
  const docs = await Promise.all(specs.map((s) => deps.store.get<RateCounterDoc>(RATE_LIMITS_COLLECTION, s.id)));
  const d = decideLimits(specs, docs, deps.clock.now());
  if (!d.ok) throw d.error;
};

/**
 * For a call that has no document of its own to write (an e-mail, a face check's start): the
 * counters and the rows in one commit, read again and decided again when another call won the
 * counter meanwhile — the loser is then refused or counted after the winner, never both on one read.
 */
export const commitLimited = async (deps: Deps, action: RateAction, subjects: RateSubjects, appends: () => Append[] | Promise<Append[]>): Promise<void> => {
  for (let attempt = 0; attempt < 4; attempt++) {
    const writes = await limitWrites(deps, action, subjects);
    if (writes.length === 0) throw new Error(`rate limit ${action}: no counter for these subjects`);
    const r = await deps.store.commit(writes, await appends());
    if (r.ok) return;
  }
  throw new AppError('CONFLICT');
};

/**
 * Several sends of one action in one commit (an own file's signers invited together): decided one
 * after the other on the counters as the earlier ones left them, so two invitations counted on one
 * counter are one write of it (a commit may name a document once). Answers, per send, whether it
 * is allowed, and the writes for the commit.
 */
export const limitWritesEach = async (deps: Deps, action: RateAction, each: readonly RateSubjects[]): Promise<{ allowed: boolean[]; writes: CasWrite[] }> => {
  const now = deps.clock.now();
  const reads = new Map<string, RateCounterDoc | null>();
  const current = new Map<string, RateCounterDoc | null>();
  const allowed: boolean[] = [];
  for (const subjects of each) {
    const specs = specsOf(deps, action, subjects);
    for (const s of specs) {
      if (!reads.has(s.id)) {
        const doc = await deps.store.get<RateCounterDoc>(RATE_LIMITS_COLLECTION, s.id);
        reads.set(s.id, doc);
        current.set(s.id, doc);
      }
    }
    const d = decideLimits(specs, specs.map((s) => current.get(s.id) ?? null), now);
    allowed.push(d.ok);
    // The decided counters carry the version read, so the next decision and the write below see it.
    if (d.ok) for (const w of d.writes) current.set(w.doc._id, { ...(w.doc as RateCounterDoc), ...(reads.get(w.doc._id)?.version !== undefined ? { version: reads.get(w.doc._id)!.version } : {}) });
  }
  const writes: CasWrite[] = [];
  for (const [id, doc] of current) {
    const read = reads.get(id) ?? null;
    if (doc === read || !doc) continue;
    const { version: _read, ...next } = doc;
    writes.push({ collection: RATE_LIMITS_COLLECTION, doc: next as RateCounterDoc, expectedVersion: read?.version ?? 0 });
  }
  return { allowed, writes };
};
