/**
 * The declarative cross-field rules of template forms (SPEC T1, T3): what JSON Schema cannot say —
 * an end date after a start date, line items adding up to a stated total, a deposit within its
 * legal share — written as data in templates/<kind>/template.json and checked here. A new
 * template needs code only when it needs a new rule *type*.
 *
 * Every rule names the error code and the Chinese message the caller gets; the details carry the
 * rule, the JSON Pointer of the offending field and the numbers involved, never personal data.
 * Rules run in the order written and the first failure is reported, so a template lists them in
 * the order its form reads. A rule whose fields are absent (an optional part left out) does not
 * apply: presence is the schema's job.
 *
 * Pure: the caller passes today's China day and the LPR table (for the IOU's rules).
 */
import { AppError, ERRORS, type ErrorCode } from '../errors';
import { addDays, addMonths, compareDays, isValidDay, type Day } from './dates';
import { checkIou, type IouForm } from './iou';
import { getAt, joinPointer, present, truthy } from './json-pointer';
import type { LprTable } from './lpr';

interface Base {
  /** The error a failing check answers with (a key of shared/errors.ts). */
  code: ErrorCode;
  /** What the user reads, e.g. '租赁结束日期须晚于开始日期'. */
  message: string;
}

/** `field` is later than `after` (or the same day with `orEqual`). Both 'YYYY-MM-DD'. */
export interface DateAfterRule extends Base {
  rule: 'dateAfter';
  field: string;
  after: string;
  orEqual?: boolean;
}

/** `field` is at most `years` years after `from`, e.g. a lease of at most 20 years (民法典 第705条). */
export interface MaxPeriodRule extends Base {
  rule: 'maxPeriod';
  field: string;
  from: string;
  years: number;
}

/** `field` is not later than today (China day): one cannot acknowledge money received tomorrow. */
export interface DateNotAfterTodayRule extends Base {
  rule: 'dateNotAfterToday';
  field: string;
}

/**
 * Numbers that must add up: either `itemField` of every element of the array at `items`, or the
 * listed `fields`; to the number at `total` or to the constant `equals` (e.g. 100 per cent).
 */
export interface SumEqualsRule extends Base {
  rule: 'sumEquals';
  items?: string;
  itemField?: string;
  fields?: string[];
  total?: string;
  equals?: number;
}

