/**
 * Fault injection for the local providers (SMS, email). Owns nothing else; imports nothing.
 */
/**
 * Provider faults on demand (the emulator's POST /_emulator/faults): the next `n` sends fail as a
 * throttled or unavailable provider would — retryable — so the outbox's retries can be watched.
 */
export class FaultSwitch {
  private left = 0;
  failNext(n: number): void {
    this.left = Math.max(0, Math.floor(n));
  }
  get pending(): number {
    return this.left;
  }
  /** True when this send is to fail (and counts it). */
  take(): boolean {
    if (this.left === 0) return false;
    this.left -= 1;
    return true;
  }
}
