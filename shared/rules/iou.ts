/**
 * IOU (借条) form rules I2–I5 as pure checks. Each throws the AppError its rule names and returns
 * nothing useful otherwise; `checkIou` runs them all. Ages (I1) are checked per party with
 * `checkAge(birthDate, today, IOU_AGE)` (limits.ts) because a party's ID number may arrive later
 * than the form (对方填, P2).
 *
 * "today" is always the China day of initiation (dates.ts): the day the 60-day window (I3) and
 * the LPR in force (I5, "合同成立时") are taken from.
 */
import { fail } from '../errors';
import { addDays, compareDays, isValidDay, type Day } from './dates';
import { legalRateCapBp, lprOn, type LprTable } from './lpr';
import { BORROW_DATE_MAX_DAYS_BACK, IOU_MAX_FEN, IOU_SUPPLEMENT_THRESHOLD_FEN, checkAmountFen } from './limits';

export interface RepaymentInstalment {
  dueDate: Day;
  principalFen: number;
}

export interface IouSupplement {
  /** Annual overdue rate in basis points; capped like the agreed rate (provisions art. 28). */
  overdueRateBp?: number;
  borrowerAddress?: string;
  lenderAddress?: string;
  otherTerms?: string;
}

export interface IouForm {
  /** I2: integer fen, > 0 and ≤ IOU_MAX_FEN. */
  amountFen: number;
  /** 借款事由 (I4). */
  purpose: string;
  /** I3: not before today − 60 days; not after repayDate. May be in the future (money lent later). */
  borrowDate: Day;
  /** End of the loan period (借款期间 = borrowDate..repayDate, inclusive). */
  repayDate: Day;
  /** I5: agreed annual rate in basis points; 0 = interest-free (无息). */
  annualRateBp: number;
  /** I4: one or more instalments inside the period, strictly ascending, principal summing to amountFen. */
  repaymentPlan: readonly RepaymentInstalment[];
  /** I4: C 区; mandatory above IOU_SUPPLEMENT_THRESHOLD_FEN. */
  supplement?: IouSupplement;
}

export interface IouContext {
  /** China day of initiation. */
  today: Day;
  lprTable: LprTable;
}

/** What the rate checks used, for the caller to record with the contract (audit of I5). */
export interface IouCheckResult {
  lprBp: number;
  capBp: number;
}

const invalidDate = (details: Record<string, unknown>): never => fail('INVALID_DATE', undefined, details);

/** I2. */
export const checkIouAmount = (amountFen: number): void => checkAmountFen(amountFen, IOU_MAX_FEN);

/** I4: the purpose is a required field of the paper form; blank is refused. */
export const checkPurpose = (purpose: string): void => {
  if (typeof purpose !== 'string' || purpose.trim() === '') fail('VALIDATION_FAILED', undefined, { field: 'purpose' });
};

/**
 * I3: borrowDate ≥ today − BORROW_DATE_MAX_DAYS_BACK (BORROW_DATE_TOO_EARLY, details {earliest})
 * and borrowDate ≤ repayDate (INVALID_DATE). Exactly 60 days back is allowed.
 */
export const checkBorrowPeriod = (borrowDate: Day, repayDate: Day, today: Day): void => {
  if (!isValidDay(borrowDate)) invalidDate({ field: 'borrowDate' });
  if (!isValidDay(repayDate)) invalidDate({ field: 'repayDate' });
  const earliest = addDays(today, -BORROW_DATE_MAX_DAYS_BACK);
  if (compareDays(borrowDate, earliest) < 0) fail('BORROW_DATE_TOO_EARLY', undefined, { earliest });
  if (compareDays(borrowDate, repayDate) > 0) invalidDate({ field: 'repayDate', reason: 'before borrowDate' });
};

/**
 * I5: an annual rate (agreed or overdue, named by `field`) is a non-negative integer of basis
 * points (VALIDATION_FAILED) not above 4 × the one-year LPR in force on `today`
 * (INTEREST_ABOVE_LEGAL_CAP, details {capBp, lprBp, field}). Exactly the cap is allowed.
 */
