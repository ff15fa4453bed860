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
import { ORDER_TABLE } from '../../shared/lifecycle/order';
import { REPORT_ORDER_TABLE, REPORT_RETRY } from '../../shared/lifecycle/report-order';
import { COUPON_TABLE } from '../../shared/lifecycle/coupon';
import { FACE_CHECK_TABLE } from '../../shared/lifecycle/face-check';
import { faceCheckStatus, type StoredFaceCheck } from '../../shared/lifecycle/derived-states';
import { REMINDER_TABLE } from '../../shared/lifecycle/reminder';
import { EXTENSION_TABLE, REPAYMENT_TABLE } from '../../shared/lifecycle/repayment';
import { MESSAGE_RETRY, MESSAGE_TABLE } from '../../shared/lifecycle/message';
import { CONTRACT_PAYMENT_TABLE } from '../../shared/lifecycle/contract-payment';
import { REFUND_TABLE } from '../../shared/lifecycle/refund';
import { SOTER_CHALLENGE_TABLE } from '../../shared/lifecycle/soter-challenge';

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

// ── the tables ───────────────────────────────────────────────────────────────────────────────

interface Case {
  name: string;
  table: AnyTable;
  initial: string;
  states: string[];
  /** Every allowed move, written by hand. "=" : the record stays as it is and nothing is done. */
  moves: string[];
  /** What a terminal status still accepts (each with its note in the table), as "status:action". */
  terminalExceptions: string[];
}

