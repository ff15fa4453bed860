/**
 * DDL for the SQLite store, derived from the collection specs (shared/store/collections.ts).
 *
 * Per collection `c`:
 * - table `"c"(_id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)`; `doc` is the
 *   document's JSON without `version` (the column owns it);
 * - one expression index `ix_c__<index>` per declared index, on `json_extract(doc, '$.field')`
 *   (the compiler's own `fieldExpr`), with `_id` appended to non-unique ones so that
 *   `ORDER BY …, _id` paging is read straight off the index. A unique index treats missing/null
 *   values as distinct (a partial/sparse unique index);
 * - per array field `f` (a MongoDB multikey index): side table `c__f(value, _id)` keyed by
 *   (value, _id) plus an index on `_id`, kept in step by triggers, so every write maintains it in
 *   its own transaction. Only string and number elements are indexed. In a declared index the
 *   array field is served by the side table; the fields before it (if any) get a table index.
 *
 * `ensureSchema` runs once per open: it compares the wanted objects with `sqlite_master` (whose
 * `sql` column keeps our statements verbatim) and only takes the write lock when something is
 * missing or changed. The specs are the truth: a changed index or trigger is recreated, and our
 * indexes/triggers that the specs no longer declare are dropped (a side table of an undeclared
 * array field is left in place and rebuilt if the field is declared again).
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
}

interface SchemaObject {
  type: 'table' | 'index' | 'trigger';
  name: string;
  sql: string;
  /** Run right after creating the object: refills a side table whose insert trigger was missing. */
  backfill?: string[];
}

export function tableInfo(spec: CollectionSpec): TableInfo {
  if (!NAME.test(spec.name)) throw new Error(`invalid collection name ${JSON.stringify(spec.name)}`);
  const sideTables = new Map<string, string>();
  for (const f of spec.arrayFields ?? []) {
    checkField(f);
    sideTables.set(f, q(sideTableName(spec.name, f)));
  }
  return { name: spec.name, table: q(spec.name), sideTables };
}

const sideTableName = (coll: string, field: string): string => `${coll}__${field.replace(/\./g, '_')}`;

function indexObject(spec: CollectionSpec, index: IndexSpec, arrays: Set<string>): SchemaObject | undefined {
  if (!NAME.test(index.name)) throw new Error(`invalid index name ${JSON.stringify(index.name)}`);
  const firstArray = index.fields.findIndex(([f]) => arrays.has(f));
  if (firstArray >= 0 && index.unique) {
    throw new Error(`${spec.name}.${index.name}: a unique index cannot contain an array field`);
  }
  const fields = firstArray >= 0 ? index.fields.slice(0, firstArray) : index.fields;
  if (fields.length === 0) return undefined; // served by the side table
  const cols = fields.map(([f, dir]) => `${fieldExpr(f)}${dir === 'desc' ? ' DESC' : ''}`);
  if (!index.unique && !fields.some(([f]) => f === '_id')) cols.push('_id');
  const name = `ix_${spec.name}__${index.name}`;
  return {
    type: 'index',
    name,
    sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(spec.name)} (${cols.join(', ')})`,
  };
}

function sideObjects(coll: string, field: string): SchemaObject[] {
  const side = sideTableName(coll, field);
  const path = `'$.${field}'`;
  const fill = (src: string): string =>
    `INSERT OR IGNORE INTO ${q(side)} (value, _id) SELECT value, ${src}._id FROM json_each(${src}.doc, ${path}) ` +
    `WHERE type IN ('text', 'integer', 'real') AND json_type(${src}.doc, ${path}) <> 'object'`;
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
        `CREATE TRIGGER ${q(tr('upd'))} AFTER UPDATE OF doc ON ${q(coll)} ` +
        `WHEN json_extract(OLD.doc, ${path}) IS NOT json_extract(NEW.doc, ${path}) ` +
        `BEGIN DELETE FROM ${q(side)} WHERE _id = OLD._id; ${fill('NEW')}; END`,
    },
    {
      type: 'trigger',
      name: tr('del'),
      sql: `CREATE TRIGGER ${q(tr('del'))} AFTER DELETE ON ${q(coll)} BEGIN DELETE FROM ${q(side)} WHERE _id = OLD._id; END`,
    },
  ];
}

/** Every object, in creation order (tables before their indexes and triggers). */
export function schemaObjects(spec: CollectionSpec): SchemaObject[] {
  const info = tableInfo(spec);
  const arrays = new Set(info.sideTables.keys());
  const objects: SchemaObject[] = [
    {
      type: 'table',
      name: spec.name,
      sql: `CREATE TABLE ${q(spec.name)} (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL)`,
    },
  ];
  for (const f of arrays) objects.push(...sideObjects(spec.name, f));
  for (const index of spec.indexes) {
    const o = indexObject(spec, index, arrays);
    if (o) objects.push(o);
  }
  return objects;
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
  for (const spec of specs) {
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
  return steps;
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
