/**
 * Compiles the store port's `Filter` / `FindOptions` into SQLite SQL over a collection table
 * `(_id TEXT PRIMARY KEY, version INTEGER, doc TEXT)` (see sqlite-schema.ts).
 *
 * Every value is a bound parameter. Field names are validated; an indexed field is read from its
 * own column (sqlite-schema.ts `columnExpr`, the column its index is on, holding exactly what
 * `json_extract(doc, '$.field')` gives), so the queries are index-backed; any other field becomes
 * a JSON-path literal inside `json_extract(doc, '$.field')`.
 *
 * Semantics (MongoDB / CloudBase-like, documented in shared/ports/store.ts):
 * - `{f: null}` / `{$eq: null}` matches a missing field or a null; `{$ne: null}` the opposite;
 *   `$ne: x` also matches a missing field; `$in` containing null also matches a missing field.
 * - Type-aware: a number never equals a string or a boolean; a string never equals an object or
 *   array; range operators only compare within the type of the operand (numbers with numbers,
 *   strings with strings; booleans, nulls and missing never match a range).
 * - On a declared array field (`CollectionSpec.arrayFields`), a scalar condition means "some
 *   element": it is answered from the side table `<coll>__<field>(value, _id)`.
 */
import type { Filter, FindOptions } from '../../ports/store';
import { columnExpr, type TableInfo } from './sqlite-schema';

/** What is bound: libsql accepts strings, numbers and null (a bound boolean aborts the process). */
export type Param = string | number | null;

const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const OPS = new Set(['$eq', '$ne', '$in', '$lt', '$lte', '$gt', '$gte']);
const RANGE_SQL = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' } as const;
type RangeOp = keyof typeof RANGE_SQL;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function checkField(field: string): void {
  if (typeof field !== 'string' || !FIELD.test(field) || field.split('.').includes('')) {
    throw new Error(`invalid field name ${JSON.stringify(field)}`);
  }
}

/** `_id` and `version` are columns; every other field is a JSON path into `doc`. */
export function fieldExpr(field: string): string {
  if (field === '_id' || field === 'version') return field;
  checkField(field);
  return `json_extract(doc, '$.${field}')`;
}

const typeExpr = (field: string): string => `json_type(doc, '$.${field}')`;

type Scalarish = string | number | boolean | null;

function checkScalar(field: string, v: unknown): Scalarish {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new Error(`filter on ${field}: value must be a string, finite number, boolean or null`);
}

function checkRangeOperand(field: string, op: string, v: unknown): string | number {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new Error(`filter on ${field}: ${op} needs a string or a finite number`);
}

/** Could a string in this range start with `c` (a one-character ASCII prefix)? */
function rangeAdmitsPrefix(op: RangeOp, v: string, c: string): boolean {
  const next = String.fromCharCode(c.charCodeAt(0) + 1);
  switch (op) {
    case '$lt':
      return c < v;
    case '$lte':
      return c <= v;
    default:
      return v < next;
  }
}

/** Could a number in this range be 0 or 1 (which is what json_extract makes of false/true)? */
function rangeAdmitsBool(op: RangeOp, v: number): boolean {
  switch (op) {
    case '$lt':
      return v > 0;
    case '$lte':
      return v >= 0;
    case '$gt':
      return v < 1;
    default:
      return v <= 1;
  }
}

const looksLikeJsonContainer = (s: string): boolean => s.startsWith('{') || s.startsWith('[');

class Builder {
  readonly params: Param[] = [];
  constructor(private readonly info: TableInfo) {}

  bind(v: Param): string {
    this.params.push(v);
    return '?';
  }

  condition(field: string, cond: unknown): string {
    if (cond === undefined) throw new Error(`filter on ${field}: undefined condition`);
    if (cond === null || typeof cond !== 'object') return this.eq(field, checkScalar(field, cond));
    if (Array.isArray(cond)) throw new Error(`filter on ${field}: arrays are not conditions (use $in)`);
    const entries = Object.entries(cond as Record<string, unknown>);
    if (entries.length === 0) throw new Error(`filter on ${field}: empty operator object`);
    const parts: string[] = [];
    for (const [op, v] of entries) {
      if (!OPS.has(op)) throw new Error(`filter on ${field}: unsupported operator ${op}`);
      if (v === undefined) throw new Error(`filter on ${field}: ${op} is undefined`);
      if (op === '$eq') parts.push(this.eq(field, checkScalar(field, v)));
      else if (op === '$ne') parts.push(this.ne(field, checkScalar(field, v)));
      else if (op === '$in') parts.push(this.in(field, v));
      else parts.push(this.range(field, op as RangeOp, checkRangeOperand(field, op, v)));
    }
    return parts.join(' AND ');
  }

