/** Time, behind a port so the emulator and tests can move it forward (expiry, reminders). */
export interface Clock {
  now(): Date;
}
