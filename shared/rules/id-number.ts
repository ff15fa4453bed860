/**
 * Resident ID numbers (居民身份证号码, GB 11643-1999) — P1, and the ages I1/R1 derive from them.
 *
 * Layout of the 18 characters:
 *   1–6   address code (GB/T 2260; first two digits = province)
 *   7–14  birth date YYYYMMDD
 *   15–17 sequence code; the 17th digit is odd for men, even for women
 *   18    check character, ISO 7064 MOD 11-2 over the first 17 digits ('X' stands for 10)
 *
 * Residence permits for Hong Kong, Macau and Taiwan residents (港澳台居民居住证, issued since
 * 2018-09-01, 《港澳台居民居住证申领发放办法》) carry a 公民身份号码 of the same format and the same
 * GB 11643 check character, with address code 810000 (Hong Kong), 820000 (Macau) or 830000
 * (Taiwan) — Tencent E-Sign's API docs state the same ("港澳台居民居住证号码编码规则与中国大陆身份证
 * 相同，应为18位字符串"). They are reported as kind 'hmt' with their `residency`, so that the caller
 * can apply the cross-border switch (P4/A6); birth date, sex and so ages (I1/R1) read exactly as
 * for mainland numbers. Nothing here decides whether such a party may sign. (Travel permits —
 * 港澳居民来往内地通行证 H/M + 10 digits, 台湾居民来往大陆通行证 8 digits — carry no birth date and are
 * not ID numbers in this sense.)
 */
import { fail } from '../errors';
import { compareDays, formatDay, isValidDay, parseDay, type Day } from './dates';

export interface ResidentId {
  /** 18 characters, check character upper-case. */
  normalized: string;
  birthDate: Day;
  sex: 'M' | 'F';
  /** The 6-digit address code. */
  regionCode: string;
  kind: 'mainland' | 'hmt';
  /** Where the holder resides: the mainland, or Hong Kong / Macau / Taiwan for a residence permit. */
  residency: Residency;
}

export type Residency = 'mainland' | 'hong_kong' | 'macau' | 'taiwan';

/** The product's words for each residency (shown beside a party's ID number). */
export const RESIDENCY_LABELS: Record<Residency, string> = {
  mainland: '中国大陆',
  hong_kong: '中国香港',
  macau: '中国澳门',
  taiwan: '中国台湾',
};

/** Weights 2^(17-i) mod 11 of GB 11643-1999 §7.2. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for (Σ digit·weight) mod 11. */
const CHECK_CHARS = '10X98765432';

/**
 * Province codes (first two digits) of GB/T 2260 that appear on mainland ID cards. Stricter than
 * "starts with 1–6": e.g. 16…, 24… or 38… are not provinces, so such a number was mistyped.
 * (71 Taiwan is in GB/T 2260 but is not issued on resident ID cards.)
 */
const MAINLAND_PROVINCES = new Set([
  '11', '12', '13', '14', '15', // 京 津 冀 晋 蒙
  '21', '22', '23', // 辽 吉 黑
  '31', '32', '33', '34', '35', '36', '37', // 沪 苏 浙 皖 闽 赣 鲁
  '41', '42', '43', '44', '45', '46', // 豫 鄂 湘 粤 桂 琼
  '50', '51', '52', '53', '54', // 渝 川 贵 云 藏
  '61', '62', '63', '64', '65', // 陕 甘 青 宁 新
]);
/** Address codes of HK / Macau / Taiwan residence permits. */
const HMT_REGIONS: ReadonlyMap<string, Residency> = new Map([
  ['810000', 'hong_kong'],
  ['820000', 'macau'],
  ['830000', 'taiwan'],
]);

/** Earliest accepted birth date: nobody alive was born before it; catches 18xx typos. */
const EARLIEST_BIRTH: Day = '1900-01-01';