  private column(field: string): 'string' | 'number' | undefined {
    return field === '_id' ? 'string' : field === 'version' ? 'number' : undefined;
  }

  private side(field: string): string | undefined {
    return this.info.sideTables.get(field);
  }

  private sideIn(side: string, where: string): string {
    return `_id IN (SELECT _id FROM ${side} WHERE ${where})`;
  }

  eq(field: string, v: Scalarish): string {
    const col = this.column(field);
    if (col) return v !== null && typeof v === col ? `${field} = ${this.bind(v as Param)}` : '0';
    const e = columnExpr(this.info, field);
    if (v === null) return `${e} IS NULL`;
    const side = this.side(field);
    if (side) {
      if (typeof v === 'boolean') throw new Error(`filter on ${field}: booleans are not indexed in array fields`);
      return this.sideIn(side, `value = ${this.bind(v)}`);
    }
    if (typeof v === 'boolean') {
      return `(${e} = ${this.bind(v ? 1 : 0)} AND ${typeExpr(field)} = '${v ? 'true' : 'false'}')`;
    }
    if (typeof v === 'number' && (v === 0 || v === 1)) {
      return `(${e} = ${this.bind(v)} AND ${typeExpr(field)} IN ('integer', 'real'))`;
    }
    if (typeof v === 'string' && looksLikeJsonContainer(v)) {
      return `(${e} = ${this.bind(v)} AND ${typeExpr(field)} = 'text')`;
    }
    return `${e} = ${this.bind(v)}`;
  }

  ne(field: string, v: Scalarish): string {
    const col = this.column(field);
    if (col) return v !== null && typeof v === col ? `${field} <> ${this.bind(v as Param)}` : '1';
    const e = columnExpr(this.info, field);
    if (v === null) return `${e} IS NOT NULL`;
    const side = this.side(field);
    if (side) {
      if (typeof v === 'boolean') throw new Error(`filter on ${field}: booleans are not indexed in array fields`);
      return `_id NOT IN (SELECT _id FROM ${side} WHERE value = ${this.bind(v)})`;
    }
    return `(${e} IS NULL OR NOT (${this.eq(field, v)}))`;
  }

  in(field: string, list: unknown): string {
    if (!Array.isArray(list)) throw new Error(`filter on ${field}: $in needs an array`);
    const values = list.map((v) => checkScalar(field, v));
    if (values.length === 0) return '0';
    const col = this.column(field);
    if (col) {
      const ok = values.filter((v) => v !== null && typeof v === col) as Param[];
      return ok.length ? `${field} IN (${ok.map((v) => this.bind(v)).join(', ')})` : '0';
    }
    const e = columnExpr(this.info, field);
    const hasNull = values.includes(null);
    const side = this.side(field);
    const ors: string[] = [];
    if (side) {
      const nonNull = values.filter((v) => v !== null);
      if (nonNull.some((v) => typeof v === 'boolean')) {
        throw new Error(`filter on ${field}: booleans are not indexed in array fields`);
      }
      if (nonNull.length) {
        ors.push(this.sideIn(side, `value IN (${nonNull.map((v) => this.bind(v as Param)).join(', ')})`));
      }
    } else {
      const plain: Param[] = [];
      const special: Scalarish[] = [];
      for (const v of values) {
        if (v === null) continue;
        const needsGuard =
          typeof v === 'boolean' || v === 0 || v === 1 || (typeof v === 'string' && looksLikeJsonContainer(v));
        if (needsGuard) special.push(v);
        else plain.push(v as Param);
      }
      if (plain.length) ors.push(`${e} IN (${plain.map((v) => this.bind(v)).join(', ')})`);
      for (const v of special) ors.push(this.eq(field, v));
    }
    if (hasNull) ors.push(`${e} IS NULL`);
    return ors.length === 1 ? ors[0]! : `(${ors.join(' OR ')})`;
  }

