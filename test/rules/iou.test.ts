import lprConfig from '../../config/lpr.json';
import {
  BORROW_DATE_MAX_DAYS_BACK,
  IOU_AGE,
  IOU_MAX_FEN,
  IOU_SUPPLEMENT_THRESHOLD_FEN,
  RECEIPT_AGE,
  RECEIPT_MAX_FEN,
  addDays,
  checkAge,
  checkAmountFen,
  checkIou,
  chinaDay,
  parseLprTable,
  parseResidentId,
  parseYuan,
  type IouContext,
  type IouForm,
} from '../../shared/rules';
import type { ErrorCode } from '../../shared/errors';
import { expectCode, makeId } from './helpers';

const lprTable = parseLprTable(lprConfig);
const TODAY = '2026-03-15'; // LPR 3.00% → cap 12.00% = 1200 bp
const ctx: IouContext = { today: TODAY, lprTable };

/** A valid IOU form of 10,000.00 CNY borrowed today, repaid in 90 days in one instalment. */
const form = (over: Partial<IouForm> = {}, today = TODAY): IouForm => {
  const borrowDate = over.borrowDate ?? today;
  const repayDate = over.repayDate ?? addDays(borrowDate < today ? today : borrowDate, 90);
  const amountFen = over.amountFen ?? 1_000_000;
  return {
    amountFen,
    purpose: '资金周转',
    borrowDate,
    repayDate,
    annualRateBp: 600,
    repaymentPlan: [{ dueDate: repayDate, principalFen: amountFen }],
    ...over,
  };
};

describe('limits: named constants', () => {
  it('match SPEC I1–I4 and R1', () => {
    expect(IOU_AGE).toEqual({ min: 22, max: 75 });
    expect(RECEIPT_AGE).toEqual({ min: 18, max: 75 });
    expect(IOU_MAX_FEN).toBe(parseYuan('500000'));
    expect(RECEIPT_MAX_FEN).toBe(parseYuan('500000'));
    expect(IOU_SUPPLEMENT_THRESHOLD_FEN).toBe(parseYuan('100000'));
    expect(BORROW_DATE_MAX_DAYS_BACK).toBe(60);
  });
});

describe('I1 ages 22–75 (from a real ID number, on the China day of initiation)', () => {
  // birth dates relative to TODAY 2026-03-15
  it.each([
    ['21: 22nd birthday is tomorrow', '2004-03-16', 21, false],
    ['22: 22nd birthday today', '2004-03-15', 22, true],
    ['22: birthday yesterday', '2004-03-14', 22, true],
    ['75: 76th birthday tomorrow', '1950-03-16', 75, true],
    ['75: 75th birthday today', '1951-03-15', 75, true],
    ['76: 76th birthday today', '1950-03-15', 76, false],
    ['76: birthday last month', '1950-02-15', 76, false],
    ['18', '2008-03-15', 18, false],
  ])('age %s', (_label, birth, age, ok) => {
    const id = parseResidentId(makeId(birth, { seq: '318' }), TODAY);
    expect(id.birthDate).toBe(birth);
    if (ok) expect(checkAge(id.birthDate, TODAY, IOU_AGE)).toBe(age);
    else expect(expectCode(() => checkAge(id.birthDate, TODAY, IOU_AGE), 'AGE_OUT_OF_RANGE').details).toEqual({ age, min: 22, max: 75 });
  });

  it('uses the China day: 22nd birthday 2026-01-02 is reached at 2026-01-01T16:00Z', () => {
    const birth = parseResidentId(makeId('2004-01-02'), '2026-01-02').birthDate;
    expectCode(() => checkAge(birth, chinaDay(new Date('2026-01-01T15:59:59Z')), IOU_AGE), 'AGE_OUT_OF_RANGE');
    expect(checkAge(birth, chinaDay(new Date('2026-01-01T16:30:00Z')), IOU_AGE)).toBe(22);
  });

  it('born 29 Feb: 22 on 1 March of a non-leap year, not on 28 Feb', () => {
    const birth = parseResidentId(makeId('2004-02-29'), '2026-03-01').birthDate;
    expectCode(() => checkAge(birth, '2026-02-28', IOU_AGE), 'AGE_OUT_OF_RANGE');
    expect(checkAge(birth, '2026-03-01', IOU_AGE)).toBe(22);
  });
});

describe('R1 receipt ages 18–75', () => {
  it.each([
    ['2008-03-16', 17, false],
    ['2008-03-15', 18, true],
    ['1950-03-16', 75, true],
    ['1950-03-15', 76, false],
  ])('born %s → %i', (birth, age, ok) => {
    if (ok) expect(checkAge(birth, TODAY, RECEIPT_AGE)).toBe(age);
    else expect(expectCode(() => checkAge(birth, TODAY, RECEIPT_AGE), 'AGE_OUT_OF_RANGE').details).toEqual({ age, min: 18, max: 75 });
  });
});

