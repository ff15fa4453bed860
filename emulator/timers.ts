/**
 * The emulator's timer triggers: each timer function runs on its own SCF cron expression (7 fields,
 * second minute hour day month weekday year, Asia/Shanghai, as the registry declares it), read by
 * croner, against the emulator's clock, so time travel (POST /_emulator/clock) reaches the next
 * run as the platform would. A jump over several runs fires once, like a platform that was down
 * and does not replay missed triggers; a run still going is not started again (SCF would start a
 * second instance, but the emulator is one process and the timers are idempotent anyway).
 */
import { Cron } from 'croner';
import type { FunctionSpec } from '../shared/runtime/registry';

/** How often the real clock looks at the emulator's. */
export const TIMER_TICK_MS = 1000;

export interface TimerSchedule {
  /** When each timer runs next, by name. */
  next(): Record<string, Date | null>;
  /** Runs every timer whose time has come (awaits them); returns their names. */
  tick(): Promise<string[]>;
}

/** The SCF cron as croner reads it (7-part mode, the platform's time zone). */
export const scfCron = (expression: string): Cron => new Cron(expression, { mode: '7-part', timezone: 'Asia/Shanghai', paused: true, legacyMode: true });

export const timerSchedule = (functions: readonly FunctionSpec[], now: () => Date, run: (name: string) => Promise<unknown>): TimerSchedule => {
  const timers = functions.filter((f) => f.kind === 'timer').map((f) => {
    if (!f.schedule) throw new Error(`timer ${f.name} has no schedule`);
    const cron = scfCron(f.schedule);
    return { name: f.name, cron, due: cron.nextRun(now()), running: false };
  });
  return {
    next: () => Object.fromEntries(timers.map((t) => [t.name, t.due])),
    tick: async () => {
      const at = now();
      const started = timers.filter((t) => !t.running && t.due !== null && t.due.getTime() <= at.getTime());
      await Promise.all(
        started.map(async (t) => {
          t.running = true;
          try {
            await run(t.name);
          } finally {
            t.running = false;
            t.due = t.cron.nextRun(at);
          }
        }),
      );
      return started.map((t) => t.name);
    },
  };
};
