/**
 * SPEC C1 (one table decides every move), F1/F2 (coupons, orders), C9 (report delivery), V1 (face
 * checks), I8 (reminders), M1 (outbox): the record-state machine and the table of every record kind.
 *
 * For each table, the moves it allows are compared with a list written here by hand from the code
 * that stores these records today (payments/, evidence/, identity/, contracts/reminders) and the
 * issues that extend them — so a row added, removed or changed fails a test — and every other
 * (status, action) pair is refused with INVALID_TRANSITION naming the record, the status and the
 * action. A fast-check property walks random action sequences from each table's initial status.
 * Every case builds its own records: nothing is shared between cases.
 */
import fc from 'fast-check';
import { AppError } from '../../shared/errors';
import {
  allowsRecord, applyRecord, decideRecord, newRecord, retryDelaySeconds, stays, tableProblems,
  type RecordTable,
} from '../../shared/lifecycle/records';

type AnyTable = RecordTable<string, string, string>;

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    Object.values(o as object).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
};

const caught = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a refusal');
};

/** Every allowed move of a table, as "status:action→next [effects]" — "=" marks a noop. */
const allowedMoves = (table: AnyTable): string[] => {
  const out: string[] = [];
  for (const state of table.states)
    for (const action of table.actions) {
      if (!allowsRecord(table, state, action)) continue;
      const d = decideRecord(table, state, action);
      out.push(`${state}:${action}→${d.noop ? '=' : d.to}${d.effects.length ? ` [${d.effects.join(',')}]` : ''}`);
    }
  return out.sort();
};

// ── the machine itself, on a table made for the test ─────────────────────────────────────────

type Door = 'closed' | 'open' | 'locked';
type DoorAction = 'open' | 'close' | 'lock' | 'unlock';
const door = (): RecordTable<Door, DoorAction, 'beep'> => ({
  kind: 'door', label: '门', states: ['closed', 'open', 'locked'], actions: ['open', 'close', 'lock', 'unlock'],
  initial: 'closed', terminal: [],
  rows: [
    { from: 'closed', action: 'open', to: 'open', effects: ['beep'] },
    { from: ['open', 'closed'], action: 'close', to: 'closed' },
    { from: 'closed', action: 'lock', to: 'locked' },
    { from: 'locked', action: 'unlock', to: 'closed' },
  ],
});
interface DoorDoc { _id: string; status: Door; openedAt: string | null; note: string }

