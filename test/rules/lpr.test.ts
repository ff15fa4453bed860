import lprConfig from '../../config/lpr.json';
import { compareDays, legalRateCapBp, lprOn, parseLprTable, type LprTable } from '../../shared/rules';
import { expectCode } from './helpers';

const table = parseLprTable(lprConfig);

describe('I5 one-year LPR table (config/lpr.json)', () => {
  it('parses, starts with the first reformed LPR (2019-08-20, 4.25%) and ascends strictly', () => {
    expect(table[0]).toEqual({ effectiveFrom: '2019-08-20', oneYearBp: 425 });
    for (let i = 1; i < table.length; i++) {
      expect(compareDays(table[i - 1]!.effectiveFrom, table[i]!.effectiveFrom)).toBe(-1);
      // only change points are listed
      expect(table[i]!.oneYearBp).not.toBe(table[i - 1]!.oneYearBp);
    }
  });

  it.each([
    ['2019-08-20', 425],
    ['2019-09-19', 425],
    ['2019-09-20', 420],
    ['2019-10-21', 420],
    ['2019-11-20', 415],
    ['2020-02-20', 405],
    ['2020-04-20', 385],
    ['2021-12-19', 385],
    ['2021-12-20', 380],
    ['2022-01-20', 370],
    ['2022-08-22', 365],
    ['2023-06-20', 355],
    ['2023-08-21', 345],
    ['2024-07-22', 335],
    ['2024-10-20', 335],
    ['2024-10-21', 310],
    ['2025-05-19', 310],
    ['2025-05-20', 300],
    ['2026-03-15', 300],
  ])('lprOn(%s) = %i bp', (day, bp) => {
    expect(lprOn(table, day)).toBe(bp);
  });

  it('legalRateCapBp = 4 × LPR and changes on the effective date, not the day before', () => {
    expect(legalRateCapBp(table, '2025-05-19')).toBe(1240);
    expect(legalRateCapBp(table, '2025-05-20')).toBe(1200);
    expect(legalRateCapBp(table, '2024-10-20')).toBe(1340);
    expect(legalRateCapBp(table, '2024-10-21')).toBe(1240);
  });

  it('has no value before 2019-08-20: INTERNAL (a table or caller bug, not a user error)', () => {
    expectCode(() => lprOn(table, '2019-08-19'), 'INTERNAL');
    expectCode(() => legalRateCapBp(table, '2019-08-19'), 'INTERNAL');
  });

  it('takes any table as an argument, sorted or not', () => {
    const t: LprTable = [
      { effectiveFrom: '2030-06-01', oneYearBp: 250 },
      { effectiveFrom: '2030-01-01', oneYearBp: 275 },
    ];
    expect(lprOn(t, '2030-05-31')).toBe(275);
    expect(lprOn(t, '2030-06-01')).toBe(250);
    expect(legalRateCapBp(t, '2030-06-01')).toBe(1000);
  });

  it('refuses an invalid day with INVALID_DATE', () => {
    expectCode(() => lprOn(table, '2025-02-30'), 'INVALID_DATE');
  });

  it('accepts the file object or a bare array', () => {
    expect(parseLprTable(lprConfig.table)).toEqual(table);
  });

  it.each([
    ['null', null],
    ['empty array', []],
    ['object without table', { entries: [] }],
    ['bad day', [{ effectiveFrom: '2019-02-30', oneYearBp: 425 }]],
    ['percent instead of bp', [{ effectiveFrom: '2019-08-20', oneYearBp: 4.25 }]],
    ['zero', [{ effectiveFrom: '2019-08-20', oneYearBp: 0 }]],
    ['string bp', [{ effectiveFrom: '2019-08-20', oneYearBp: '425' }]],
    ['null row', [null]],
    ['not ascending', [{ effectiveFrom: '2019-09-20', oneYearBp: 420 }, { effectiveFrom: '2019-08-20', oneYearBp: 425 }]],
    ['duplicate date', [{ effectiveFrom: '2019-08-20', oneYearBp: 425 }, { effectiveFrom: '2019-08-20', oneYearBp: 420 }]],
  ])('parseLprTable refuses %s with INTERNAL', (_label, raw) => {
    expectCode(() => parseLprTable(raw), 'INTERNAL');
  });
});
