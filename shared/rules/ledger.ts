/**
 * The repayment ledger of a signed IOU (L1–L3) as a pure computation: what is owed on any day,
 * instalment by instalment, given the terms, the confirmed repayments, the signed extensions and
 * the delivered demand notices. Nothing here reads a clock, a file or the store; the caller passes
 * `asOf` and the LPR table.
 *
 * The law it follows (quoted so a reviewer can check the code against the text, not the reverse):
 * - Interest is simple, by the day, at annual rate / 365, on the principal still unpaid; the day a
 *   payment is made bears no interest on what it paid (interest days are [borrowDate, paidOn)).
 * - 《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》(法释〔2020〕17号) art. 28: an agreed overdue
 *   rate applies, but not above 4 × the one-year LPR at formation (合同成立时); none agreed —
 *   (1) neither a loan rate nor an overdue rate agreed: overdue interest at the one-year LPR "at the
 *   time" (当时; taken here as the LPR in force on the instalment's due date, the day the delay
 *   begins); (2) a loan rate but no overdue rate: the loan rate continues as 资金占用期间利息.
 *   Art. 29: overdue interest, 违约金 and other fees together never above the same cap. The IOU
 *   form has no 违约金 or fee clause, so holding the overdue rate to the cap is art. 29's limit.
 *   Overdue principal bears the overdue rate instead of, not on top of, the loan rate; unpaid
 *   interest bears no interest (no 复利: the form has no clause for it).
 * - Civil Code art. 561: a payment short of the whole debt goes to costs, then interest, then
 *   principal (no costs exist here, see above); art. 560: among instalments, the earliest due first.
 *   A payment beyond the whole debt is a credit (`overpaidFen`): a balance never goes negative.
 * - Limitation (诉讼时效): art. 188 three years; art. 189 for a debt paid in instalments it runs
 *   from the last instalment's due date; art. 201/202 the start day is not counted and a year
 *   period ends on the corresponding day; art. 195 a demand (权利人提出履行请求) or a payment or
 *   extension (义务人同意履行义务) inside the period starts it afresh.
 *
 * Rounding: interest is accrued exactly, as an integer numerator (fen × bp × days) for each of the
 * two kinds (loan-rate and overdue), and turned into fen by rounding the running total down, so a
 * figure is never above the exact amount the rates allow and the rounding never compounds: it is
 * what a hand computation of principal × rate × days ÷ 365 gives, cut to the fen.
 *
 * May import: errors, the other rules.
 */
import { fail } from '../errors';
import { addMonths, compareDays, daysBetween, isValidDay, type Day } from './dates';
import { legalRateCapBp, lprOn, type LprTable } from './lpr';
import type { RepaymentInstalment } from './iou';

/** fen × bp × days ÷ this = fen of interest (bp = 1/10 000, a year = 365 days). */
export const INTEREST_DENOMINATOR = 10_000 * 365;
/** Art. 188: the general limitation period, in months. */
export const LIMITATION_MONTHS = 36;

export interface LedgerTerms {
  principalFen: number;
  borrowDate: Day;
  /** Agreed annual rate in bp (0 = 无息). */
  annualRateBp: number;
  /** Agreed annual overdue rate in bp, if the C 区 has one. */
  overdueRateBp?: number;
  /** 合同成立 (the day the last party signed): the LPR of this day sets the cap (art. 25, 28, 29). */
  formedOn: Day;
  plan: readonly RepaymentInstalment[];
}

/** A repayment both parties agree on (confirmed by the lender, or recorded by the lender). */
export interface LedgerRepayment {
  id: string;
  paidOn: Day;
  amountFen: number;
}

/** A signed extension (展期): from `effectiveOn` the principal then unpaid follows `plan`. */
export interface LedgerExtension {
  id: string;
  effectiveOn: Day;
  plan: readonly RepaymentInstalment[];
}