describe('C1 records.ts: decide, refuse, apply', () => {
  test('a row decides the next status and its effects; a row in an array of from-states matches each', () => {
    const t = door();
    expect(decideRecord(t, 'closed', 'open')).toEqual({ kind: 'door', from: 'closed', action: 'open', to: 'open', effects: ['beep'], noop: false });
    expect(decideRecord(t, 'open', 'close')).toEqual({ kind: 'door', from: 'open', action: 'close', to: 'closed', effects: [], noop: false });
    expect(decideRecord(t, 'closed', 'close')).toEqual({ kind: 'door', from: 'closed', action: 'close', to: 'closed', effects: [], noop: true });
  });

  test('anything else is INVALID_TRANSITION naming the record, the status and the action, in the record\'s words', () => {
    const t = door();
    const e = caught(() => decideRecord(t, 'locked', 'open'));
    expect(e.code).toBe('INVALID_TRANSITION');
    expect(e.details).toEqual({ record: 'door', state: 'locked', action: 'open' });
    expect(e.message).toBe('当前门状态不支持此操作');
    // a status nobody declared (a stray stored value) is refused the same way
    expect(caught(() => decideRecord(t, 'ajar' as Door, 'close')).details).toEqual({ record: 'door', state: 'ajar', action: 'close' });
    expect(caught(() => decideRecord(t, 'closed', 'kick' as DoorAction)).details).toEqual({ record: 'door', state: 'closed', action: 'kick' });
    expect(allowsRecord(t, 'locked', 'open')).toBe(false);
    expect(allowsRecord(t, 'locked', 'unlock')).toBe(true);
  });

  test('applyRecord writes the decided status and the patch, on a copy; the stored record is untouched', () => {
    const doc: DoorDoc = deepFreeze({ _id: 'd1', status: 'closed', openedAt: null, note: 'n' });
    const next = applyRecord(doc, decideRecord(door(), 'closed', 'open'), { openedAt: '2026-03-01T00:00:00.000Z' });
    expect(next).toEqual({ _id: 'd1', status: 'open', openedAt: '2026-03-01T00:00:00.000Z', note: 'n' });
    expect(doc).toEqual({ _id: 'd1', status: 'closed', openedAt: null, note: 'n' });
  });

  test('a patch cannot set the status: the decision\'s wins', () => {
    const doc: DoorDoc = { _id: 'd1', status: 'closed', openedAt: null, note: 'n' };
    const sneaky = { status: 'locked', note: 'm' } as unknown as Partial<Omit<DoorDoc, 'status'>>;
    expect(applyRecord(doc, decideRecord(door(), 'closed', 'open'), sneaky)).toEqual({ _id: 'd1', status: 'open', openedAt: null, note: 'm' });
  });

  test('a decision taken on another status is a bug, thrown — never written', () => {
    const doc: DoorDoc = { _id: 'd1', status: 'locked', openedAt: null, note: 'n' };
    expect(() => applyRecord(doc, decideRecord(door(), 'closed', 'open'))).toThrow("door: decided from 'closed' but the record is 'locked'");
  });

  test('a record stored before it had a status takes the decided one', () => {
    const legacy: { _id: string; status?: Door } = { _id: 'd1' };
    expect(applyRecord(legacy, decideRecord(door(), 'closed', 'lock'))).toEqual({ _id: 'd1', status: 'locked' });
  });

  test('newRecord writes the initial status', () => {
    expect(newRecord(door(), { _id: 'd2', openedAt: null })).toEqual({ _id: 'd2', openedAt: null, status: 'closed' });
  });

  test('stays: one self-row per status, with its note and effects', () => {
    expect(stays<Door, DoorAction, 'beep'>(['open', 'locked'], 'close', 'why', ['beep'])).toEqual([
      { from: 'open', action: 'close', to: 'open', note: 'why', effects: ['beep'] },
      { from: 'locked', action: 'close', to: 'locked', note: 'why', effects: ['beep'] },
    ]);
  });

  test('tableProblems finds each defect it is for (and none in a sound table)', () => {
    expect(tableProblems(door())).toEqual([]);
    const broken: AnyTable = {
      ...door(), initial: 'gone', terminal: ['locked', 'nowhere'], actions: ['open', 'close', 'lock', 'unlock', 'paint'],
      rows: [
        { from: 'closed', action: 'open', to: 'open' },
        { from: 'closed', action: 'open', to: 'locked' },
        { from: 'locked', action: 'unlock', to: 'closed' },
        { from: 'ajar', action: 'fly', to: 'roof' },
      ],
    };
    expect(tableProblems(broken).sort()).toEqual([
      "action 'close' has no row", "action 'lock' has no row", "action 'paint' has no row",
      "initial 'gone' is not a state",
      "state 'closed' is unreachable from 'gone'", "state 'locked' is unreachable from 'gone'", "state 'open' is unreachable from 'gone'",
      "terminal 'nowhere' is not a state",
      'two rows for closed:open',
      "undocumented move from terminal 'locked' by 'unlock'",
      "unknown action 'fly'", "unknown state 'ajar' (from)", "unknown state 'roof' (to)",
    ].sort());
  });

  test('retryDelaySeconds: linear and exponential growth, the cap, and giving up after the last attempt', () => {
    const lin = { maxAttempts: 4, baseDelaySeconds: 10, growth: 'linear' as const, maxDelaySeconds: 25, leaseSeconds: 5 };
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(lin, n))).toEqual([10, 20, 25, null]);
    const exp = { ...lin, growth: 'exponential' as const, maxDelaySeconds: 1000, maxAttempts: 6 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(exp, n))).toEqual([10, 20, 40, 80, 160, null]);
  });
});