describe('I2 amount > 0 and ≤ 500,000.00 CNY', () => {
  it.each([
    ['0.01', true],
    ['500000.00', true],
  ])('%s passes', (yuan) => {
    const amountFen = parseYuan(yuan);
    expect(() => checkIou(form({ amountFen, supplement: { overdueRateBp: 1200 } }), ctx)).not.toThrow();
  });

  it.each<[string, number, ErrorCode]>([
    ['500,000.01', 50_000_001, 'AMOUNT_TOO_LARGE'],
    ['1,000,000.00', 100_000_000, 'AMOUNT_TOO_LARGE'],
    ['0', 0, 'INVALID_AMOUNT'],
    ['-0.01', -1, 'INVALID_AMOUNT'],
    ['fraction of a fen', 1.5, 'INVALID_AMOUNT'],
    ['NaN', NaN, 'INVALID_AMOUNT'],
    ['Infinity', Infinity, 'INVALID_AMOUNT'],
  ])('%s fails', (_label, amountFen, code) => {
    const e = expectCode(() => checkIou(form({ amountFen, supplement: { overdueRateBp: 1200 } }), ctx), code);
    if (code === 'AMOUNT_TOO_LARGE') expect(e.details).toEqual({ maxFen: IOU_MAX_FEN });
  });

  it('R1 receipts share the limit through checkAmountFen', () => {
    expect(() => checkAmountFen(RECEIPT_MAX_FEN, RECEIPT_MAX_FEN)).not.toThrow();
    expectCode(() => checkAmountFen(RECEIPT_MAX_FEN + 1, RECEIPT_MAX_FEN), 'AMOUNT_TOO_LARGE');
    expectCode(() => checkAmountFen(0, RECEIPT_MAX_FEN), 'INVALID_AMOUNT');
  });
});

describe('I3 borrow date no earlier than 60 China days before today', () => {
  it.each([
    ['today − 60', -60, true],
    ['today − 59', -59, true],
    ['today', 0, true],
    ['in the future (money lent later)', 10, true],
    ['today − 61', -61, false],
    ['today − 365', -365, false],
  ])('%s', (_label, offset, ok) => {
    const f = form({ borrowDate: addDays(TODAY, offset) });
    if (ok) expect(() => checkIou(f, ctx)).not.toThrow();
    else expect(expectCode(() => checkIou(f, ctx), 'BORROW_DATE_TOO_EARLY').details).toEqual({ earliest: '2026-01-14' });
  });

  describe('across China midnight: 2026-01-01T16:30Z is China day 2026-01-02', () => {
    const today = chinaDay(new Date('2026-01-01T16:30:00Z'));
    const c = { today, lprTable };
    it('today is 2026-01-02 although the UTC date is 2026-01-01', () => expect(today).toBe('2026-01-02'));
    it('borrow date 2025-11-03 (today − 60) passes', () => {
      expect(() => checkIou(form({ borrowDate: '2025-11-03' }, today), c)).not.toThrow();
    });
    it('borrow date 2025-11-02 (today − 61) fails, though it is only 60 UTC days back', () => {
      expectCode(() => checkIou(form({ borrowDate: '2025-11-02' }, today), c), 'BORROW_DATE_TOO_EARLY');
    });
    it('half an hour earlier (China day 2026-01-01) 2025-11-02 was still allowed', () => {
      const before = chinaDay(new Date('2026-01-01T15:30:00Z'));
      expect(before).toBe('2026-01-01');
      expect(() => checkIou(form({ borrowDate: '2025-11-02' }, before), { today: before, lprTable })).not.toThrow();
    });
  });

  it.each([
    ['repay date before borrow date', { borrowDate: '2026-03-15', repayDate: '2026-03-14', repaymentPlan: [{ dueDate: '2026-03-14', principalFen: 1_000_000 }] }],
    ['invalid borrow date', { borrowDate: '2026-02-30' }],
    ['invalid repay date', { repayDate: '2026-13-01' }],
  ])('%s → INVALID_DATE', (_label, over) => {
    expectCode(() => checkIou(form(over), ctx), 'INVALID_DATE');
  });

  it('borrow date = repay date is a one-day loan and passes', () => {
    expect(() => checkIou(form({ borrowDate: TODAY, repayDate: TODAY }), ctx)).not.toThrow();
  });
});

