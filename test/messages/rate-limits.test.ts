/**
 * M2 / R4 rate limits: one mechanism — sliding windows and a minimum interval per rule, counters
 * as documents whose compare-and-set goes into the same commit as the message. Time is a movable
 * clock; nothing sleeps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import messagesConfig from '../../config/messages.json';
import { FixedClock } from '../../shared/adapters/local/clock';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { AppError } from '../../shared/errors';
import {
  RATE_ACTIONS,
  RATE_LIMITS_COLLECTION,
  counterId,
  counterSpecs,
  counterWrite,
  decideLimit,
  decideLimits,
  parseRateLimitConfig,
  readCounters,
  type CounterSpec,
  type RateCounterDoc,
  type RateRule,
} from '../../shared/messages/rate-limits';
import type { Store } from '../../shared/ports/store';
import { collectionName } from '../../shared/store/collections';

const KEY = 'test-rate-limit-key';
const T0 = '2026-11-29T02:00:00.000Z';
const rule = (count: number, windowSeconds: number, minIntervalSeconds = 0, scope: RateRule['scope'] = 'contract'): RateRule => ({ scope, count, windowSeconds, minIntervalSeconds });
const spec = (...rules: RateRule[]): CounterSpec => ({ id: 'rl_test', action: 'urge', scope: rules[0]?.scope ?? 'contract', rules });

/** Drives decideLimit like an operation would: keeps the counter between calls. */
const driver = (s: CounterSpec, clock: FixedClock) => {
  let doc: RateCounterDoc | null = null;
  return {
    call: () => {
      const d = decideLimit(doc, clock.now(), s);
      if (d.ok) doc = { ...d.nextDoc, version: (doc?.version ?? 0) + 1 };
      return d;
    },
    get doc() {
      return doc;
    },
  };
};

describe('decideLimit (pure)', () => {
  it('M2: 5 per 24 h — the 6th is refused until the first leaves the window (sliding, not per calendar day)', () => {
    const clock = new FixedClock(new Date(T0));
    const d = driver(spec(rule(5, 86_400)), clock);
    for (let i = 0; i < 5; i++) {
      expect(d.call().ok).toBe(true);
      clock.advance(60_000);
    }
    // 5 minutes after the first: it leaves the window in 24 h − 5 min.
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 86_400 - 300 });
    clock.advance((86_400 - 300) * 1000 - 1);
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(d.call().ok).toBe(true);
    // The next frees up when the second call leaves the window, 60 s later.
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 60 });
    expect(d.doc?.hits).toHaveLength(5);
  });

  it('R4 催办: at most once per 10 minutes, 5 per 24 h', () => {
    const clock = new FixedClock(new Date(T0));
    const d = driver(spec(rule(5, 86_400, 600)), clock);
    expect(d.call().ok).toBe(true);
    clock.advance(5 * 60_000);
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 300, rule: { minIntervalSeconds: 600 } });
    clock.advance(5 * 60_000);
    expect(d.call().ok).toBe(true);
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * 60_000);
      expect(d.call().ok).toBe(true);
    }
    clock.advance(10 * 60_000);
    // 5 sent in the last 50 minutes: the interval has passed, the daily count has not.
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 86_400 - 50 * 60, rule: { count: 5 } });
  });

  it('several rules on one counter: the one that waits longest decides (verification codes: 60 s, 5/h, 10/day)', () => {
    const clock = new FixedClock(new Date(T0));
    const d = driver(spec(rule(5, 3600, 60, 'destination'), rule(10, 86_400, 0, 'destination')), clock);
    for (let i = 0; i < 5; i++) {
      expect(d.call().ok).toBe(true);
      clock.advance(61_000);
    }
    expect(d.call()).toMatchObject({ ok: false, retryAfterSeconds: 3600 - 5 * 61, rule: { count: 5 } });
    clock.advance(3600_000);
    for (let i = 0; i < 5; i++) {
      expect(d.call().ok).toBe(true);
      clock.advance(61_000);
    }
    clock.advance(3600_000);
    // 10 in the last day now: the hourly rule would allow, the daily one does not.
    const r = d.call();
    expect(r).toMatchObject({ ok: false, rule: { count: 10 } });
    expect(d.doc?.hits).toHaveLength(10);
  });

  it('a clock that stepped back delays instead of forgetting: future hits count as now', () => {
    const s = spec(rule(1, 3600));
    const future = new Date(Date.parse(T0) + 600_000).getTime();
    const doc: RateCounterDoc = { _id: 'rl_test', action: 'urge', scope: 'contract', hits: [future], updatedAt: T0, expiresAt: T0, version: 1 };
    expect(decideLimit(doc, new Date(T0), s)).toMatchObject({ ok: false, retryAfterSeconds: 3600 });
  });

  it('the counter written holds only what still counts, and says when it can be removed', () => {
    const clock = new FixedClock(new Date(T0));
    const s = spec(rule(2, 600, 120));
    const d = driver(s, clock);
    d.call();
    clock.advance(200_000);
    d.call();
    clock.advance(700_000);
    const before = d.doc;
    const r = d.call();
    if (!r.ok) throw new Error('expected ok');
    expect(r.nextDoc.hits).toEqual([Date.parse(T0) + 900_000]);
    expect(r.nextDoc.expiresAt).toBe(new Date(Date.parse(T0) + 900_000 + 600_000).toISOString());
    expect(counterWrite(before, r.nextDoc)).toEqual({ collection: 'rate_limits', doc: r.nextDoc, expectedVersion: 2 });
    expect(counterWrite(null, r.nextDoc).expectedVersion).toBe(0);
  });

  it('property: over any sequence of calls, accepted ones never exceed count in any window nor come closer than the interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 1, maxLength: 60 }),
        (count, windowSeconds, minIntervalSeconds, gaps) => {
          const clock = new FixedClock(new Date(T0));
          const d = driver(spec(rule(count, windowSeconds, minIntervalSeconds)), clock);
          const accepted: number[] = [];
          for (const g of gaps) {
            clock.advance(g);
            const r = d.call();
            if (r.ok) accepted.push(clock.now().getTime());
            else {
              // Retrying exactly when told succeeds (unless another rule… there is one rule here).
              expect(r.retryAfterSeconds).toBeGreaterThan(0);
            }
          }
          for (let i = 0; i < accepted.length; i++) {
            const inWindow = accepted.filter((t) => t > accepted[i]! - windowSeconds * 1000 && t <= accepted[i]!);
            expect(inWindow.length).toBeLessThanOrEqual(count);
            if (i > 0) expect(accepted[i]! - accepted[i - 1]!).toBeGreaterThanOrEqual(minIntervalSeconds * 1000);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: retrying after retryAfterSeconds is allowed (the wait said is never too short)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 60, max: 7200 }), fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 20 }), (count, w, mi, gaps) => {
        const clock = new FixedClock(new Date(T0));
        const d = driver(spec(rule(count, w, mi)), clock);
        for (const g of gaps) {
          clock.advance(g);
          d.call();
        }
        const r = d.call();
        if (!r.ok) {
          clock.advance(r.retryAfterSeconds * 1000);
          expect(d.call().ok).toBe(true);
        }
      }),
    );
  });
});

