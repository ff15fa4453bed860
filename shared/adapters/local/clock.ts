import type { Clock } from '../../ports/clock';

/**
 * How far the clock may be moved in total: 100 years. Beyond that dates stop being contract dates
 * (and past ±8.64e15 ms a Date is Invalid, which broke every later call): refused, clock untouched.
 */
export const MAX_CLOCK_OFFSET_MS = 100 * 366 * 86_400_000;

/** The machine's clock plus an offset the emulator can move forward (testing expiry and reminders). */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('time only moves forward');
    if (this.offsetMs + ms > MAX_CLOCK_OFFSET_MS) throw new RangeError('the clock moves at most 100 years');
    this.offsetMs += ms;
  }
  get offset(): number {
    return this.offsetMs;
  }
}

/** A clock fixed at an instant, for tests; `set` moves it anywhere. */
export class FixedClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at.getTime());
  }
  set(at: Date | string): void {
    this.at = new Date(at);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