describe('I4 supplementary block mandatory above 100,000.00 CNY', () => {
  it.each<[string, number, IouForm['supplement'], ErrorCode | null]>([
    ['100,000.00 without supplement', 10_000_000, undefined, null],
    ['100,000.01 without supplement', 10_000_001, undefined, 'SUPPLEMENT_REQUIRED'],
    ['100,000.01 with an empty supplement', 10_000_001, {}, 'SUPPLEMENT_REQUIRED'],
    ['100,000.01 with only the lender address', 10_000_001, { lenderAddress: '北京市朝阳区', otherTerms: '无' }, 'SUPPLEMENT_REQUIRED'],
    ['100,000.01 with a blank borrower address', 10_000_001, { borrowerAddress: '   ' }, 'SUPPLEMENT_REQUIRED'],
    ['100,000.01 with an overdue rate', 10_000_001, { overdueRateBp: 1200 }, null],
    ['100,000.01 with an overdue rate of 0', 10_000_001, { overdueRateBp: 0 }, null],
    ['100,000.01 with the borrower address', 10_000_001, { borrowerAddress: '上海市浦东新区世纪大道1号' }, null],
    ['500,000.00 with both', 50_000_000, { overdueRateBp: 1000, borrowerAddress: '广州市天河区' }, null],
    ['overdue rate above the cap (I5) even below the threshold', 1_000_000, { overdueRateBp: 1201 }, 'INTEREST_ABOVE_LEGAL_CAP'],
    ['negative overdue rate', 1_000_000, { overdueRateBp: -1 }, 'VALIDATION_FAILED'],
  ])('%s', (_label, amountFen, supplement, code) => {
    const f = form({ amountFen, ...(supplement ? { supplement } : {}) });
    if (code === null) expect(() => checkIou(f, ctx)).not.toThrow();
    else expectCode(() => checkIou(f, ctx), code);
  });

  it('the overdue-rate error names its field', () => {
    const e = expectCode(() => checkIou(form({ supplement: { overdueRateBp: 1201 } }), ctx), 'INTEREST_ABOVE_LEGAL_CAP');
    expect(e.details).toEqual({ capBp: 1200, lprBp: 300, field: 'overdueRateBp' });
  });

  it.each([[''], ['  ']])('purpose %p is refused with VALIDATION_FAILED', (purpose) => {
    expect(expectCode(() => checkIou(form({ purpose }), ctx), 'VALIDATION_FAILED').details).toEqual({ field: 'purpose' });
  });
});

describe('I5 agreed rate ≤ 4 × one-year LPR in force on the day of initiation', () => {
  it('exactly the cap passes, 1 bp above fails with {capBp, lprBp}', () => {
    expect(checkIou(form({ annualRateBp: 1200 }), ctx)).toEqual({ capBp: 1200, lprBp: 300 });
    const e = expectCode(() => checkIou(form({ annualRateBp: 1201 }), ctx), 'INTEREST_ABOVE_LEGAL_CAP');
    expect(e.details).toEqual({ capBp: 1200, lprBp: 300, field: 'annualRateBp' });
  });

  it('0 (interest-free) passes', () => {
    expect(() => checkIou(form({ annualRateBp: 0 }), ctx)).not.toThrow();
  });

  it.each([[-1], [12.5], [NaN]])('rate %p is refused with VALIDATION_FAILED', (annualRateBp) => {
    expectCode(() => checkIou(form({ annualRateBp }), ctx), 'VALIDATION_FAILED');
  });

  // LPR 3.10% until 2025-05-19, 3.00% from 2025-05-20: cap 1240 → 1200 bp
  it.each<[string, number, ErrorCode | null]>([
    ['2025-05-19', 1240, null],
    ['2025-05-19', 1241, 'INTEREST_ABOVE_LEGAL_CAP'],
    ['2025-05-20', 1240, 'INTEREST_ABOVE_LEGAL_CAP'],
    ['2025-05-20', 1200, null],
    ['2025-05-20', 1201, 'INTEREST_ABOVE_LEGAL_CAP'],
    ['2024-10-20', 1340, null],
    ['2024-10-21', 1340, 'INTEREST_ABOVE_LEGAL_CAP'],
    ['2024-10-21', 1240, null],
  ])('initiated %s at %i bp', (today, annualRateBp, code) => {
    const f = form({ annualRateBp }, today);
    const c = { today, lprTable };
    if (code === null) expect(() => checkIou(f, c)).not.toThrow();
    else expectCode(() => checkIou(f, c), code);
  });

  it('the cap comes from the table passed in, never a constant', () => {
    const t = [{ effectiveFrom: '2026-01-01', oneYearBp: 500 }];
    expect(checkIou(form({ annualRateBp: 2000 }), { today: TODAY, lprTable: t })).toEqual({ capBp: 2000, lprBp: 500 });
    expectCode(() => checkIou(form({ annualRateBp: 2001 }), { today: TODAY, lprTable: t }), 'INTEREST_ABOVE_LEGAL_CAP');
  });
});

