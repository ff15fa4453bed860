/**
 * L1–L3: the repayment ledger. Every expected figure below is worked by hand from the rules the
 * module quotes (principal × annual rate × days ÷ 365, cut to the fen; interest before principal;
 * earliest instalment first), not taken from the code. The LPR table is fixed here so a new
 * quote in config/lpr.json does not move these numbers: 300 bp from 2025-05-20, cap 1 200 bp.
 */
import fc from 'fast-check';
import { computeLedger, INTEREST_DENOMINATOR, type LedgerInput, type LedgerTerms } from '../../shared/rules/ledger';
import { parseLprTable } from '../../shared/rules/lpr';
import { addDays, daysBetween } from '../../shared/rules/dates';
import { AppError } from '../../shared/errors';

const LPR = parseLprTable([
  { effectiveFrom: '2024-10-21', oneYearBp: 310 },
  { effectiveFrom: '2025-05-20', oneYearBp: 300 },
]);

const threeInstalments: LedgerTerms = {
  principalFen: 1_200_000,
  borrowDate: '2026-01-01',
  formedOn: '2026-01-01',
  annualRateBp: 1000,
  plan: [
    { dueDate: '2026-04-01', principalFen: 400_000 },
    { dueDate: '2026-07-01', principalFen: 400_000 },
    { dueDate: '2026-10-01', principalFen: 400_000 },
  ],
};
const ledger = (over: Partial<LedgerInput>) => computeLedger({ terms: threeInstalments, repayments: [], asOf: '2026-01-01', lprTable: LPR, ...over });
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return 'no error';
};

describe('L1/L2 what is owed, worked by hand', () => {
  it('before any repayment: 59 days of 10% on 12 000 yuan = 193.97 yuan, nothing due yet', () => {
    // 1 200 000 × 1000 × 59 / 3 650 000 = 19 397.26 → 19 397 fen
    const l = ledger({ asOf: '2026-03-01' });
    expect(l.interestOutstandingFen).toBe(19_397);
    expect(l.overdueInterestOutstandingFen).toBe(0);
    expect(l.principalOutstandingFen).toBe(1_200_000);
    expect(l.dueNowFen).toBe(19_397);
    expect(l.totalOutstandingFen).toBe(1_219_397);
    expect(l.instalments.map((i) => i.status)).toEqual(['upcoming', 'upcoming', 'upcoming']);
    expect(l.capBp).toBe(1200);
  });

  it('a short payment on the due day goes to interest first (art. 561), the rest to the first instalment; its remainder is overdue the same day', () => {
    const repayments = [{ id: 'r1', paidOn: '2026-04-01', amountFen: 420_000 }];
    // to 04-01: 90 days on 1 200 000 at 10% = 29 589.04 → 29 589 fen of interest
    const atPayment = ledger({ asOf: '2026-04-01', repayments });
    expect(atPayment.repayments).toEqual([{ id: 'r1', paidOn: '2026-04-01', amountFen: 420_000, toInterestFen: 29_589, toPrincipalFen: 390_411, toCreditFen: 0 }]);
    expect(atPayment.instalments[0]).toMatchObject({ principalOutstandingFen: 9_589, status: 'due', overdueDays: 0 });
    expect(atPayment.interestOutstandingFen).toBe(0);

    // 04-01..05-01 = 30 days: 800 000 at 10% (loan rate) and 9 589 overdue at 10% (no overdue rate
    // agreed, so the loan rate runs on, art. 28(2)). Loan interest: (1 200 000×90 + 800 000×30)×1000
    // / 3 650 000 = 36 164.38 → 36 164 − 29 589 paid = 6 575; overdue 9 589×1000×30/3 650 000 = 78.8 → 78.
    const later = ledger({ asOf: '2026-05-01', repayments });
    expect(later.interestOutstandingFen).toBe(6_575);
    expect(later.overdueInterestOutstandingFen).toBe(78);
    expect(later.instalments[0]).toMatchObject({ status: 'overdue', overdueDays: 30, overdueRateBp: 1000, principalOutstandingFen: 9_589 });
    expect(later.dueNowFen).toBe(9_589 + 6_575 + 78);
    expect(later.totalOutstandingFen).toBe(809_589 + 6_575 + 78);
  });

  it('no rate and no overdue rate agreed: overdue interest at the one-year LPR of the due day (art. 28(1))', () => {
    const terms: LedgerTerms = { principalFen: 100_000, borrowDate: '2026-01-01', formedOn: '2026-01-01', annualRateBp: 0, plan: [{ dueDate: '2026-02-01', principalFen: 100_000 }] };
    // [02-01, 03-03) = 30 days: 100 000 × 300 × 30 / 3 650 000 = 246.6 → 246
    const l = computeLedger({ terms, repayments: [], asOf: '2026-03-03', lprTable: LPR });
    expect(l.interestOutstandingFen).toBe(0);
    expect(l.overdueInterestOutstandingFen).toBe(246);
    expect(l.instalments[0]).toMatchObject({ overdueRateBp: 300, overdueDays: 30 });
  });

  it('an agreed overdue rate above 4 × LPR at formation is held to the cap (art. 28, 29)', () => {
    const terms: LedgerTerms = { principalFen: 100_000, borrowDate: '2026-01-01', formedOn: '2026-01-01', annualRateBp: 0, overdueRateBp: 2000, plan: [{ dueDate: '2026-02-01', principalFen: 100_000 }] };
    // 100 000 × 1 200 × 30 / 3 650 000 = 986.3 → 986
    const l = computeLedger({ terms, repayments: [], asOf: '2026-03-03', lprTable: LPR });
    expect(l.overdueInterestOutstandingFen).toBe(986);
    expect(l.instalments[0]?.overdueRateBp).toBe(1200);
  });

  it('paying everything clears the ledger; paying more leaves a credit, never a negative balance', () => {
    const terms: LedgerTerms = { principalFen: 100_000, borrowDate: '2026-01-01', formedOn: '2026-01-01', annualRateBp: 0, plan: [{ dueDate: '2026-02-01', principalFen: 100_000 }] };
    const l = computeLedger({ terms, repayments: [{ id: 'a', paidOn: '2026-01-20', amountFen: 100_500 }], asOf: '2026-06-01', lprTable: LPR });
    expect(l).toMatchObject({ cleared: true, totalOutstandingFen: 0, overpaidFen: 500, interestChargedFen: 0 });
    expect(l.instalments[0]?.status).toBe('paid');
  });
});