describe('counters: ids, specs and configuration', () => {
  const config = parseRateLimitConfig(messagesConfig.rateLimits);

  it('counters live in the declared rate_limits collection', () => {
    expect(RATE_LIMITS_COLLECTION).toBe(collectionName('rateLimits'));
  });

  it('config/messages.json has rules for every action and parses', () => {
    expect(Object.keys(config).sort()).toEqual([...RATE_ACTIONS].sort());
    expect(config.urge).toEqual([
      { scope: 'contract', count: 5, windowSeconds: 86_400, minIntervalSeconds: 600 },
      { scope: 'destination', count: 10, windowSeconds: 86_400, minIntervalSeconds: 0 },
    ]);
  });

  it.each([
    [{ ...messagesConfig.rateLimits, fax: [] }, /unknown action fax/],
    [{ ...messagesConfig.rateLimits, urge: [] }, /urge must be a non-empty list/],
    [{ ...messagesConfig.rateLimits, urge: [{ scope: 'planet', count: 1, windowSeconds: 1 }] }, /scope must be one of/],
    [{ ...messagesConfig.rateLimits, urge: [{ scope: 'contract', count: 0, windowSeconds: 1 }] }, /count must be an integer/],
    [{ ...messagesConfig.rateLimits, urge: [{ scope: 'contract', count: 1, windowSeconds: 1.5 }] }, /windowSeconds/],
    [{ ...messagesConfig.rateLimits, urge: [{ scope: 'contract', count: 1, windowSeconds: 1, perDay: 3 }] }, /unknown perDay/],
    [{ invite: messagesConfig.rateLimits.invite }, /no rules for contract_email/],
  ])('a mistake in the configuration fails loudly (%#)', (raw, message) => {
    expect(() => parseRateLimitConfig(raw)).toThrow(message);
  });

  it('counter ids are keyed hashes: stable, distinct per action/scope/subject/key, and never hold the phone or e-mail', () => {
    const id = counterId('invite', 'destination', '13812345678', KEY);
    expect(id).toMatch(/^rl_invite_destination_[A-Za-z0-9_-]{22}$/);
    expect(id).toBe(counterId('invite', 'destination', '13812345678', KEY));
    expect(id).not.toContain('13812345678');
    const others = [counterId('urge', 'destination', '13812345678', KEY), counterId('invite', 'caller', '13812345678', KEY), counterId('invite', 'destination', '13812345679', KEY), counterId('invite', 'destination', '13812345678', 'other-key')];
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('specs: one counter per scope present; rules of one scope share it; a missing subject is not counted', () => {
    const all = counterSpecs(config, 'verification_code', { caller: 'o1', destination: '13812345678' }, KEY);
    expect(all.map((s) => [s.scope, s.rules.length])).toEqual([['destination', 2], ['caller', 1]]);
    const noContract = counterSpecs(config, 'face_start', { caller: 'o1' }, KEY);
    expect(noContract.map((s) => s.scope)).toEqual(['caller']);
    const both = counterSpecs(config, 'face_start', { caller: 'o1', contractId: 'ct_1' }, KEY);
    expect(both.map((s) => s.scope)).toEqual(['contract_caller', 'caller']);
    expect(counterSpecs(config, 'face_start', { caller: 'o1', contractId: 'ct_2' }, KEY)[0]!.id).not.toBe(both[0]!.id);
  });

  it('decideLimits: all must allow; a refusal is RATE_LIMITED with the longest wait, and what was exceeded', () => {
    const now = new Date(T0);
    const specs = counterSpecs(config, 'contract_email', { contractId: 'ct_1', caller: 'o1', destination: 'a@example.com' }, KEY);
    const full = (s: CounterSpec, n: number, ageMs: number): RateCounterDoc => ({ _id: s.id, action: s.action, scope: s.scope, hits: Array.from({ length: n }, () => now.getTime() - ageMs), updatedAt: T0, expiresAt: T0, version: 3 });
    const ok = decideLimits(specs, [null, full(specs[1]!, 9, 1000), null], now);
    expect(ok.ok && ok.writes.map((w) => [w.doc._id, w.expectedVersion])).toEqual([[specs[0]!.id, 0], [specs[1]!.id, 3], [specs[2]!.id, 0]]);
    const refused = decideLimits(specs, [full(specs[0]!, 5, 3600_000), full(specs[1]!, 10, 7200_000), null], now);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error).toBeInstanceOf(AppError);
      expect([refused.error.code, refused.error.details]).toEqual(['RATE_LIMITED', { retryAfterSeconds: 86_400 - 3600, action: 'contract_email', scope: 'contract_caller' }]);
      expect(refused.error.message).toBe('操作过于频繁，请23小时后再试');
    }
  });
});

