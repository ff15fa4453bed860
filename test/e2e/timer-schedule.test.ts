/**
 * S1: the emulator runs each timer on its own SCF cron expression (croner, 7 fields, Asia/Shanghai)
 * against the emulator's clock, not every minute: time travel reaches a run exactly when the
 * platform would start it, a jump over many runs fires once, and a run still going is not
 * started twice.
 */
import { FUNCTIONS } from '../../shared/runtime/registry';
import { scfCron, timerSchedule } from '../../emulator/timers';

/** The emulator's clock as the schedule sees it (a function of now), starting at a chosen instant. */
const at = (iso: string) => {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
};

test('S1 every registry timer parses as a 7-field SCF cron', () => {
  const timers = FUNCTIONS.filter((f) => f.kind === 'timer');
  expect(timers.length).toBeGreaterThanOrEqual(4);
  for (const t of timers) expect([t.name, scfCron(t.schedule!).nextRun(new Date('2026-12-03T00:00:00Z')) instanceof Date]).toEqual([t.name, true]);
});

test('S1 the 09:00 reminders run at 09:00 China time, the outbox every minute, expiry every 10 minutes', async () => {
  const clock = at('2026-12-03T00:58:30.000Z'); // 08:58:30 in Shanghai
  const ran: string[] = [];
  const s = timerSchedule(FUNCTIONS, () => clock.now(), async (name) => void ran.push(name));
  expect(s.next()['timer-repayment-reminders']!.toISOString()).toBe('2026-12-03T01:00:00.000Z');
  expect(s.next()['timer-outbox']!.toISOString()).toBe('2026-12-03T00:59:00.000Z');
  expect(await s.tick()).toEqual([]);
  clock.advance(29_000); // 08:58:59
  expect(await s.tick()).toEqual([]);
  clock.advance(1_000); // 08:59:00
  expect(await s.tick()).toEqual(['timer-outbox']);
  clock.advance(59_999);
  expect(await s.tick()).toEqual([]);
  clock.advance(1); // 09:00:00 — the anchor runs every 5 minutes too; the certificate download at 03:00 does not
  expect((await s.tick()).sort()).toEqual(['timer-anchor', 'timer-expire', 'timer-outbox', 'timer-payment-reconcile', 'timer-repayment-reminders']);
  expect(ran.filter((n) => n === 'timer-repayment-reminders')).toHaveLength(1);
  expect(s.next()['timer-repayment-reminders']!.toISOString()).toBe('2026-12-04T01:00:00.000Z');
});

test('S1 time travel over three days runs each timer once, then on its schedule again', async () => {
  const clock = at('2026-12-03T01:00:30.000Z');
  const ran: string[] = [];
  const s = timerSchedule(FUNCTIONS, () => clock.now(), async (name) => void ran.push(name));
  clock.advance(3 * 86_400_000);
  expect((await s.tick()).sort()).toEqual(['timer-anchor', 'timer-expire', 'timer-outbox', 'timer-payment-reconcile', 'timer-repayment-reminders', 'timer-wechatpay-certificates']);
  expect(await s.tick()).toEqual([]);
  expect(ran).toHaveLength(6);
  expect(s.next()['timer-wechatpay-certificates']!.toISOString()).toBe('2026-12-06T19:00:00.000Z'); // 03:00 in Shanghai
  expect(s.next()['timer-repayment-reminders']!.toISOString()).toBe('2026-12-07T01:00:00.000Z');
  expect(s.next()['timer-outbox']!.toISOString()).toBe('2026-12-06T01:01:00.000Z');
});

test('S1 a run still going is not started again; it is next due after it ends', async () => {
  const clock = at('2026-12-03T00:59:59.500Z');
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  const ran: string[] = [];
  const outboxOnly = FUNCTIONS.filter((f) => f.name === 'timer-outbox');
  const s = timerSchedule(outboxOnly, () => clock.now(), async (name) => { ran.push(name); await slow; });
  clock.advance(500);
  const first = s.tick();
  clock.advance(60_000);
  expect(await s.tick()).toEqual([]);
  release();
  expect(await first).toEqual(['timer-outbox']);
  expect(ran).toEqual(['timer-outbox']);
});
