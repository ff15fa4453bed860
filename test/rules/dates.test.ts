import fc from 'fast-check';
import {
  addDays,
  addMonths,
  chinaDay,
  chinaDayStartUtc,
  compareDays,
  daysBetween,
  fromEpochDay,
  isValidDay,
  toEpochDay,
} from '../../shared/rules';
import { expectCode } from './helpers';

describe('dates: China calendar day (Asia/Shanghai, fixed UTC+8)', () => {
  it.each([
    ['2026-01-01T15:59:59.999Z', '2026-01-01'],
    ['2026-01-01T16:00:00.000Z', '2026-01-02'],
    ['2026-01-01T16:30:00.000Z', '2026-01-02'], // the I3 boundary instant of the brief
    ['2024-02-28T16:00:00.000Z', '2024-02-29'],
    ['2023-12-31T16:00:00.000Z', '2024-01-01'],
    ['1970-01-01T00:00:00.000Z', '1970-01-01'],
    ['1969-12-31T15:59:59.999Z', '1969-12-31'],
    ['1969-12-31T16:00:00.000Z', '1970-01-01'],
  ])('chinaDay(%s) = %s', (iso, day) => {
    expect(chinaDay(new Date(iso))).toBe(day);
  });

  it('chinaDay refuses an invalid Date with INVALID_DATE', () => {
    expectCode(() => chinaDay(new Date('nope')), 'INVALID_DATE');
  });

  it('agrees with the ICU time-zone database for every instant 1992–2100 (no DST since 1991)', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) }), (t) => {
        expect(chinaDay(new Date(t))).toBe(fmt.format(new Date(t)));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2026-01-02', '2026-01-01T16:00:00.000Z'],
    ['2024-02-29', '2024-02-28T16:00:00.000Z'],
    ['1970-01-01', '1969-12-31T16:00:00.000Z'],
  ])('chinaDayStartUtc(%s) = %s', (day, iso) => {
    expect(chinaDayStartUtc(day).toISOString()).toBe(iso);
  });

  it('chinaDayStartUtc is the first instant of the day: one ms earlier is the previous day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60000 }), (n) => {
        const day = fromEpochDay(n);
        const start = chinaDayStartUtc(day);
        expect(chinaDay(start)).toBe(day);
        expect(chinaDay(new Date(start.getTime() - 1))).toBe(addDays(day, -1));
      }),
    );
  });

  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['1999-02-30', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['0000-01-01', false],
    ['2024-1-01', false],
    ['20240101', false],
    ['2024-01-01T00:00', false],
    [' 2024-01-01', false],
    ['', false],
    [20240101, false],
    [undefined, false],
  ])('isValidDay(%p) = %p', (s, ok) => {
    expect(isValidDay(s)).toBe(ok);
  });

  it.each([
    ['2026-01-02', -60, '2025-11-03'],
    ['2026-01-02', -61, '2025-11-02'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2026-03-15', 0, '2026-03-15'],
  ])('addDays(%s, %i) = %s', (day, n, out) => {
    expect(addDays(day, n)).toBe(out);
  });

  it('addDays agrees with UTC Date arithmetic and inverts itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30000, max: 60000 }), fc.integer({ min: -5000, max: 5000 }), (e, n) => {
        const day = fromEpochDay(e);
        expect(day).toBe(new Date(e * 86400000).toISOString().slice(0, 10));
        expect(addDays(day, n)).toBe(new Date((e + n) * 86400000).toISOString().slice(0, 10));
        expect(addDays(addDays(day, n), -n)).toBe(day);
        expect(daysBetween(day, addDays(day, n))).toBe(n);
        expect(toEpochDay(day)).toBe(e);
      }),
    );
  });

  it.each([
    ['2024-01-01', '2024-01-02', -1],
    ['2024-01-02', '2024-01-01', 1],
    ['2024-01-01', '2024-01-01', 0],
    ['2023-12-31', '2024-01-01', -1],
  ])('compareDays(%s, %s) = %i', (a, b, r) => {
    expect(compareDays(a, b)).toBe(r);
  });

  it.each([['2024-02-30'], ['2024/01/01'], ['']])('compareDays refuses %p with INVALID_DATE', (bad) => {
    expectCode(() => compareDays(bad, '2024-01-01'), 'INVALID_DATE');
    expectCode(() => addDays(bad, 1), 'INVALID_DATE');
  });

  it('addDays refuses a fractional day count and years beyond 9999', () => {
    expectCode(() => addDays('2024-01-01', 1.5), 'INVALID_DATE');
    expectCode(() => addDays('9999-12-31', 1), 'INVALID_DATE');
  });

  it.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2024-12-15', 1, '2025-01-15'],
    ['2025-01-15', -1, '2024-12-15'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-05-31', 1, '2024-06-30'],
    ['2024-05-20', 0, '2024-05-20'],
    ['2024-05-20', 25, '2026-06-20'],
  ])('addMonths(%s, %i) = %s (month-end clamped)', (day, n, out) => {
    expect(addMonths(day, n)).toBe(out);
  });
});