export interface LedgerInput {
  terms: LedgerTerms;
  repayments: readonly LedgerRepayment[];
  extensions?: readonly LedgerExtension[];
  /** China days on which a demand notice (催告) reached the borrower. */
  demandsDeliveredOn?: readonly Day[];
  asOf: Day;
  lprTable: LprTable;
}

export type InstalmentStatus = 'paid' | 'upcoming' | 'due' | 'overdue' | 'superseded';

export interface LedgerInstalment {
  dueDate: Day;
  principalFen: number;
  principalPaidFen: number;
  principalOutstandingFen: number;
  /** The annual rate its principal bears once overdue (already capped). */
  overdueRateBp: number;
  /** Days in [dueDate, asOf) while principal was unpaid at asOf; 0 otherwise. */
  overdueDays: number;
  status: InstalmentStatus;
  /** The extension that replaced it, for a superseded one. */
  supersededBy?: string;
}

export interface AppliedRepayment {
  id: string;
  paidOn: Day;
  amountFen: number;
  toInterestFen: number;
  toPrincipalFen: number;
  toCreditFen: number;
}

export interface Ledger {
  asOf: Day;
  capBp: number;
  principalOutstandingFen: number;
  interestOutstandingFen: number;
  overdueInterestOutstandingFen: number;
  /** Everything owed today: principal outstanding plus all interest accrued and unpaid. */
  totalOutstandingFen: number;
  /** What is payable now: overdue and due principal plus all interest accrued and unpaid. */
  dueNowFen: number;
  /** All interest ever accrued (paid or not), loan rate and overdue together. */
  interestChargedFen: number;
  overpaidFen: number;
  cleared: boolean;
  instalments: LedgerInstalment[];
  repayments: AppliedRepayment[];
  limitation: { runsFrom: Day; endsOn: Day; interruptedOn: Day[] };
}

interface Piece {
  dueDate: Day;
  principalFen: number;
  paidFen: number;
  overdueRateBp: number;
  supersededBy?: string;
}

/** Interest of one kind, pooled over the instalments: the exact numerator and the fen paid. */
interface Pool {
  num: number;
  paidFen: number;
}

const invalid = (field: string, reason?: string): never => fail('VALIDATION_FAILED', undefined, { field, ...(reason ? { reason } : {}) });
const isFen = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const maxDay = (a: Day, b: Day): Day => (compareDays(a, b) >= 0 ? a : b);
const minDay = (a: Day, b: Day): Day => (compareDays(a, b) <= 0 ? a : b);
/** Days of [a, b) ∩ [c, d), for half-open day ranges. */
const overlap = (a: Day, b: Day, c: Day, d: Day): number => Math.max(0, daysBetween(maxDay(a, c), minDay(b, d)));
const fenOf = (num: number): number => Math.floor(num / INTEREST_DENOMINATOR);
const owedOf = (pool: Pool): number => fenOf(pool.num) - pool.paidFen;
const outstanding = (p: Piece): number => p.principalFen - p.paidFen;

const checkPlan = (plan: readonly RepaymentInstalment[], sumFen: number, after: Day, field: string): void => {
  if (!Array.isArray(plan) || plan.length === 0) invalid(field, 'empty');
  let prev: Day | undefined;
  let sum = 0;
  for (const i of plan) {
    if (!isValidDay(i.dueDate) || !isFen(i.principalFen) || i.principalFen === 0) invalid(field);
    if (compareDays(i.dueDate, after) < 0) invalid(field, 'due before start');
    if (prev !== undefined && compareDays(prev, i.dueDate) >= 0) invalid(field, 'not ascending');
    prev = i.dueDate;
    sum += i.principalFen;
  }
  if (sum !== sumFen) invalid(field, 'principal does not add up');
};

/**
 * The rate overdue principal of an instalment due on `dueDate` bears (art. 28), held to `capBp`
 * (art. 28, 29).
 */