/** Each line's amount is its quantity times its unit price, rounded to the fen (quantities may be 2.5 吨). */
export interface LineTotalRule extends Base {
  rule: 'lineTotal';
  items: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

/**
 * A total outside any list is a quantity times a unit price, rounded to the fen like a line of
 * lineTotal: a grassland's yearly fee is its area in 亩 (1250.5) × the fee per 亩.
 */
export interface ProductRule extends Base {
  rule: 'product';
  field: string;
  quantity: string;
  unitPrice: string;
}

/** A number at most a constant, e.g. a receipt's amount ≤ 50,000,000 fen (R1). */
export interface MaxRule extends Base {
  rule: 'max';
  field: string;
  max: number;
}

/** A number at most another field, e.g. paid ≤ total. */
export interface NotAboveRule extends Base {
  rule: 'notAbove';
  field: string;
  than: string;
}

/** A number at most `percent` % of another, e.g. 定金 ≤ 20 % of the price (民法典 第586条). */
export interface MaxShareRule extends Base {
  rule: 'maxShare';
  field: string;
  of: string;
  percent: number;
}

/** `field` = `minuend` − `subtrahend`, e.g. the balance of a statement of account. */
export interface DifferenceRule extends Base {
  rule: 'difference';
  field: string;
  minuend: string;
  subtrahend: string;
}

/** `field` must be present (and non-empty) when `when` is truthy, or equals `equals`. */
export interface RequiredIfRule extends Base {
  rule: 'requiredIf';
  field: string;
  when: string;
  equals?: string | number | boolean;
}

/** No two elements of `items` share the same `itemField` (e.g. one bearer per cost item). */
export interface UniqueByRule extends Base {
  rule: 'uniqueBy';
  items: string;
  itemField: string;
}

/** Each element's date `itemField` lies within [from, to] (e.g. statement lines inside the period). */
export interface DatesWithinRule extends Base {
  rule: 'datesWithin';
  items: string;
  itemField: string;
  from: string;
  to: string;
}

/** The IOU's own rules I2–I5 (shared/rules/iou.ts): they carry their own codes. */
export interface IouRule {
  rule: 'iou';
}

export type FormRule =
  | DateAfterRule
  | DateNotAfterTodayRule
  | MaxPeriodRule
  | SumEqualsRule
  | LineTotalRule
  | ProductRule
  | MaxRule
  | NotAboveRule
  | MaxShareRule
  | DifferenceRule
  | RequiredIfRule
  | UniqueByRule
  | DatesWithinRule
  | IouRule;

export type RuleType = FormRule['rule'];

export interface FormRuleContext {
  /** China day of initiation. */
  today: Day;
  lprTable: LprTable;
}

type Form = Record<string, unknown>;

const refuse = (r: Base & { rule: string }, details: Record<string, unknown>): never => {
  throw new AppError(r.code, r.message, { rule: r.rule, ...details });
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const day = (v: unknown): Day | undefined => (isValidDay(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * A line's amount in fen: quantity × unit price, rounded half up to the fen as a till does. The
 * quantity may be decimal (2.5 吨), so it is scaled to an integer by its written decimals first —
 * 1.005 × 100 must be 100.5 → 101, which floating point alone gets wrong (100.49999…).
 */
export const lineAmount = (quantity: number, unitPriceFen: number): number => {
  const decimals = /\.(\d+)$/.exec(String(quantity))?.[1]?.length ?? 0;
  const scale = 10 ** decimals;
  const product = Math.round(quantity * scale) * unitPriceFen;
  return Math.floor((2 * product + scale) / (2 * scale));
};

const CHECKS: { [K in RuleType]: (r: Extract<FormRule, { rule: K }>, form: Form, ctx: FormRuleContext) => Record<string, unknown> | void } = {
  dateAfter: (r, form) => {
    const a = day(getAt(form, r.field));
    const b = day(getAt(form, r.after));
    if (a === undefined || b === undefined) return;
    const c = compareDays(a, b);
    if (c < 0 || (c === 0 && !r.orEqual)) refuse(r, { field: r.field, after: r.after });
  },
  maxPeriod: (r, form) => {
    const end = day(getAt(form, r.field));
    const start = day(getAt(form, r.from));
    if (end === undefined || start === undefined) return;
    // A term of N years from D ends on the day before D's anniversary: 2026-03-10 + 20 years → 2046-03-09.
    const latest = addDays(addMonths(start, 12 * r.years), -1);
    if (compareDays(end, latest) > 0) refuse(r, { field: r.field, from: r.from, years: r.years, latest });
  },
  dateNotAfterToday: (r, form, ctx) => {
    const a = day(getAt(form, r.field));
    if (a !== undefined && compareDays(a, ctx.today) > 0) refuse(r, { field: r.field, today: ctx.today });
  },
  sumEquals: (r, form) => {
    const parts =
      r.items !== undefined
        ? list(getAt(form, r.items)).map((it) => num(getAt(it, `/${r.itemField ?? ''}`)))
        : (r.fields ?? []).map((f) => num(getAt(form, f)));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return;
    const expected = r.total !== undefined ? num(getAt(form, r.total)) : r.equals;
    if (expected === undefined) return;
    // Fen and per cents are integers: the sum is exact.
    const sum = (parts as number[]).reduce((s, p) => s + p, 0);
    if (sum !== expected) refuse(r, { field: r.total ?? r.items ?? r.fields?.[0], sum, expected });
  },
  lineTotal: (r, form) => {
    list(getAt(form, r.items)).forEach((it, i) => {
      const q = num(getAt(it, `/${r.quantity}`));
      const p = num(getAt(it, `/${r.unitPrice}`));
      const a = num(getAt(it, `/${r.amount}`));
      if (q === undefined || p === undefined || a === undefined || q < 0 || p < 0) return;
      const expected = lineAmount(q, p);
      if (a !== expected) refuse(r, { field: joinPointer(r.items, i, r.amount), amount: a, expected });
    });
  },
  product: (r, form) => {
    const q = num(getAt(form, r.quantity));
    const p = num(getAt(form, r.unitPrice));
    const a = num(getAt(form, r.field));
    if (q === undefined || p === undefined || a === undefined || q < 0 || p < 0) return;
    const expected = lineAmount(q, p);
    if (a !== expected) refuse(r, { field: r.field, amount: a, expected });
  },
  max: (r, form) => {
    const v = num(getAt(form, r.field));
    if (v !== undefined && v > r.max) refuse(r, { field: r.field, max: r.max });
  },
  notAbove: (r, form) => {
    const v = num(getAt(form, r.field));
    const limit = num(getAt(form, r.than));
    if (v !== undefined && limit !== undefined && v > limit) refuse(r, { field: r.field, than: r.than, max: limit });
  },
  maxShare: (r, form) => {
    const v = num(getAt(form, r.field));
    const whole = num(getAt(form, r.of));
    if (v === undefined || whole === undefined) return;
    // Compare v/whole ≤ percent/100 without division, so no rounding decides a case on the line.
    if (v * 100 > whole * r.percent) refuse(r, { field: r.field, of: r.of, percent: r.percent, max: Math.floor((whole * r.percent) / 100) });
  },
  difference: (r, form) => {
    const v = num(getAt(form, r.field));
    const a = num(getAt(form, r.minuend));
    const b = num(getAt(form, r.subtrahend));
    if (v === undefined || a === undefined || b === undefined) return;
    if (v !== a - b) refuse(r, { field: r.field, expected: a - b });
  },
  requiredIf: (r, form) => {
    const cond = getAt(form, r.when);
    const applies = r.equals !== undefined ? cond === r.equals : truthy(cond);
    if (applies && !present(getAt(form, r.field))) refuse(r, { field: r.field, when: r.when });
  },
  uniqueBy: (r, form) => {
    const seen = new Set<unknown>();
    list(getAt(form, r.items)).forEach((it, i) => {
      const v = getAt(it, `/${r.itemField}`);
      if (v === undefined) return;
      if (seen.has(v)) refuse(r, { field: joinPointer(r.items, i, r.itemField) });
      seen.add(v);
    });
  },
  datesWithin: (r, form) => {
    const from = day(getAt(form, r.from));
    const to = day(getAt(form, r.to));
    if (from === undefined || to === undefined) return;
    list(getAt(form, r.items)).forEach((it, i) => {
      const d = day(getAt(it, `/${r.itemField}`));
      if (d !== undefined && (compareDays(d, from) < 0 || compareDays(d, to) > 0)) {
        refuse(r, { field: joinPointer(r.items, i, r.itemField), from, to });
      }
    });
  },
  iou: (_r, form, ctx) => {
    const applied = checkIou(form as unknown as IouForm, ctx);
    return { lprBp: applied.lprBp, capBp: applied.capBp };
  },
};

/**
 * Runs the rules in order; the first failure throws its AppError. Returns the facts the rules
 * applied (the IOU's LPR and cap), for the contract's record.
 */
export const checkFormRules = (rules: readonly FormRule[], form: Form, ctx: FormRuleContext): Record<string, unknown> => {
  let facts: Record<string, unknown> = {};
  for (const r of rules) {
    const check = CHECKS[r.rule] as (r: FormRule, form: Form, ctx: FormRuleContext) => Record<string, unknown> | void;
    const out = check(r, form, ctx);
    if (out) facts = { ...facts, ...out };
  }
  return facts;
};

// ── reading rules from template data ─────────────────────────────────────────────────────────

/** Which properties each rule type takes: [required pointers, optional pointers, item-relative names]. */
const SHAPES: Record<RuleType, { pointers: string[]; optionalPointers?: string[]; names?: string[]; numbers?: string[] }> = {
  dateAfter: { pointers: ['field', 'after'] },
  dateNotAfterToday: { pointers: ['field'] },
  maxPeriod: { pointers: ['field', 'from'], numbers: ['years'] },
  sumEquals: { pointers: [], optionalPointers: ['items', 'total'], names: ['itemField'] },
  lineTotal: { pointers: ['items'], names: ['quantity', 'unitPrice', 'amount'] },
  product: { pointers: ['field', 'quantity', 'unitPrice'] },
  max: { pointers: ['field'], numbers: ['max'] },
  notAbove: { pointers: ['field', 'than'] },
  maxShare: { pointers: ['field', 'of'], numbers: ['percent'] },
  difference: { pointers: ['field', 'minuend', 'subtrahend'] },
  requiredIf: { pointers: ['field', 'when'] },
  uniqueBy: { pointers: ['items'], names: ['itemField'] },
  datesWithin: { pointers: ['items', 'from', 'to'], names: ['itemField'] },
  iou: { pointers: [] },
};

const isPointer = (v: unknown): v is string => typeof v === 'string' && /^(\/[^/]+)+$/.test(v);

/**
 * Checks one rule as written in template.json; a malformed rule stops its template from loading (a
 * template that checks nothing must never look like one that passed).
 */
export const parseFormRule = (raw: unknown, where: string): FormRule => {
  const bad = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('a rule must be an object');
  const r = raw as Record<string, unknown>;
  const type = r.rule as RuleType;
  const shape = SHAPES[type];
  if (!shape) return bad(`unknown rule type "${String(r.rule)}" (known: ${Object.keys(SHAPES).join(', ')})`);
  if (type !== 'iou') {
    if (typeof r.code !== 'string' || !(r.code in ERRORS)) bad(`code "${String(r.code)}" is not an error code of shared/errors.ts`);
    if (typeof r.message !== 'string' || r.message.trim() === '') bad('needs a message for the user');
  }
  for (const p of shape.pointers) if (!isPointer(r[p])) bad(`${p} must be a JSON pointer like "/endDate"`);
  for (const p of shape.optionalPointers ?? []) if (r[p] !== undefined && !isPointer(r[p])) bad(`${p} must be a JSON pointer`);
  for (const n of shape.names ?? []) if (r[n] !== undefined && (typeof r[n] !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(r[n] as string))) bad(`${n} must be a property name`);
  for (const n of shape.numbers ?? []) if (typeof r[n] !== 'number' || !Number.isFinite(r[n])) bad(`${n} must be a number`);
  if (type === 'sumEquals') {
    const byItems = r.items !== undefined && typeof r.itemField === 'string';
    const byFields = Array.isArray(r.fields) && r.fields.length > 0 && r.fields.every(isPointer);
    if (byItems === byFields) bad('sumEquals takes either items + itemField or fields');
    if ((r.total === undefined) === (r.equals === undefined)) bad('sumEquals takes either total or equals');
  }
  if (['uniqueBy', 'datesWithin'].includes(type) && typeof r.itemField !== 'string') bad('needs itemField');
  if (type === 'lineTotal') for (const n of ['quantity', 'unitPrice', 'amount']) if (typeof r[n] !== 'string') bad(`needs ${n}, a property of each item`);
  const allowed = new Set(['rule', 'code', 'message', 'orEqual', 'equals', 'fields', ...shape.pointers, ...(shape.optionalPointers ?? []), ...(shape.names ?? []), ...(shape.numbers ?? [])]);
  for (const k of Object.keys(r)) if (!allowed.has(k)) bad(`unknown property "${k}" for rule ${type}`);
  return r as unknown as FormRule;
};

/**
 * Every JSON pointer a rule reads, as [pointer into the form, or into each element of an array]:
 * the template loader resolves them against the form schema so a typo fails at load, not silently.
 * Read off SHAPES, the same table parseFormRule checks, so a new rule type is described once:
 * its pointers (and a sumEquals' `fields`) point into the form, its names into each of `items`.
 */
export const rulePointers = (r: FormRule): Array<{ pointer: string; itemOf?: string }> => {
  const shape = SHAPES[r.rule];
  const props = r as unknown as Record<string, string | string[] | undefined>;
  const items = props.items as string | undefined;
  const pointers = [...shape.pointers, ...(shape.optionalPointers ?? [])].map((k) => props[k] as string | undefined);
  if (r.rule === 'sumEquals') pointers.push(...(r.fields ?? []));
  const names = items === undefined ? [] : (shape.names ?? []).map((k) => props[k] as string | undefined);
  return [
    ...pointers.filter((p): p is string => p !== undefined).map((pointer) => ({ pointer })),
    ...names.filter((n): n is string => n !== undefined).map((n) => ({ pointer: `/${n}`, itemOf: items })),
  ];
};
