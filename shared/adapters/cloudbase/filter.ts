/**
 * The store port's Filter / FindOptions → a CloudBase query built with `db.command`, checked the
 * way every Store adapter must check it (shared/ports/store.ts): plain dotted field names only,
 * the seven known operators, scalar operands, no `undefined`, no boolean on an array field, and
 * limit/skip in range. Semantics need no translation: CloudBase evaluates queries with MongoDB's
 * rules, which are the port's (null matches missing, type-aware comparisons and ranges, equality on
 * an array field means "contains").
 */
import type { Condition, Filter, FindOptions } from '../../ports/store';
import type { CollectionSpec } from '../../store/collections';

const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const RANGE = ['$lt', '$lte', '$gt', '$gte'] as const;
const OPS = new Set<string>(['$eq', '$ne', '$in', ...RANGE]);

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** The part of `db.command` this module uses. */
export interface Command {
  eq(v: unknown): CommandValue;
  neq(v: unknown): CommandValue;
  in(v: unknown[]): CommandValue;
  lt(v: unknown): CommandValue;
  lte(v: unknown): CommandValue;
  gt(v: unknown): CommandValue;
  gte(v: unknown): CommandValue;
  and(...c: CommandValue[]): CommandValue;
}
export type CommandValue = object;

export function checkField(field: string): string {
  if (typeof field !== 'string' || !FIELD.test(field) || field.split('.').includes('')) {
    throw new Error(`invalid field name ${JSON.stringify(field)}`);
  }
  return field;
}

type Scalar = string | number | boolean | null;

function scalar(field: string, v: unknown, arrayField: boolean): Scalar {
  if (typeof v === 'boolean' && arrayField) throw new Error(`filter on ${field}: booleans are not indexed in array fields`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new Error(`filter on ${field}: value must be a string, finite number, boolean or null`);
}

function rangeOperand(field: string, op: string, v: unknown): string | number {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new Error(`filter on ${field}: ${op} needs a string or a finite number`);
}

function condition(field: string, cond: Condition, arrayField: boolean, _: Command): unknown {
  if (cond === undefined) throw new Error(`filter on ${field}: undefined condition`);
  if (cond === null || typeof cond !== 'object') return scalar(field, cond, arrayField);
  if (Array.isArray(cond)) throw new Error(`filter on ${field}: an array is not a condition`);
  const parts: CommandValue[] = [];
  for (const [op, v] of Object.entries(cond)) {
    if (!OPS.has(op)) throw new Error(`filter on ${field}: unknown operator ${op}`);
    if (v === undefined) throw new Error(`filter on ${field}: ${op} is undefined`);
    switch (op) {
      case '$eq':
        parts.push(_.eq(scalar(field, v, arrayField)));
        break;
      case '$ne':
        parts.push(_.neq(scalar(field, v, arrayField)));
        break;
      case '$in':
        if (!Array.isArray(v)) throw new Error(`filter on ${field}: $in needs an array`);
        parts.push(_.in(v.map((x) => scalar(field, x, arrayField))));
        break;
      default:
        parts.push(_[op.slice(1) as 'lt' | 'lte' | 'gt' | 'gte'](rangeOperand(field, op, v)));
    }
  }
  if (parts.length === 0) throw new Error(`filter on ${field}: empty condition`);
  return parts.length === 1 ? parts[0] : _.and(...parts);
}

export function compileWhere(spec: CollectionSpec, filter: Filter, _: Command): Record<string, unknown> {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw new Error('filter must be an object');
  const arrays = new Set(spec.arrayFields ?? []);
  const where: Record<string, unknown> = {};
  for (const [field, cond] of Object.entries(filter)) {
    where[checkField(field)] = condition(field, cond, arrays.has(field), _);
  }
  return where;
}

export interface PageSpec {
  orderBy: Array<[string, 'asc' | 'desc']>;
  limit: number;
  skip: number;
}

/** Sort keys with `_id` ascending appended (the port's tie-break), limit defaulted and capped. */
export function pageSpec(options: FindOptions = {}): PageSpec {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const skip = options.skip ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError('skip must be an integer >= 0');
  const orderBy: PageSpec['orderBy'] = [];
  for (const [field, dir] of options.orderBy ?? []) {
    if (dir !== 'asc' && dir !== 'desc') throw new Error(`invalid sort direction ${JSON.stringify(dir)}`);
    orderBy.push([checkField(field), dir]);
  }
  if (!orderBy.some(([f]) => f === '_id')) orderBy.push(['_id', 'asc']);
  return { orderBy, limit: Math.min(limit, MAX_LIMIT), skip };
}
