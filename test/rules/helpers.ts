/**
 * Fixtures for the rules tests, written independently of the code under test.
 * The ID check character uses the iterative ISO 7064 MOD 11-2 form (not the weight table the
 * implementation uses), so a shared mistake cannot make both agree.
 */
import { AppError, type ErrorCode } from '../../shared/errors';

/** ISO 7064 MOD 11-2, pure system, iterative: s = (s + d) · 2 mod 11; check = (12 − s) mod 11. */
export const isoCheckChar = (first17: string): string => {
  let s = 0;
  for (const ch of first17) s = ((s + Number(ch)) * 2) % 11;
  const c = (12 - s) % 11;
  return c === 10 ? 'X' : String(c);
};

/** A checksum-valid 18-character ID number: region (6) + 'YYYY-MM-DD' birth date + sequence (3). */
export const makeId = (birthDate: string, { region = '110101', seq = '123' } = {}): string => {
  const first17 = region + birthDate.replace(/-/g, '') + seq;
  return first17 + isoCheckChar(first17);
};

/** Runs fn and returns the AppError it throws; fails the test when it does not throw one. */
export const appErrorOf = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError, nothing was thrown');
};

export const expectCode = (fn: () => unknown, code: ErrorCode): AppError => {
  const e = appErrorOf(fn);
  expect(e.code).toBe(code);
  return e;
};
