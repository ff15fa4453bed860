/**
 * The numeric limits of the IOU (I1–I4) and receipt (R1) kinds, named so that operations, schemas'
 * messages and tests cite one place, plus the two checks both kinds share (age, amount).
 * Legal-rate numbers are not here: they change with the LPR and live in config/lpr.json (lpr.ts).
 */
import { fail } from '../errors';
import { ageOn } from './id-number';
import type { Day } from './dates';

export interface AgeRange {
  readonly min: number;
  readonly max: number;
}

/** I1: lender and borrower aged 22–75 inclusive (full years) on the day of initiation. */
export const IOU_AGE: AgeRange = Object.freeze({ min: 22, max: 75 });
/** R1: payee and payer aged 18–75 inclusive. */
export const RECEIPT_AGE: AgeRange = Object.freeze({ min: 18, max: 75 });

/** I2: at most 500,000.00 CNY per IOU. */
export const IOU_MAX_FEN = 50_000_000;
/** R1: at most 500,000.00 CNY per receipt. */
export const RECEIPT_MAX_FEN = 50_000_000;
/** I4: strictly above 100,000.00 CNY the supplementary block (C 区) is mandatory. */
export const IOU_SUPPLEMENT_THRESHOLD_FEN = 10_000_000;
/** I3: the borrow date may be at most this many China days before the day of initiation. */
export const BORROW_DATE_MAX_DAYS_BACK = 60;

/**
 * Age (from the ID number's birth date) on `today`, the China day of initiation, within `range`
 * inclusive. Returns the age; throws AGE_OUT_OF_RANGE with details {age, min, max}.
 * A counterparty who fills in later (对方填, P2) is still checked against the initiation day, so
 * that one contract has one reference day.
 */
export const checkAge = (birthDate: Day, today: Day, range: AgeRange): number => {
  const age = ageOn(birthDate, today);
  if (age < range.min || age > range.max) fail('AGE_OUT_OF_RANGE', undefined, { age, min: range.min, max: range.max });
  return age;
};

/**
 * A contract amount in fen: a safe integer > 0 (INVALID_AMOUNT) and ≤ maxFen (AMOUNT_TOO_LARGE,
 * details {maxFen}).
 */
export const checkAmountFen = (amountFen: number, maxFen: number): void => {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) fail('INVALID_AMOUNT');
  if (amountFen > maxFen) fail('AMOUNT_TOO_LARGE', undefined, { maxFen });
};
