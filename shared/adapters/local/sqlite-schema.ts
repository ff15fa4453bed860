/**
 * DDL for the SQLite store, derived from the collection specs (shared/store/collections.ts).
 *
 * Per collection `c`:
 * - table `"c"(_id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL, …)`; `doc` is
 *   the document's JSON without `version` (the column owns it);
 * - every field a declared index names is also a real column `"f.<field>"`, written by the store
 *   with the document (sqlite-store.ts `columnValue`: the value `json_extract(doc, '$.field')`
 *   would give), and the indexes `ix_c__<index>` are on those columns, with `_id` appended to
 *   non-unique ones so that `ORDER BY …, _id` paging is read straight off the index. Why columns:
 *   an index on a JSON expression makes SQLite parse the whole document once per index on every
 *   write (+40–45% per write on a 4 KB contract, issue 17); a bound column costs nothing to parse.
 *   A unique index treats missing/null values as distinct (a partial/sparse unique index);
 * - per array field `f` (a MongoDB multikey index): the field's JSON in column `"a.<field>"`, and
 *   side table `c__f(value, _id)` keyed by (value, _id) plus an index on `_id`, kept in step by
 *   triggers on that column (they parse the small array, never the document), so every write
 *   maintains it in its own transaction. Only string and number elements are indexed. In a
 *   declared index the array field is served by the side table; the fields before it (if any)
 *   get a table index.
 *
 * `ensureSchema` runs once per open: it compares the wanted objects with `sqlite_master` (whose
 * `sql` column keeps our statements verbatim) and the table's columns with `table_info`, and only
 * takes the write lock when something is missing or changed. The specs are the truth: a missing
 * column is added and filled from the documents (this is also the migration of data files from
 * before the columns, whose JSON-expression indexes are replaced), a changed index or trigger is
 * recreated, and our indexes, triggers and columns that the specs no longer declare are dropped (a
 * side table of an undeclared array field is left in place and rebuilt if the field is declared
 * again).
 */
import type Database from 'libsql';
import type { CollectionSpec, IndexSpec } from '../../store/collections';
import { checkField, fieldExpr } from './sqlite-filter';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const q = (name: string): string => `"${name}"`;

export interface TableInfo {
  name: string;
  /** Quoted table name. */
  table: string;
  /** Array field → quoted side-table name. */
  sideTables: Map<string, string>;
  /** Indexed scalar field → quoted column name (`"f.<field>"`), in declaration order. */
  columns: Map<string, string>;
  /** Array field → quoted column holding its JSON (`"a.<field>"`). */
  arrayColumns: Map<string, string>;
}

interface SchemaObject {
  type: 'table' | 'index' | 'trigger';
  name: string;
  sql: string;
  /** Run right after creating the object: refills a side table whose insert trigger was missing. */
  backfill?: string[];
}

const infoCache = new WeakMap<CollectionSpec, TableInfo>();

export function tableInfo(spec: CollectionSpec): TableInfo {
  const cached = infoCache.get(spec);
  if (cached) return cached;
  if (!NAME.test(spec.name)) throw new Error(`invalid collection name ${JSON.stringify(spec.name)}`);
  const sideTables = new Map<string, string>();
  const arrayColumns = new Map<string, string>();
  for (const f of spec.arrayFields ?? []) {
    checkField(f);
    sideTables.set(f, q(sideTableName(spec.name, f)));
    arrayColumns.set(f, q(`${ARRAY_PREFIX}${f}`));
  }
  const columns = new Map<string, string>();
  for (const index of spec.indexes) {
    for (const [f] of indexedFields(index, sideTables)) {
      if (f === '_id' || f === 'version' || columns.has(f)) continue;
      checkField(f);
      columns.set(f, q(`${FIELD_PREFIX}${f}`));
    }
  }
  const info = { name: spec.name, table: q(spec.name), sideTables, columns, arrayColumns };
  infoCache.set(spec, info);
  return info;
}

const FIELD_PREFIX = 'f.';
const ARRAY_PREFIX = 'a.';
const isOwnColumn = (name: string): boolean => name.startsWith(FIELD_PREFIX) || name.startsWith(ARRAY_PREFIX);

