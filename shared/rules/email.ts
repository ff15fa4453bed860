/**
 * Email addresses as users type them (A4 the bound address, C8/C9 where PDFs and reports go).
 *
 * Deliberately plain: one '@', a local part of 1–64 visible ASCII characters without spaces,
 * quotes or angle brackets, a domain of dot-separated LDH labels with a letter TLD, ≤ 254 in all
 * (RFC 5321 §4.5.3.1). Surrounding whitespace is dropped and the domain lower-cased (domains are
 * case-insensitive; local parts are kept as typed). No quoted local parts, IP literals or
 * non-ASCII addresses: the mail provider (SES) and the people who type them do not need them.
 */
import { fail } from '../errors';

const LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The normalised address, or VALIDATION_FAILED (details.field '/email', never the address). */
export const parseEmail = (raw: unknown, field = '/email'): string => {
  const invalid = (): never => fail('VALIDATION_FAILED', '邮箱地址格式不正确', { fields: [{ field, rule: 'email' }] });
  if (typeof raw !== 'string') return invalid();
  const s = raw.trim();
  if (s.length > 254) return invalid();
  const at = s.lastIndexOf('@');
  if (at <= 0 || s.indexOf('@') !== at) return invalid();
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return invalid();
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$/.test(labels[labels.length - 1]!)) return invalid();
  return `${local}@${domain}`;
};

/** 'wang@example.com' → 'w***@example.com' (responses to others, logs). Never throws. */
export const maskEmail = (email: string): string => String(email ?? '').replace(/^(.).*(@.*)$/, '$1***$2');