export const checkAnnualRate = (
  rateBp: number,
  field: 'annualRateBp' | 'overdueRateBp',
  ctx: IouContext,
): IouCheckResult => {
  if (!Number.isSafeInteger(rateBp) || rateBp < 0) fail('VALIDATION_FAILED', undefined, { field });
  const lprBp = lprOn(ctx.lprTable, ctx.today);
  const capBp = legalRateCapBp(ctx.lprTable, ctx.today);
  if (rateBp > capBp) fail('INTEREST_ABOVE_LEGAL_CAP', undefined, { capBp, lprBp, field });
  return { lprBp, capBp };
};

/**
 * I4 repayment plan, given an amount and period already checked: at least one instalment
 * (REPAYMENT_PLAN_MISMATCH, details {reason:'empty'}); each principal a positive integer
 * (INVALID_AMOUNT, details {index}); each due date a valid day inside borrowDate..repayDate and
 * strictly after the previous one — two instalments on one day are one instalment (INVALID_DATE,
 * details {index, reason}); principals summing exactly to amountFen (REPAYMENT_PLAN_MISMATCH,
 * details {sumFen, amountFen}).
 */
export const checkRepaymentPlan = (
  plan: readonly RepaymentInstalment[],
  amountFen: number,
  borrowDate: Day,
  repayDate: Day,
): void => {
  if (!Array.isArray(plan) || plan.length === 0) fail('REPAYMENT_PLAN_MISMATCH', undefined, { reason: 'empty' });
  let sumFen = 0;
  let prev: Day | undefined;
  plan.forEach(({ dueDate, principalFen }, index) => {
    if (!Number.isSafeInteger(principalFen) || principalFen <= 0) fail('INVALID_AMOUNT', undefined, { index });
    if (!isValidDay(dueDate)) invalidDate({ index, reason: 'invalid' });
    if (compareDays(dueDate, borrowDate) < 0 || compareDays(dueDate, repayDate) > 0) invalidDate({ index, reason: 'outside period' });
    if (prev !== undefined && compareDays(dueDate, prev) <= 0) invalidDate({ index, reason: 'not ascending' });
    prev = dueDate;
    sumFen += principalFen;
  });
  if (sumFen !== amountFen) fail('REPAYMENT_PLAN_MISMATCH', undefined, { sumFen, amountFen });
};

const hasText = (s: unknown): boolean => typeof s === 'string' && s.trim() !== '';

/**
 * I4 supplementary block: above IOU_SUPPLEMENT_THRESHOLD_FEN it must carry at least an overdue
 * rate or the borrower's address (SUPPLEMENT_REQUIRED) — the two terms a court needs to enforce a
 * large IOU; exactly 100,000.00 does not need it. An overdue rate, whenever given, is capped like
 * the agreed rate (I5).
 */
export const checkSupplement = (amountFen: number, supplement: IouSupplement | undefined, ctx: IouContext): void => {
  const hasOverdueRate = supplement?.overdueRateBp !== undefined && supplement.overdueRateBp !== null;
  if (amountFen > IOU_SUPPLEMENT_THRESHOLD_FEN && !hasOverdueRate && !hasText(supplement?.borrowerAddress)) {
    fail('SUPPLEMENT_REQUIRED', undefined, { thresholdFen: IOU_SUPPLEMENT_THRESHOLD_FEN });
  }
  if (hasOverdueRate) checkAnnualRate(supplement!.overdueRateBp!, 'overdueRateBp', ctx);
};

/**
 * All IOU form rules, in the order the form reads top to bottom, each after the ones its inputs
 * depend on, so the first error reported is the first one the user should fix:
 *   1. I2 amount            — every later rule (plan sum, supplement threshold) uses it;
 *   2. I4 purpose;
 *   3. I3 borrow/repay dates — the plan is checked against this period;
 *   4. I5 agreed rate ≤ 4 × LPR on `today`;
 *   5. I4 repayment plan;
 *   6. I4 supplement (required above 100,000.00; overdue rate ≤ cap).
 * Returns the LPR and cap applied, for the contract record.
 */
export const checkIou = (form: IouForm, ctx: IouContext): IouCheckResult => {
  checkIouAmount(form.amountFen);
  checkPurpose(form.purpose);
  checkBorrowPeriod(form.borrowDate, form.repayDate, ctx.today);
  const applied = checkAnnualRate(form.annualRateBp, 'annualRateBp', ctx);
  checkRepaymentPlan(form.repaymentPlan, form.amountFen, form.borrowDate, form.repayDate);
  checkSupplement(form.amountFen, form.supplement, ctx);
  return applied;
};