describe('I4 repayment plan', () => {
  const borrowDate = TODAY;
  const repayDate = '2026-06-15';
  const plan = (...rows: Array<[string, number]>) => rows.map(([dueDate, principalFen]) => ({ dueDate, principalFen }));

  it.each<[string, IouForm['repaymentPlan']]>([
    ['one instalment on the repay date', plan([repayDate, 1_000_000])],
    ['three monthly instalments', plan(['2026-04-15', 300_000], ['2026-05-15', 300_000], [repayDate, 400_000])],
    ['instalments on the first and last day of the period', plan([borrowDate, 1], [repayDate, 999_999])],
    ['last instalment before the repay date', plan(['2026-05-01', 1_000_000])],
  ])('%s passes', (_label, repaymentPlan) => {
    expect(() => checkIou(form({ borrowDate, repayDate, repaymentPlan }), ctx)).not.toThrow();
  });

  it.each<[string, IouForm['repaymentPlan'], ErrorCode, Record<string, unknown>]>([
    ['no instalment', [], 'REPAYMENT_PLAN_MISMATCH', { reason: 'empty' }],
    ['sum 1 fen short', plan(['2026-04-15', 500_000], [repayDate, 499_999]), 'REPAYMENT_PLAN_MISMATCH', { sumFen: 999_999, amountFen: 1_000_000 }],
    ['sum 1 fen over', plan([repayDate, 1_000_001]), 'REPAYMENT_PLAN_MISMATCH', { sumFen: 1_000_001, amountFen: 1_000_000 }],
    ['instalment before the borrow date', plan(['2026-03-14', 1_000_000]), 'INVALID_DATE', { index: 0, reason: 'outside period' }],
    ['instalment after the repay date', plan(['2026-04-15', 500_000], ['2026-06-16', 500_000]), 'INVALID_DATE', { index: 1, reason: 'outside period' }],
    ['not ascending', plan(['2026-05-15', 500_000], ['2026-04-15', 500_000]), 'INVALID_DATE', { index: 1, reason: 'not ascending' }],
    ['two instalments on one day', plan(['2026-05-15', 500_000], ['2026-05-15', 500_000]), 'INVALID_DATE', { index: 1, reason: 'not ascending' }],
    ['invalid due date', plan(['2026-04-31', 1_000_000]), 'INVALID_DATE', { index: 0, reason: 'invalid' }],
    ['zero principal', plan(['2026-04-15', 0], [repayDate, 1_000_000]), 'INVALID_AMOUNT', { index: 0 }],
    ['fractional principal', plan(['2026-04-15', 0.5], [repayDate, 999_999.5]), 'INVALID_AMOUNT', { index: 0 }],
  ])('%s fails', (_label, repaymentPlan, code, details) => {
    const e = expectCode(() => checkIou(form({ borrowDate, repayDate, repaymentPlan }), ctx), code);
    expect(e.details).toEqual(details);
  });
});

describe('checkIou runs the rules in the documented order (first error wins)', () => {
  // Each row breaks every rule from its own onwards; the error must be the row's rule.
  const broken = {
    amountFen: 0,
    purpose: '',
    borrowDate: addDays(TODAY, -61),
    annualRateBp: 1201,
    repaymentPlan: [],
  };
  it.each<[string, Array<keyof typeof broken>, ErrorCode]>([
    ['I2 amount first', ['amountFen', 'purpose', 'borrowDate', 'annualRateBp', 'repaymentPlan'], 'INVALID_AMOUNT'],
    ['then I4 purpose', ['purpose', 'borrowDate', 'annualRateBp', 'repaymentPlan'], 'VALIDATION_FAILED'],
    ['then I3 borrow date', ['borrowDate', 'annualRateBp', 'repaymentPlan'], 'BORROW_DATE_TOO_EARLY'],
    ['then I5 rate', ['annualRateBp', 'repaymentPlan'], 'INTEREST_ABOVE_LEGAL_CAP'],
    ['then I4 plan', ['repaymentPlan'], 'REPAYMENT_PLAN_MISMATCH'],
  ])('%s', (_label, keys, code) => {
    const over: Partial<IouForm> = { amountFen: 20_000_000 }; // also lacks the supplement: the last rule
    for (const k of keys) Object.assign(over, { [k]: broken[k] });
    expectCode(() => checkIou(form(over), ctx), code);
  });

  it('then I4 supplement last', () => {
    expectCode(() => checkIou(form({ amountFen: 20_000_000 }), ctx), 'SUPPLEMENT_REQUIRED');
  });
});