describe('counters in the store, committed with the message (SQLite)', () => {
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'esign-rl-')), 'db.sqlite'));
  });
  afterAll(() => store.close());

  const rules = parseRateLimitConfig(messagesConfig.rateLimits);
  const limit = rules.contract_email.find((r) => r.scope === 'contract_caller')!.count;

  /** contract-email as it will be wired: check + increment and the outbox row in one commit. */
  const sendEmail = async (clock: FixedClock, n: number): Promise<'sent' | 'limited' | 'conflict'> => {
    const specs = counterSpecs(rules, 'contract_email', { contractId: 'ct_rl1', caller: 'o_alice' }, KEY);
    try {
      const { writes } = await readCounters(store, specs, clock.now());
      const r = await store.commit(writes[0]!, [{ collection: collectionName('emails'), docs: [{ _id: `em_${n}`, to: 'a@example.com', createdAt: clock.now().toISOString() }] }]);
      return r.ok ? 'sent' : 'conflict';
    } catch (e) {
      if (e instanceof AppError && e.code === 'RATE_LIMITED') return 'limited';
      throw e;
    }
  };

  it('M2/C8: 31 calls for one contract by one party → exactly the limit are sent, the rest RATE_LIMITED, the outbox holds the limit', async () => {
    const clock = new FixedClock(new Date(T0));
    const outcomes: string[] = [];
    for (let n = 0; n < 31; n++) {
      outcomes.push(await sendEmail(clock, n));
      clock.advance(1000);
    }
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(limit);
    expect(outcomes.slice(limit).every((o) => o === 'limited')).toBe(true);
    expect(await store.count(collectionName('emails'), {})).toBe(limit);
    const counter = await store.get<RateCounterDoc>(RATE_LIMITS_COLLECTION, counterSpecs(rules, 'contract_email', { contractId: 'ct_rl1', caller: 'o_alice' }, KEY)[0]!.id);
    expect(counter?.hits).toHaveLength(limit);
    expect(counter?.version).toBe(limit);
  });

  it('two sends that read the same counter cannot both commit: the loser conflicts and writes nothing', async () => {
    const clock = new FixedClock(new Date(T0));
    const specs = counterSpecs(rules, 'invite', { contractId: 'ct_race' }, KEY);
    const [a, b] = await Promise.all([readCounters(store, specs, clock.now()), readCounters(store, specs, clock.now())]);
    const row = (id: string) => [{ collection: collectionName('sms'), docs: [{ _id: id, createdAt: T0 }] }];
    const results = await Promise.all([store.commit(a.writes[0]!, row('sms_race_a')), store.commit(b.writes[0]!, row('sms_race_b'))]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    expect((await store.find(collectionName('sms'), {})).map((d) => d._id).filter((id) => id.startsWith('sms_race'))).toHaveLength(1);
  });
});