describe('L3 extension (展期)', () => {
  const terms: LedgerTerms = { principalFen: 300_000, borrowDate: '2026-01-01', formedOn: '2026-01-01', annualRateBp: 0, plan: [{ dueDate: '2026-03-01', principalFen: 300_000 }] };
  const extension = { id: 'x1', effectiveOn: '2026-03-11', plan: [{ dueDate: '2026-06-01', principalFen: 200_000 }] };

  it('the unpaid principal follows the new plan; overdue interest already run stays owed', () => {
    // 200 000 overdue for [03-01, 03-11) = 10 days at LPR 300: 200 000×300×10/3 650 000 = 164.4 → 164
    const l = computeLedger({ terms, repayments: [{ id: 'r', paidOn: '2026-02-01', amountFen: 100_000 }], extensions: [extension], asOf: '2026-04-01', lprTable: LPR });
    expect(l.overdueInterestOutstandingFen).toBe(164);
    expect(l.instalments.map((i) => [i.dueDate, i.status, i.principalOutstandingFen])).toEqual([
      ['2026-03-01', 'superseded', 0],
      ['2026-06-01', 'upcoming', 200_000],
    ]);
    expect(l.dueNowFen).toBe(164);
    expect(l.limitation.runsFrom).toBe('2026-06-01');
  });

  it('a plan that does not add up to the unpaid principal is refused', () => {
    const bad = { ...extension, plan: [{ dueDate: '2026-06-01', principalFen: 300_000 }] };
    expect(codeOf(() => computeLedger({ terms, repayments: [{ id: 'r', paidOn: '2026-02-01', amountFen: 100_000 }], extensions: [bad], asOf: '2026-04-01', lprTable: LPR }))).toBe('VALIDATION_FAILED');
  });
});

describe('L3 limitation period (Civil Code art. 188, 189, 195)', () => {
  it('three years from the last instalment; a demand inside the period starts it afresh, one before it starts does not', () => {
    const plain = ledger({ asOf: '2027-03-01' });
    expect(plain.limitation).toEqual({ runsFrom: '2026-10-01', endsOn: '2029-10-01', interruptedOn: [] });
    const demanded = ledger({ asOf: '2027-03-01', demandsDeliveredOn: ['2026-05-01', '2027-02-10'] });
    expect(demanded.limitation).toEqual({ runsFrom: '2026-10-01', endsOn: '2030-02-10', interruptedOn: ['2027-02-10'] });
  });

  it('a payment after the last due date interrupts it too (义务人同意履行)', () => {
    const l = ledger({ asOf: '2027-06-01', repayments: [{ id: 'p', paidOn: '2027-05-05', amountFen: 1_000 }] });
    expect(l.limitation.endsOn).toBe('2030-05-05');
  });
});