  range(field: string, op: RangeOp, v: string | number): string {
    const sqlOp = RANGE_SQL[op];
    const col = this.column(field);
    if (col) return typeof v === col ? `${field} ${sqlOp} ${this.bind(v)}` : '0';
    const side = this.side(field);
    // SQLite orders NULL < numbers < text: bound the other side so only the operand's type matches.
    if (side) {
      const guard = typeof v === 'number' ? `value < ''` : `value >= ''`;
      return this.sideIn(side, `value ${sqlOp} ${this.bind(v)} AND ${guard}`);
    }
    const e = columnExpr(this.info, field);
    const parts = [`${e} ${sqlOp} ${this.bind(v)}`];
    if (typeof v === 'number') {
      if (op === '$gt' || op === '$gte') parts.push(`${e} < ''`);
      if (rangeAdmitsBool(op, v)) parts.push(`${typeExpr(field)} IN ('integer', 'real')`);
    } else {
      if (op === '$lt' || op === '$lte') parts.push(`${e} >= ''`);
      if (rangeAdmitsPrefix(op, v, '[') || rangeAdmitsPrefix(op, v, '{')) parts.push(`${typeExpr(field)} = 'text'`);
    }
    return parts.join(' AND ');
  }
}

export interface CompiledSql {
  sql: string;
  params: Param[];
}

/**
 * A contains-condition on an array field (equality or `$in` of strings/numbers) drives the query:
 * the matching `_id`s are read from the side table's primary key and joined (CROSS JOIN fixes
 * the loop order) to the table. Without statistics SQLite would otherwise often prefer any other
 * equality index, e.g. walk every contract in a state to find one member's.
 */
function driverValues(info: TableInfo, field: string, cond: unknown): Param[] | undefined {
  if (!info.sideTables.has(field)) return undefined;
  const ok = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  if (ok(cond)) return [cond as Param];
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) return undefined;
  const keys = Object.keys(cond);
  if (keys.length !== 1) return undefined;
  const c = cond as { $eq?: unknown; $in?: unknown };
  if (keys[0] === '$eq' && ok(c.$eq)) return [c.$eq as Param];
  if (keys[0] === '$in' && Array.isArray(c.$in) && c.$in.length > 0 && c.$in.every(ok)) return c.$in as Param[];
  return undefined;
}

function from(info: TableInfo, filter: Filter, b: Builder): { from: string; where: string } {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw new Error('filter must be an object');
  const entries = Object.entries(filter);
  for (const [field] of entries) if (field !== '_id' && field !== 'version') checkField(field);
  // The driver's parameters come first: the FROM clause precedes the WHERE clause.
  let source = info.table;
  let driverField: string | undefined;
  for (const [field, cond] of entries) {
    const values = driverValues(info, field, cond);
    if (!values) continue;
    const side = info.sideTables.get(field)!;
    const match =
      values.length === 1
        ? `SELECT _id AS mid FROM ${side} WHERE value = ${b.bind(values[0]!)}`
        : `SELECT DISTINCT _id AS mid FROM ${side} WHERE value IN (${values.map((v) => b.bind(v)).join(', ')})`;
    source = `(${match}) AS m CROSS JOIN ${info.table} ON _id = m.mid`;
    driverField = field;
    break;
  }
  const parts: string[] = [];
  for (const [field, cond] of entries) if (field !== driverField) parts.push(b.condition(field, cond));
  return { from: source, where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '' };
}

function orderBy(info: TableInfo, options: FindOptions): string {
  const keys: string[] = [];
  let hasId = false;
  for (const key of options.orderBy ?? []) {
    const [field, dir] = key;
    if (dir !== 'asc' && dir !== 'desc') throw new Error(`orderBy ${field}: direction must be asc or desc`);
    keys.push(`${columnExpr(info, field)} ${dir === 'asc' ? 'ASC' : 'DESC'}`);
    if (field === '_id') {
      hasId = true;
      break; // _id is unique: later keys cannot matter
    }
  }
  if (!hasId) keys.push('_id ASC');
  return ` ORDER BY ${keys.join(', ')}`;
}

function pageSize(options: FindOptions): [limit: number, skip: number] {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const skip = options.skip ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError('skip must be an integer >= 0');
  return [Math.min(limit, MAX_LIMIT), skip];
}

/** `SELECT version, doc FROM <table> WHERE … ORDER BY …, _id ASC LIMIT ? OFFSET ?` */
export function compileFind(info: TableInfo, filter: Filter, options: FindOptions = {}): CompiledSql {
  const b = new Builder(info);
  const q = from(info, filter, b);
  const [limit, skip] = pageSize(options);
  const sql = `SELECT version, doc FROM ${q.from}${q.where}${orderBy(info, options)} LIMIT ? OFFSET ?`;
  return { sql, params: [...b.params, limit, skip] };
}

export function compileCount(info: TableInfo, filter: Filter): CompiledSql {
  const b = new Builder(info);
  const q = from(info, filter, b);
  return { sql: `SELECT count(*) FROM ${q.from}${q.where}`, params: b.params };
}
