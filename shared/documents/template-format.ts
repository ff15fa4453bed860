/**
 * How a form value reads in a contract (the formatters of templates/README.md). Money comes from
 * shared/rules/money (fen → '3,500.00', 大写), so a contract, a receipt and an IOU write amounts
 * the same way. A formatter receives what the previous one produced; `undefined` is "no value",
 * which `or:…` replaces and which otherwise prints as MISSING.
 */
import { present } from '../rules/json-pointer';
import { formatYuan, toCapital } from '../rules/money';
import type { Formatter } from './template-text';

/** What an absent optional value prints as (a dash, as a paper form leaves a blank crossed out). */
export const MISSING = '——';

/** '2026-01-02' → '2026年1月2日'; other text passes through. */
export const chineseDate = (v: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : v;
};

const fen = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

/** The text of a value with no formatter: numbers as written, booleans 是/否, lists joined with '、'. */
export const plainText = (v: unknown): string | undefined => {
  if (!present(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) {
    const parts = v.map(plainText).filter((x): x is string => x !== undefined);
    return parts.length ? parts.join('、') : undefined;
  }
  return undefined; // an object has no text of its own: the template should name a field of it
};

export interface FormatContext {
  /** Role key → its label (房东), for the `role` formatter. */
  roleLabel(key: string): string | undefined;
}

type Step = (v: unknown, args: string[], ctx: FormatContext) => unknown;

const STEPS: Record<Formatter['name'], Step> = {
  yuan: (v) => (fen(v) === undefined ? undefined : formatYuan(v as number)),
  capital: (v) => (fen(v) === undefined || (v as number) < 0 ? undefined : toCapital(v as number)),
  money: (v) => (fen(v) === undefined || (v as number) < 0 ? undefined : `人民币${formatYuan(v as number)}元（大写：${toCapital(v as number)}）`),
  date: (v) => (typeof v === 'string' && v ? chineseDate(v) : undefined),
  bool: (v, [yes = '是', no = '否']) => (typeof v === 'boolean' ? (v ? yes : no) : v === undefined ? no : undefined),
  list: (v, [sep = '、']) => {
    if (!Array.isArray(v)) return plainText(v);
    const parts = v.map(plainText).filter((x): x is string => x !== undefined);
    return parts.length ? parts.join(sep) : undefined;
  },
  pluck: (v, [field]) => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[field!] : undefined)) : undefined),
  count: (v) => (Array.isArray(v) ? String(v.length) : undefined),
  role: (v, _a, ctx) => (typeof v === 'string' ? ctx.roleLabel(v) ?? v : undefined),
  percent: (v) => (typeof v === 'number' ? `${v}%` : undefined),
  or: (v, [fallback = '']) => (present(v) ? v : fallback),
};

/** Applies the formatter chain; the result is text, or undefined when there is no value. */
export const formatValue = (value: unknown, formatters: readonly Formatter[], ctx: FormatContext): string | undefined => {
  let v: unknown = value;
  for (const f of formatters) v = STEPS[f.name](v, f.args, ctx);
  return plainText(v);
};