const CASES: Case[] = [
  {
    name: 'F2 payment orders (order.ts)',
    table: ORDER_TABLE as AnyTable,
    initial: 'created',
    states: ['created', 'paid', 'closed', 'refund_pending', 'refunded'],
    moves: [
      'created:pay→paid [freeOpenSlot,useCoupon,reportDue]',
      'closed:pay→paid [useCoupon,reportDue]',
      'paid:pay→=', 'refund_pending:pay→=', 'refunded:pay→=',
      'created:pay_unapplied→paid [freeOpenSlot,releaseCoupon,recordRefundDue]',
      'closed:pay_unapplied→paid [recordRefundDue]',
      'paid:pay_unapplied→=', 'refund_pending:pay_unapplied→=', 'refunded:pay_unapplied→=',
      'paid:pay_duplicate→paid [recordRefundDue]', 'refund_pending:pay_duplicate→refund_pending [recordRefundDue]', 'refunded:pay_duplicate→refunded [recordRefundDue]',
      'created:close→closed [freeOpenSlot,releaseCoupon]',
      'closed:close→=', 'paid:close→=', 'refund_pending:close→=', 'refunded:close→=',
      'paid:refund→refund_pending [requestRefund]', 'refund_pending:refund→=',
      'refund_pending:refund_succeeded→refunded [showRefund]', 'refunded:refund_succeeded→=',
      'refund_pending:refund_failed→paid',
    ],
    terminalExceptions: ['refunded:pay', 'refunded:pay_unapplied', 'refunded:pay_duplicate', 'refunded:close', 'refunded:refund_succeeded'],
  },
  {
    name: 'F2 refunds (refund.ts, issue 16)',
    table: REFUND_TABLE as AnyTable,
    initial: 'requested',
    states: ['requested', 'processing', 'succeeded', 'closed', 'abnormal'],
    moves: [
      'requested:accept→processing [recordRefundId]', 'processing:accept→=', 'succeeded:accept→=', 'closed:accept→=', 'abnormal:accept→=',
      'requested:succeed→succeeded [recordRefundId,recordSuccess]', 'processing:succeed→succeeded [recordRefundId,recordSuccess]', 'succeeded:succeed→=',
      'requested:close→closed [recordRefundId,alarm]', 'processing:close→closed [recordRefundId,alarm]', 'closed:close→=',
      'requested:abnormal→abnormal [recordRefundId,alarm]', 'processing:abnormal→abnormal [recordRefundId,alarm]', 'abnormal:abnormal→=',
    ],
    terminalExceptions: ['succeeded:accept', 'closed:accept', 'abnormal:accept', 'succeeded:succeed', 'closed:close', 'abnormal:abnormal'],
  },
  {
    name: 'V2 SOTER challenges (soter-challenge.ts): one challenge, one attempt',
    table: SOTER_CHALLENGE_TABLE as AnyTable,
    initial: 'issued',
    states: ['issued', 'used', 'failed'],
    moves: ['issued:verified→used', 'issued:refused→failed'],
    terminalExceptions: [],
  },
  {
    name: 'C9 evidence-report delivery (report-order.ts)',
    table: REPORT_ORDER_TABLE as AnyTable,
    initial: 'due',
    states: ['due', 'sending', 'sent', 'failed'],
    moves: [
      'due:pay→due [dueNow]',
      'due:claim→sending [countAttempt]', 'failed:retry→sending [countAttempt]', 'sending:take_over→sending [countAttempt]',
      'sending:succeed→sent [recordReportSent]', 'failed:succeed→sent [recordReportSent]', 'sent:succeed→=',
      'sending:fail→failed [scheduleRetry]',
    ],
    terminalExceptions: ['sent:succeed'],
  },
  {
    name: 'F1 coupons (coupon.ts)',
    table: COUPON_TABLE as AnyTable,
    initial: 'available',
    states: ['available', 'held', 'used'],
    moves: [
      'available:hold→held [recordHolder]', 'held:join→held [addAttempt]', 'held:leave→held [dropAttempt]',
      'held:release→available [clearHolder]', 'available:release→=', 'used:release→=',
      'held:use→used [recordUse]', 'available:use→used [recordUse]', 'used:use→=',
    ],
    terminalExceptions: ['used:release', 'used:use'],
  },
  {
    name: 'V1 face checks (face-check.ts)',
    table: FACE_CHECK_TABLE as AnyTable,
    initial: 'started',
    states: ['started', 'passed', 'failed', 'used', 'expired'],
    moves: [
      'started:pass→passed [recordResult]', 'started:fail→failed [recordResult,markUsed]',
      'started:use→used [recordResult,markUsed]', 'passed:use→used [markUsed]',
      'started:expire→expired', 'passed:expire→expired',
    ],
    terminalExceptions: [],
  },
  {
    name: 'I8 repayment reminders (reminder.ts)',
    table: REMINDER_TABLE as AnyTable,
    initial: 'pending',
    states: ['pending', 'sent', 'cancelled'],
    moves: [
      'cancelled:schedule→pending', 'pending:schedule→=', 'sent:schedule→=',
      'pending:send→sent [smsRepaymentDue]', 'pending:cancel→cancelled', 'cancelled:cancel→=',
    ],
    terminalExceptions: ['sent:schedule'],
  },
  {
    name: 'L1 repayments (repayment.ts)',
    table: REPAYMENT_TABLE as AnyTable,
    initial: 'recorded',
    states: ['recorded', 'confirmed', 'disputed'],
    moves: ['recorded:confirm→confirmed', 'recorded:dispute→disputed'],
    terminalExceptions: [],
  },
  {
    name: 'L3 extensions (repayment.ts)',
    table: EXTENSION_TABLE as AnyTable,
    initial: 'proposed',
    states: ['proposed', 'signed', 'refused'],
    moves: ['proposed:sign→signed', 'proposed:refuse→refused'],
    terminalExceptions: [],
  },
  {
    name: 'M1 outbox messages (message.ts)',
    table: MESSAGE_TABLE as AnyTable,
    initial: 'pending',
    states: ['pending', 'sending', 'retry_wait', 'sent', 'failed'],
    moves: [
      'pending:claim→sending [countAttempt,send]', 'retry_wait:claim→sending [countAttempt,send]',
      'sending:succeed→sent [recordProviderId]',
      'sending:fail_retryable→retry_wait [recordProviderCode,scheduleRetry]',
      'sending:fail_final→failed [recordProviderCode]',
      'sending:abandon→failed [recordClaimExpired]',
      'failed:succeed→sent [recordProviderId]', 'failed:fail_retryable→=', 'failed:fail_final→=',
    ],
    terminalExceptions: ['failed:succeed', 'failed:fail_retryable', 'failed:fail_final'],
  },
  {
    name: 'I6/F2/R3 a contract\'s payment gate (contract-payment.ts)',
    table: CONTRACT_PAYMENT_TABLE as AnyTable,
    initial: 'unpaid',
    states: ['unpaid', 'paid', 'waived'],
    moves: ['unpaid:pay→paid [keepFeeFacts,paymentConfirmed]', 'unpaid:waive→waived [keepFeeFacts,paymentConfirmed]', 'unpaid:issue→waived [keepFeeFacts]'],
    terminalExceptions: [],
  },
];

