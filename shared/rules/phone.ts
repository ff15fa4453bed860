/**
 * Mainland China mobile numbers (P1): the number SMS notifications (N1) are sent to.
 *
 * Accepted: 11 digits matching /^1[3-9]\d{9}$/ (every mainland mobile segment, 13x–19x), with an
 * optional '+86' or '86' country prefix and any spaces or hyphens people paste from contacts
 * ('+86 138-0013-8000'). The result is always the bare 11-digit form, which is what is stored and
 * what the SMS provider gets (it adds +86 itself). Landlines and non-mainland numbers are refused:
 * the product verifies parties by mainland SMS.
 */
import { fail } from '../errors';

const MOBILE_RE = /^1[3-9]\d{9}$/;

/** Returns the 11-digit number or throws INVALID_PHONE. */
export const parseMobile = (raw: unknown): string => {
  if (typeof raw !== 'string') return fail('INVALID_PHONE');
  let s = raw.replace(/[\s-]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  // '86' only as a prefix of a 13-digit string: an 11-digit mobile itself never starts with 8.
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2);
  if (!MOBILE_RE.test(s)) return fail('INVALID_PHONE');
  return s;
};

export const isValidMobile = (raw: unknown): boolean => {
  try {
    parseMobile(raw);
    return true;
  } catch {
    return false;
  }
};

/**
 * '13812345678' → '138****5678', the form shown to anyone but the owner and written to logs.
 * Never throws (it runs on logging paths): any other string keeps only its last 4 characters,
 * and only when at least 4 others are hidden.
 */
export const maskPhone = (phone: string): string => {
  const s = String(phone ?? '');
  if (s.length === 11) return `${s.slice(0, 3)}****${s.slice(7)}`;
  return s.length >= 8 ? '*'.repeat(s.length - 4) + s.slice(-4) : '*'.repeat(s.length);
};