export const overdueRateFor = (terms: LedgerTerms, dueDate: Day, lprTable: LprTable, capBp: number): number => {
  const rate =
    terms.overdueRateBp !== undefined ? terms.overdueRateBp : terms.annualRateBp > 0 ? terms.annualRateBp : lprOn(lprTable, dueDate);
  return Math.min(rate, capBp);
};

/** The ledger on `asOf` (interest counted for the days before it). */
export const computeLedger = (input: LedgerInput): Ledger => {
  const { terms, asOf, lprTable } = input;
  if (!isFen(terms.principalFen) || terms.principalFen === 0) invalid('principalFen');
  if (!isFen(terms.annualRateBp)) invalid('annualRateBp');
  if (terms.overdueRateBp !== undefined && !isFen(terms.overdueRateBp)) invalid('overdueRateBp');
  if (!isValidDay(terms.borrowDate) || !isValidDay(terms.formedOn)) invalid('borrowDate');
  if (!isValidDay(asOf)) invalid('asOf');
  checkPlan(terms.plan, terms.principalFen, terms.borrowDate, 'plan');
  const capBp = legalRateCapBp(lprTable, terms.formedOn);
  const loanRateBp = Math.min(terms.annualRateBp, capBp);

  const newPiece = (i: RepaymentInstalment): Piece => ({
    dueDate: i.dueDate,
    principalFen: i.principalFen,
    paidFen: 0,
    overdueRateBp: overdueRateFor(terms, i.dueDate, lprTable, capBp),
  });
  const pieces: Piece[] = terms.plan.map(newPiece);
  let current: Piece[] = [...pieces];

  type Step = { day: Day; order: number; pay?: LedgerRepayment; ext?: LedgerExtension };
  const steps: Step[] = [];
  for (const r of input.repayments) {
    if (!isValidDay(r.paidOn) || compareDays(r.paidOn, terms.borrowDate) < 0) invalid('paidOn');
    if (!isFen(r.amountFen) || r.amountFen === 0) invalid('amountFen');
    if (compareDays(r.paidOn, asOf) <= 0) steps.push({ day: r.paidOn, order: 1, pay: r });
  }
  for (const e of input.extensions ?? []) {
    if (!isValidDay(e.effectiveOn) || compareDays(e.effectiveOn, terms.borrowDate) < 0) invalid('effectiveOn');
    if (compareDays(e.effectiveOn, asOf) <= 0) steps.push({ day: e.effectiveOn, order: 0, ext: e });
  }
  // Same day: the extension first (it is signed before a payment under it), then payments in the
  // order given, which is the order they were recorded.
  steps.sort((a, b) => compareDays(a.day, b.day) || a.order - b.order);

  const loan: Pool = { num: 0, paidFen: 0 };
  const overdue: Pool = { num: 0, paidFen: 0 };
  let cursor = terms.borrowDate;
  const accrueTo = (day: Day): void => {
    if (compareDays(day, cursor) <= 0) return;
    for (const p of current) {
      const owed = outstanding(p);
      if (owed === 0) continue;
      loan.num += owed * loanRateBp * overlap(cursor, day, terms.borrowDate, p.dueDate);
      overdue.num += owed * p.overdueRateBp * Math.max(0, daysBetween(maxDay(cursor, p.dueDate), day));
    }
    cursor = day;
  };

  const applied: AppliedRepayment[] = [];
  let overpaidFen = 0;
  const byDue = (list: Piece[]): Piece[] => [...list].sort((a, b) => compareDays(a.dueDate, b.dueDate));
  for (const s of steps) {
    accrueTo(s.day);
    if (s.ext) {
      const owed = current.reduce((n, p) => n + outstanding(p), 0);
      checkPlan(s.ext.plan, owed, s.ext.effectiveOn, 'plan');
      for (const p of current) {
        if (outstanding(p) > 0) {
          p.supersededBy = s.ext.id;
          p.principalFen = p.paidFen; // what it still owed moves to the new plan
        }
      }
      const added = s.ext.plan.map(newPiece);
      pieces.push(...added);
      current = [...current.filter((p) => !p.supersededBy), ...added];
      continue;
    }
    const pay = s.pay as LedgerRepayment;
    let left = pay.amountFen;
    let toPrincipalFen = 0;
    // Art. 561: interest before principal. Of the two kinds the overdue interest goes first (it
    // is what the delay costs; which goes first does not change any total).
    const o = Math.min(left, owedOf(overdue));
    overdue.paidFen += o;
    const l = Math.min(left - o, owedOf(loan));
    loan.paidFen += l;
    left -= o + l;
    const toInterestFen = o + l;
    for (const p of byDue(current)) {
      const x = Math.min(left, outstanding(p));
      p.paidFen += x;
      left -= x;
      toPrincipalFen += x;
    }
    overpaidFen += left;
    applied.push({ id: pay.id, paidOn: pay.paidOn, amountFen: pay.amountFen, toInterestFen, toPrincipalFen, toCreditFen: left });
  }
  if (compareDays(asOf, terms.borrowDate) > 0) accrueTo(asOf);

  const instalments: LedgerInstalment[] = byDue(pieces).map((p) => {
    const owed = outstanding(p);
    const overdueDays = owed > 0 && !p.supersededBy ? Math.max(0, daysBetween(p.dueDate, asOf)) : 0;
    const cmp = compareDays(asOf, p.dueDate);
    const status: InstalmentStatus = p.supersededBy
      ? 'superseded'
      : owed === 0
        ? 'paid'
        : cmp > 0
          ? 'overdue'
          : cmp === 0
            ? 'due'
            : 'upcoming';
    return {
      dueDate: p.dueDate,
      principalFen: p.principalFen,
      principalPaidFen: p.paidFen,
      principalOutstandingFen: owed,
      overdueRateBp: p.overdueRateBp,
      overdueDays,
      status,
      ...(p.supersededBy ? { supersededBy: p.supersededBy } : {}),
    };
  });

  const sum = (f: (i: LedgerInstalment) => number): number => instalments.reduce((n, i) => n + f(i), 0);
  const principalOutstandingFen = sum((i) => i.principalOutstandingFen);
  const interestOutstandingFen = owedOf(loan);
  const overdueInterestOutstandingFen = owedOf(overdue);
  const duePrincipal = sum((i) => (i.status === 'overdue' || i.status === 'due' ? i.principalOutstandingFen : 0));
  const interestChargedFen = fenOf(loan.num) + fenOf(overdue.num);

  const interruptions = [
    ...(input.demandsDeliveredOn ?? []),
    ...applied.map((r) => r.paidOn),
    ...(input.extensions ?? []).map((e) => e.effectiveOn),
  ]
    .filter((d) => isValidDay(d) && compareDays(d, asOf) <= 0)
    .sort((a, b) => compareDays(a, b));
  const runsFrom = current.reduce((d, p) => maxDay(d, p.dueDate), current[0]?.dueDate ?? terms.borrowDate);
  let endsOn = addMonths(runsFrom, LIMITATION_MONTHS);
  const interruptedOn: Day[] = [];
  for (const d of interruptions) {
    if (compareDays(d, runsFrom) > 0 && compareDays(d, endsOn) <= 0) {
      endsOn = addMonths(d, LIMITATION_MONTHS);
      interruptedOn.push(d);
    }
  }

  const totalOutstandingFen = principalOutstandingFen + interestOutstandingFen + overdueInterestOutstandingFen;
  return {
    asOf,
    capBp,
    principalOutstandingFen,
    interestOutstandingFen,
    overdueInterestOutstandingFen,
    totalOutstandingFen,
    dueNowFen: duePrincipal + interestOutstandingFen + overdueInterestOutstandingFen,
    interestChargedFen,
    overpaidFen,
    cleared: totalOutstandingFen === 0,
    instalments,
    repayments: applied,
    limitation: { runsFrom, endsOn, interruptedOn },
  };
};
