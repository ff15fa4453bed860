/**
 * China calendar days ('YYYY-MM-DD', Asia/Shanghai).
 *
 * Every calendar rule of the product — "borrow date no earlier than 60 days before today" (I3),
 * "expires 30 days after initiation" (C2), ages on the day of initiation (I1/R1), instalment dates
 * (I8) — is about the day a person in China sees on their phone, not about UTC. Storage keeps
 * instants in UTC; these helpers turn an instant into a China day and do arithmetic on days.
 *
 * Why a fixed +8 h offset and no time-zone database: Asia/Shanghai has been UTC+8 without daylight
 * saving since 1991 (China's last DST ended 1991-09-15), so `instant + 8h` read as UTC is exactly
 * the local wall-clock date for every instant this product will ever handle. It is also faster
 * and does not depend on the ICU data shipped with the Node runtime of the cloud function.
 *
 * Day arithmetic is done on an integer "epoch day" (days since 1970-01-01) with Howard Hinnant's
 * civil-from-days algorithms, which avoids `Date` quirks (two-digit years, local time zones).
 */
import { fail } from '../errors';

/** A China calendar day in ISO form, e.g. '2026-01-02'. */
export type Day = string;

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const MS_PER_DAY = 24 * 60 * 60 * 1000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

/** Splits a valid day into numbers, or returns undefined (no throwing: used by isValidDay). */
const split = (s: unknown): [number, number, number] | undefined => {
  if (typeof s !== 'string') return undefined;
  const m = DAY_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  // Year 0000 is not a Gregorian year anyone writes on a contract.
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return [y, mo, d];
};

/** True for a real Gregorian date written exactly as 'YYYY-MM-DD' (so '2023-02-29' is false). */
export const isValidDay = (s: unknown): s is Day => split(s) !== undefined;

/** Parses a day or throws INVALID_DATE: callers pass user input through here. */
export const parseDay = (s: unknown): [number, number, number] =>
  split(s) ?? fail('INVALID_DATE', undefined, { value: typeof s === 'string' ? s : String(s) });

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export const formatDay = (y: number, m: number, d: number): Day => {
  if (y < 1 || y > 9999) fail('INVALID_DATE', undefined, { year: y });
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
};

/** Days since 1970-01-01 of a civil date (Hinnant, `days_from_civil`). */
const epochDayOf = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

/** Civil date of a day count since 1970-01-01 (Hinnant, `civil_from_days`). */
const civilOf = (z0: number): [number, number, number] => {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
};

export const toEpochDay = (day: Day): number => epochDayOf(...parseDay(day));
export const fromEpochDay = (n: number): Day => formatDay(...civilOf(n));

/** The China calendar day of an instant (fixed UTC+8, see the file comment). */
export const chinaDay = (instant: Date): Day => {
  const t = instant.getTime();
  if (!Number.isFinite(t)) fail('INVALID_DATE', undefined, { value: 'Invalid Date' });
  return fromEpochDay(Math.floor((t + CHINA_OFFSET_MS) / MS_PER_DAY));
};

/** The instant at which `day` begins in China (00:00 Asia/Shanghai = 16:00 UTC the day before). */
export const chinaDayStartUtc = (day: Day): Date => new Date(toEpochDay(day) * MS_PER_DAY - CHINA_OFFSET_MS);

export const addDays = (day: Day, n: number): Day => {
  if (!Number.isSafeInteger(n)) fail('INVALID_DATE', undefined, { days: n });
  return fromEpochDay(toEpochDay(day) + n);
};

/** Whole days from `a` to `b` (positive when b is later). */
export const daysBetween = (a: Day, b: Day): number => toEpochDay(b) - toEpochDay(a);

/** -1, 0 or 1, like a sort comparator. Validates both days so a typo never compares as text. */
export const compareDays = (a: Day, b: Day): -1 | 0 | 1 => {
  const d = daysBetween(b, a);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
};

/**
 * `n` calendar months later (or earlier). When the target month is shorter the day is clamped to
 * its last day (2024-01-31 + 1 month = 2024-02-29), which is how monthly instalment dates are
 * written on paper IOUs and how Civil Code art. 202 reads "the corresponding day" of a month
 * period ("没有对应日的，月末日为期间的最后一日").
 */
export const addMonths = (day: Day, n: number): Day => {
  if (!Number.isSafeInteger(n)) fail('INVALID_DATE', undefined, { months: n });
  const [y, m, d] = parseDay(day);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return formatDay(ny, nm, Math.min(d, daysInMonth(ny, nm)));
};