describe('refusals', () => {
  it('a payment before the loan, a zero amount or a plan that does not add up', () => {
    expect(codeOf(() => ledger({ repayments: [{ id: 'x', paidOn: '2025-12-31', amountFen: 1 }] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => ledger({ repayments: [{ id: 'x', paidOn: '2026-02-01', amountFen: 0 }] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => ledger({ terms: { ...threeInstalments, principalFen: 1_000_000 } }))).toBe('VALIDATION_FAILED');
  });
});

describe('L2 properties over random plans, rates, repayment dates and amounts', () => {
  const DAY0 = '2026-01-01';
  const arbInput = fc
    .record({
      principalFen: fc.integer({ min: 1, max: 50_000_000 }),
      annualRateBp: fc.integer({ min: 0, max: 1800 }),
      overdueRateBp: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
      gaps: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 4 }),
      weights: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 4, maxLength: 4 }),
      payments: fc.array(fc.record({ day: fc.integer({ min: 0, max: 1200 }), amountFen: fc.integer({ min: 1, max: 30_000_000 }) }), { maxLength: 6 }),
      asOfDay: fc.integer({ min: 0, max: 1500 }),
    })
    .map((r): LedgerInput => {
      const n = r.gaps.length;
      const weights = r.weights.slice(0, n);
      const total = weights.reduce((a, b) => a + b, 0);
      // split the principal by weight, the rounding remainder on the last instalment; drop any
      // instalment that would get 0 fen (tiny principals)
      let due = DAY0;
      let given = 0;
      const plan = r.gaps
        .map((g, i) => {
          due = addDays(due, g);
          const share = i === n - 1 ? r.principalFen - given : Math.floor((r.principalFen * (weights[i] ?? 1)) / total);
          given += share;
          return { dueDate: due, principalFen: share };
        })
        .filter((i) => i.principalFen > 0);
      return {
        terms: { principalFen: plan.reduce((a, i) => a + i.principalFen, 0), borrowDate: DAY0, formedOn: DAY0, annualRateBp: r.annualRateBp, overdueRateBp: r.overdueRateBp, plan },
        repayments: r.payments.map((p, i) => ({ id: `p${i}`, paidOn: addDays(DAY0, p.day), amountFen: p.amountFen })),
        asOf: addDays(DAY0, r.asOfDay),
        lprTable: LPR,
      };
    });

  it('no schedule ever charges more than the cap on the whole principal for the whole time (art. 28, 29)', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const l = computeLedger(input);
        const days = Math.max(0, daysBetween(input.terms.borrowDate, input.asOf));
        expect(l.interestChargedFen).toBeLessThanOrEqual(Math.floor((input.terms.principalFen * l.capBp * days) / INTEREST_DENOMINATOR));
      }),
      { numRuns: 300 },
    );
  });

  it('balances never go negative and every fen paid is accounted for', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const l = computeLedger(input);
        for (const i of l.instalments) expect(i.principalOutstandingFen).toBeGreaterThanOrEqual(0);
        expect(l.interestOutstandingFen).toBeGreaterThanOrEqual(0);
        expect(l.overdueInterestOutstandingFen).toBeGreaterThanOrEqual(0);
        const paid = l.repayments.reduce((a, r) => a + r.amountFen, 0);
        const split = l.repayments.reduce((a, r) => a + r.toInterestFen + r.toPrincipalFen + r.toCreditFen, 0);
        expect(split).toBe(paid);
        expect(l.repayments.reduce((a, r) => a + r.toCreditFen, 0)).toBe(l.overpaidFen);
        const principalPaid = l.instalments.reduce((a, i) => a + i.principalPaidFen, 0);
        expect(principalPaid + l.principalOutstandingFen).toBe(input.terms.principalFen);
        expect(l.interestChargedFen).toBe(l.interestOutstandingFen + l.overdueInterestOutstandingFen + l.repayments.reduce((a, r) => a + r.toInterestFen, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('one more repayment never raises the interest charged', () => {
    fc.assert(
      fc.property(arbInput, fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 1, max: 5_000_000 }), (input, day, amountFen) => {
        const before = computeLedger(input);
        const after = computeLedger({ ...input, repayments: [...input.repayments, { id: 'extra', paidOn: addDays(DAY0, day), amountFen }] });
        expect(after.interestChargedFen).toBeLessThanOrEqual(before.interestChargedFen);
        expect(after.totalOutstandingFen).toBeLessThanOrEqual(before.totalOutstandingFen);
      }),
      { numRuns: 200 },
    );
  });
});