/** The fields of an index that a table index covers: those before its first array field. */
function indexedFields(index: IndexSpec, arrays: { has(f: string): boolean }): IndexSpec['fields'] {
  const firstArray = index.fields.findIndex(([f]) => arrays.has(f));
  return firstArray >= 0 ? index.fields.slice(0, firstArray) : index.fields;
}

const sideTableName = (coll: string, field: string): string => `${coll}__${field.replace(/\./g, '_')}`;

function indexObject(spec: CollectionSpec, index: IndexSpec, info: TableInfo): SchemaObject | undefined {
  if (!NAME.test(index.name)) throw new Error(`invalid index name ${JSON.stringify(index.name)}`);
  const fields = indexedFields(index, info.sideTables);
  if (fields.length < index.fields.length && index.unique) {
    throw new Error(`${spec.name}.${index.name}: a unique index cannot contain an array field`);
  }
  if (fields.length === 0) return undefined; // served by the side table
  const cols = fields.map(([f, dir]) => `${columnExpr(info, f)}${dir === 'desc' ? ' DESC' : ''}`);
  if (!index.unique && !fields.some(([f]) => f === '_id')) cols.push('_id');
  const name = `ix_${spec.name}__${index.name}`;
  return {
    type: 'index',
    name,
    sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(spec.name)} (${cols.join(', ')})`,
  };
}

/** The column a field is read from: `_id`, `version`, its own column, or else a JSON path into `doc`. */
export function columnExpr(info: TableInfo, field: string): string {
  return info.columns.get(field) ?? fieldExpr(field);
}

function sideObjects(coll: string, field: string, column: string): SchemaObject[] {
  const side = sideTableName(coll, field);
  // The column holds the field's JSON (a scalar's too: json_each of a scalar is that one value).
  const fill = (src: string): string =>
    `INSERT OR IGNORE INTO ${q(side)} (value, _id) SELECT value, ${src}._id FROM json_each(${src}.${column}) ` +
    `WHERE type IN ('text', 'integer', 'real') AND json_type(${src}.${column}) <> 'object'`;
  const tr = (suffix: string): string => `tr_${coll}__${field.replace(/\./g, '_')}__${suffix}`;
  return [
    {
      type: 'table',
      name: side,
      sql: `CREATE TABLE ${q(side)} (value NOT NULL, _id TEXT NOT NULL, PRIMARY KEY (value, _id)) WITHOUT ROWID`,
    },
    { type: 'index', name: `ix_${side}___id`, sql: `CREATE INDEX ${q(`ix_${side}___id`)} ON ${q(side)} (_id)` },
    {
      type: 'trigger',
      name: tr('ins'),
      sql: `CREATE TRIGGER ${q(tr('ins'))} AFTER INSERT ON ${q(coll)} BEGIN ${fill('NEW')}; END`,
      // Without this trigger the side table may have missed writes (new table, or the field was
      // undeclared for a while): rebuild it from the documents.
      backfill: [`DELETE FROM ${q(side)}`, fill('t').replace(`FROM json_each(`, `FROM ${q(coll)} t, json_each(`)],
    },
    {
      type: 'trigger',
      name: tr('upd'),
      sql:
        `CREATE TRIGGER ${q(tr('upd'))} AFTER UPDATE OF ${column} ON ${q(coll)} ` +
        `WHEN OLD.${column} IS NOT NEW.${column} ` +
        `BEGIN DELETE FROM ${q(side)} WHERE _id = OLD._id; ${fill('NEW')}; END`,
    },
    {
      type: 'trigger',
      name: tr('del'),
      sql: `CREATE TRIGGER ${q(tr('del'))} AFTER DELETE ON ${q(coll)} BEGIN DELETE FROM ${q(side)} WHERE _id = OLD._id; END`,
    },
  ];
}

/** Our columns of a table: quoted name → the SQL that fills it from `doc` (the migration's backfill). */
function ownColumns(info: TableInfo): Map<string, string> {
  const cols = new Map<string, string>();
  for (const [f, c] of info.columns) cols.set(c, `json_extract(doc, '$.${f}')`);
  // json_quote keeps an array/object as JSON and quotes a scalar: the text JSON.stringify writes.
  for (const [f, c] of info.arrayColumns) cols.set(c, `CASE WHEN json_type(doc, '$.${f}') IS NULL THEN NULL ELSE json_quote(json_extract(doc, '$.${f}')) END`);
  return cols;
}

/** Every object after the table, in creation order (indexes and triggers). */
export function schemaObjects(spec: CollectionSpec): SchemaObject[] {
  const info = tableInfo(spec);
  const objects: SchemaObject[] = [];
  for (const [f, column] of info.arrayColumns) objects.push(...sideObjects(spec.name, f, column));
  for (const index of spec.indexes) {
    const o = indexObject(spec, index, info);
    if (o) objects.push(o);
  }
  return objects;
}

const tableSql = (info: TableInfo): string =>
  `CREATE TABLE ${info.table} (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL` +
  [...ownColumns(info).keys()].map((c) => `, ${c}`).join('') +
  ')';

/** The table's steps: create it, or add (and fill) the columns it lacks and drop those no longer declared. */
function tablePlan(db: Database.Database, spec: CollectionSpec, exists: boolean): { add: string[]; drop: string[] } {
  const info = tableInfo(spec);
  if (!exists) return { add: [tableSql(info)], drop: [] };
  const have = new Set((db.prepare(`PRAGMA table_info(${info.table})`).raw().all([]) as unknown[][]).map((r) => q(String(r[1]))));
  const add: string[] = [];
  const wanted = ownColumns(info);
  for (const [c, fill] of wanted) {
    if (have.has(c)) continue;
    add.push(`ALTER TABLE ${info.table} ADD COLUMN ${c}`, `UPDATE ${info.table} SET ${c} = ${fill}`);
  }
  const drop = [...have].filter((c) => isOwnColumn(c.slice(1, -1)) && !wanted.has(c)).map((c) => `ALTER TABLE ${info.table} DROP COLUMN ${c}`);
  return { add, drop };
}

/** Objects we own that belong to `coll` (so stale ones can be dropped). */
const ownedBy = (coll: string, name: string): boolean =>
  name.startsWith(`ix_${coll}__`) || name.startsWith(`tr_${coll}__`);

function plan(db: Database.Database, specs: CollectionSpec[]): string[] {
  const existing = new Map<string, { type: string; sql: string | null }>();
  for (const row of db.prepare('SELECT type, name, sql FROM sqlite_master').raw().all([]) as [string, string, string | null][]) {
    existing.set(row[1], { type: row[0], sql: row[2] });
  }
  const wanted = new Set<string>();
  const steps: string[] = [];
  const columnDrops: string[] = [];
  for (const spec of specs) {
    const table = existing.get(spec.name);
    if (table && table.type !== 'table') throw new Error(`${spec.name} exists and is not a table`);
    const t = tablePlan(db, spec, !!table);
    steps.push(...t.add);
    columnDrops.push(...t.drop);
    wanted.add(spec.name);
    for (const o of schemaObjects(spec)) {
      wanted.add(o.name);
      const have = existing.get(o.name);
      if (have?.sql === o.sql) continue;
      if (have) {
        if (o.type === 'table') throw new Error(`table ${o.name} exists with another definition: ${have.sql}`);
        steps.push(`DROP ${have.type.toUpperCase()} ${q(o.name)}`);
      }
      steps.push(o.sql);
      if (o.backfill) steps.push(...o.backfill);
    }
  }
  for (const spec of specs) {
    for (const [name, o] of existing) {
      if (!wanted.has(name) && (o.type === 'index' || o.type === 'trigger') && ownedBy(spec.name, name)) {
        steps.push(`DROP ${o.type.toUpperCase()} ${q(name)}`);
      }
    }
  }
  // Last: a column can only be dropped once no index or trigger uses it.
  return [...steps, ...columnDrops];
}

/** Creates or updates the schema; a no-op read of sqlite_master when it is current. */
export function ensureSchema(db: Database.Database, specs: CollectionSpec[]): void {
  if (plan(db, specs).length === 0) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const sql of plan(db, specs)) db.exec(sql); // re-planned under the lock: another process may have done it
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