describe.each(CASES)('$name', (c) => {
  test('the table is sound: known states and actions, one row per pair, every state reachable, terminal moves documented', () => {
    expect(tableProblems(c.table)).toEqual([]);
    expect([...c.table.states]).toEqual(c.states);
    expect(c.table.initial).toBe(c.initial);
  });

  test('it allows exactly the moves listed here', () => {
    expect(allowedMoves(c.table)).toEqual([...c.moves].sort());
  });

  test('every other (status, action) pair is refused with INVALID_TRANSITION naming the record, status and action', () => {
    const listed = new Set(c.moves.map((m) => m.slice(0, m.indexOf('→'))));
    let refused = 0;
    for (const state of c.table.states)
      for (const action of c.table.actions) {
        if (listed.has(`${state}:${action}`)) continue;
        const e = caught(() => decideRecord(c.table, state, action));
        expect(e.code).toBe('INVALID_TRANSITION');
        expect(e.details).toEqual({ record: c.table.kind, state, action });
        refused++;
      }
    expect(refused).toBe(c.table.states.length * c.table.actions.length - c.moves.length);
  });

  test('every decision applied to a stored record changes its status and nothing else', () => {
    for (const m of c.moves) {
      const [state, action] = m.slice(0, m.indexOf('→')).split(':') as [string, string];
      const doc = deepFreeze({ _id: 'r1', status: state, other: { kept: true } });
      const d = decideRecord(c.table, state, action);
      expect(applyRecord(doc, d)).toEqual({ _id: 'r1', status: d.to, other: { kept: true } });
      expect(doc.status).toBe(state);
    }
  });

  test('property: any action sequence from the initial status stays inside the declared statuses; terminal ones accept only their documented exceptions', () => {
    const terminal = new Set<string>(c.table.terminal);
    const exceptions = new Set(c.terminalExceptions);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...c.table.actions), { maxLength: 40 }), (actions) => {
        let record = newRecord(c.table, { _id: 'r1' });
        expect(record.status).toBe(c.initial);
        for (const action of actions) {
          const before = record.status;
          if (!allowsRecord(c.table, before, action)) {
            expect(caught(() => decideRecord(c.table, before, action)).details).toEqual({ record: c.table.kind, state: before, action });
            continue;
          }
          if (terminal.has(before)) expect(exceptions).toContain(`${before}:${action}`);
          record = applyRecord(record, decideRecord(c.table, before, action));
          expect(c.states).toContain(record.status);
          if (terminal.has(before)) expect(terminal.has(record.status)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('retry policies as data (C9 today\'s numbers; M1 the outbox)', () => {
  test('report delivery: attempt n failed → n × 10 minutes, none after the 5th; a claim lasts 5 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(REPORT_RETRY, n))).toEqual([600, 1200, 1800, 2400, null]);
    expect(REPORT_RETRY.leaseSeconds).toBe(300);
  });
  test('outbox: 60 s doubling, five attempts in all, a 5-minute lease', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(MESSAGE_RETRY, n))).toEqual([60, 120, 240, 480, null]);
    expect(MESSAGE_RETRY.leaseSeconds).toBe(300);
  });
});

describe('V1 a face check\'s status read from the fields stored today (no migration)', () => {
  const NOW = '2026-03-01T02:00:00.000Z';
  const check = (over: Partial<StoredFaceCheck>): StoredFaceCheck => ({ expiresAt: '2026-03-01T03:00:00.000Z', usedAt: null, result: null, ...over });
  test.each<[string, Partial<StoredFaceCheck>, string]>([
    ['started: unused, in time, no status field', {}, 'started'],
    ['used: spent with the provider passing it (ErrCode 0)', { usedAt: NOW, result: { errCode: 0, errMsg: '成功' } }, 'used'],
    ['failed: spent with another code', { usedAt: NOW, result: { errCode: -1101, errMsg: '活体检测未通过' } }, 'failed'],
    ['expired: unused past expiresAt', { expiresAt: '2026-03-01T01:59:59.999Z' }, 'expired'],
    ['at expiresAt exactly, still usable (as consumeFaceCheck compares)', { expiresAt: NOW }, 'started'],
    ['used past expiresAt stays used', { usedAt: NOW, result: { errCode: 0, errMsg: '成功' }, expiresAt: '2026-03-01T00:00:00.000Z' }, 'used'],
    ['a stored passed check, in time', { status: 'passed', result: { errCode: 0, errMsg: '成功' } }, 'passed'],
    ['a stored passed check past its time', { status: 'passed', expiresAt: '2026-03-01T00:00:00.000Z' }, 'expired'],
    ['a stored used status wins', { status: 'used', usedAt: NOW, result: { errCode: 0, errMsg: '成功' } }, 'used'],
  ])('%s', (_name, over, want) => {
    expect(faceCheckStatus(check(over), NOW)).toBe(want);
  });
});