/** The check character for the first 17 digits (exported for fixtures and other modules' tests). */
export const residentIdCheckChar = (first17: string): string => {
  if (!/^\d{17}$/.test(first17)) fail('INVALID_ID_NUMBER');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
};

const invalid = (reason: string): never => fail('INVALID_ID_NUMBER', undefined, { reason });

/**
 * Validates and decodes a resident ID number. `today` is the China day the check is made for
 * (a birth date after it is impossible). Surrounding whitespace is ignored and a lower-case 'x'
 * accepted (phone keyboards), anything else must be exact. Throws INVALID_ID_NUMBER with
 * details.reason ('format' | 'region' | 'birthDate' | 'checksum') — never the number itself.
 */
export const parseResidentId = (raw: unknown, today: Day): ResidentId => {
  if (typeof raw !== 'string') return invalid('format');
  const normalized = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(normalized)) return invalid('format');

  const regionCode = normalized.slice(0, 6);
  let residency: Residency;
  if (MAINLAND_PROVINCES.has(regionCode.slice(0, 2))) residency = 'mainland';
  else residency = HMT_REGIONS.get(regionCode) ?? invalid('region');

  const b = normalized.slice(6, 14);
  const birthDate = `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`;
  if (!isValidDay(birthDate)) return invalid('birthDate');
  if (compareDays(birthDate, EARLIEST_BIRTH) < 0 || compareDays(birthDate, today) > 0) return invalid('birthDate');

  if (residentIdCheckChar(normalized.slice(0, 17)) !== normalized[17]) return invalid('checksum');

  return {
    normalized,
    birthDate,
    sex: Number(normalized[16]) % 2 === 1 ? 'M' : 'F',
    regionCode,
    kind: residency === 'mainland' ? 'mainland' : 'hmt',
    residency,
  };
};

/**
 * The residency an ID number tells (P4/A6): 'mainland' for a resident ID card, 'hong_kong' /
 * 'macau' / 'taiwan' for a 港澳台居民居住证. Validates like parseResidentId (INVALID_ID_NUMBER).
 */
export const residencyOf = (raw: unknown, today: Day): Residency => parseResidentId(raw, today).residency;

/**
 * Age in full years (周岁) on China day `day`.
 *
 * A person is N years old from their N-th birthday (inclusive) — the convention of ID-based age
 * checks in Chinese apps and what users expect ("I turn 22 today"). (Counting strictly as a legal
 * period — Civil Code art. 201 excludes the starting day — would move each change one day later;
 * the product does not do that.) A 29 February birthday in a non-leap year counts on 1 March:
 * until February is over the "29th" has not been reached, which is Chinese practice
 * (born 2000-02-29 → 0 on 2001-02-28, 1 on 2001-03-01). Comparing (month, day) pairs gives exactly
 * this: (3,1) ≥ (2,29) but (2,28) < (2,29).
 * Throws INVALID_DATE when `day` is before the birth date.
 */
export const ageOn = (birthDate: Day, day: Day): number => {
  const [by, bm, bd] = parseDay(birthDate);
  const [y, m, d] = parseDay(day);
  if (compareDays(day, formatDay(by, bm, bd)) < 0) fail('INVALID_DATE', undefined, { reason: 'before birth' });
  const hadBirthday = m > bm || (m === bm && d >= bd);
  return y - by - (hadBirthday ? 0 : 1);
};

/**
 * '110101199003071234' → '1101**********1234' (first 4, 10 stars, last 4), for responses to anyone
 * but the owner and for logs. Never throws (it runs on logging paths): any other length is masked
 * keeping at most a quarter of its characters at each end.
 */
export const maskIdNumber = (id: string): string => {
  const s = String(id ?? '');
  if (s.length === 18) return `${s.slice(0, 4)}${'*'.repeat(10)}${s.slice(14)}`;
  const keep = Math.min(4, Math.floor(s.length / 4));
  return s.slice(0, keep) + '*'.repeat(s.length - 2 * keep) + s.slice(s.length - keep);
};
