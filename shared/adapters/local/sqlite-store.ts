/**
 * The embedded Store adapter: one SQLite file through `libsql` (better-sqlite3's synchronous API).
 *
 * - WAL, busy_timeout 5 s, synchronous=NORMAL; writes that must be atomic run in
 *   `BEGIN IMMEDIATE`, so connections in other threads/processes on the same file serialize on
 *   the write lock instead of failing half-way.
 * - Schema (tables, indexed fields as columns, multikey side tables) is created once on open
 *   (sqlite-schema.ts); every write binds the indexed fields' columns from the document object
 *   (`columnValue`), so SQLite never parses a document to index it; filters compile to
 *   parameterised SQL (sqlite-filter.ts).
 * - Prepared statements are cached per SQL text (which names its collection), bounded LRU.
 * - Rows are mapped explicitly (`raw()` arrays): libsql row objects carry `_metadata`.
 * - `commit` runs every write and append between one `BEGIN IMMEDIATE` and its `COMMIT` with no
 *   await in between, so nothing else in this process or any other can write in the middle.
 * - `testHooks.beforeWrite` (tests only) is awaited before the write lock is taken; without a hook
 *   a write adds no await at all.
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import Database from 'libsql';
import {
  commitWrites,
  namesADocumentTwice,
  StoreDuplicateError,
  type Append,
  type CasWrite,
  type CommitResult,
  type Doc,
  type Filter,
  type FindOptions,
  type Store,
  type StoreTestHooks,
} from '../../ports/store';
import { ALL_COLLECTIONS, type CollectionSpec } from '../../store/collections';
import { compileCount, compileFind, type Param } from './sqlite-filter';
import { ensureSchema, tableInfo, type TableInfo } from './sqlite-schema';

const BUSY_TIMEOUT_MS = 5000;
const STATEMENT_CACHE_SIZE = 256;
const CONFLICT: CommitResult = { ok: false, reason: 'conflict' };

type Row = [version: number, doc: string];

interface TableSql {
  info: TableInfo;
  /** The document's own columns' values, in the order the insert and CAS statements bind them. */
  columns: (doc: Doc) => Param[];
  get: string;
  insert: string;
  cas: string;
  remove: string;
}

/** A unique constraint (primary key `_id` or a unique index) refused the write. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('_id must be a non-empty string');
  return id;
}

function checkVersion(v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TypeError('expectedVersion must be an integer >= 0');
  return v as number;
}

/** The stored JSON: the document without `version` (the column owns it). */
function serialize(doc: Doc): string {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new TypeError('document must be an object');
  checkId(doc._id);
  if (!('version' in doc)) return JSON.stringify(doc);
  const { version: _ignored, ...rest } = doc;
  return JSON.stringify(rest);
}

/**
 * What `json_extract(doc, '$.<path>')` gives for the stored JSON of `doc`, computed on the object:
 * strings and finite numbers as they are, booleans as 1/0, objects and arrays as their JSON,
 * missing/null (and anything JSON drops) as NULL.
 */
export function columnValue(doc: Doc, path: readonly string[]): Param {
  let v: unknown = doc;
  for (const key of path) {
    v = toJsonValue(v);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[key];
  }
  v = toJsonValue(v);
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v ? 1 : 0;
    case 'object':
      return v === null ? null : JSON.stringify(v);
    default:
      return null;
  }
}

/** An array field's column: its JSON as stored (the side table's triggers read it), NULL when missing. */
export function arrayColumnValue(doc: Doc, path: readonly string[]): Param {
  let v: unknown = doc;
  for (const key of path) {
    v = toJsonValue(v);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = (v as Record<string, unknown>)[key];
  }
  const json = v === undefined ? undefined : JSON.stringify(v);
  return json === undefined ? null : json;
}

const toJsonValue = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;

function toDoc<T extends Doc>(row: Row): T {
  const doc = JSON.parse(row[1]) as T;
  doc.version = row[0];
  return doc;
}

class SqliteStore implements Store {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly tables = new Map<string, TableSql>();
  private readonly begin: Database.Statement;
  private readonly commitTx: Database.Statement;
  private readonly rollback: Database.Statement;
  testHooks?: StoreTestHooks;

  constructor(private readonly db: Database.Database, specs: CollectionSpec[]) {
    for (const spec of specs) {
      const info = tableInfo(spec);
      const cols = [...info.columns.values(), ...info.arrayColumns.values()];
      const paths = [...info.columns.keys()].map((f) => f.split('.'));
      const arrayPaths = [...info.arrayColumns.keys()].map((f) => f.split('.'));
      this.tables.set(spec.name, {
        info,
        columns: (doc) => [...paths.map((p) => columnValue(doc, p)), ...arrayPaths.map((p) => arrayColumnValue(doc, p))],
        get: `SELECT version, doc FROM ${info.table} WHERE _id = ?`,
        insert: `INSERT INTO ${info.table} (_id, version, doc${cols.map((c) => `, ${c}`).join('')}) VALUES (?, 1, ?${cols.map(() => ', ?').join('')})`,
        cas: `UPDATE ${info.table} SET version = version + 1, doc = ?${cols.map((c) => `, ${c} = ?`).join('')} WHERE _id = ? AND version = ?`,
        remove: `DELETE FROM ${info.table} WHERE _id = ?`,
      });
    }
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commitTx = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  private table(collection: string): TableSql {
    const t = this.tables.get(collection);
    if (!t) throw new Error(`unknown collection ${JSON.stringify(collection)}`);
    return t;
  }

  /** Prepared once per SQL text; rows come back as arrays (`raw`), never as libsql row objects. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s) {
      // LRU: move to the back.
      this.statements.delete(sql);
    } else {
      s = this.db.prepare(sql);
      if (s.reader) s.raw(true);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        this.statements.delete(this.statements.keys().next().value as string);
      }
    }
    this.statements.set(sql, s);
    return s;
  }

  private run(sql: string, params: Param[]): number {
    return this.stmt(sql).run(params).changes;
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | null> {
    const t = this.table(collection);
    const row = this.stmt(t.get).get([checkId(id)]) as Row | undefined;
    return row ? toDoc<T>(row) : null;
  }

  async insert(collection: string, doc: Doc): Promise<void> {
    const t = this.table(collection);
    const json = serialize(doc);
    if (this.testHooks?.beforeWrite) await this.testHooks.beforeWrite({ op: 'insert', writes: [{ collection, doc, expectedVersion: 0 }], appends: [] });
    try {
      this.run(t.insert, [doc._id, json, ...t.columns(doc)]);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreDuplicateError(collection, doc._id);
      throw err;
    }
  }

  async compareAndSet(collection: string, doc: Doc, expectedVersion: number): Promise<boolean> {
    const t = this.table(collection);
    const json = serialize(doc);
    const expected = checkVersion(expectedVersion);
    if (this.testHooks?.beforeWrite) await this.testHooks.beforeWrite({ op: 'compareAndSet', writes: [{ collection, doc, expectedVersion }], appends: [] });
    try {
      return this.run(t.cas, [json, ...t.columns(doc), doc._id, expected]) === 1;
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreDuplicateError(collection, doc._id);
      throw err;
    }
  }

  commit(writes: CasWrite | readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(writes: readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(write: CasWrite, appends?: readonly Append[]): Promise<CommitResult>;
  async commit(input: CasWrite | readonly CasWrite[], appends: readonly Append[] = []): Promise<CommitResult> {
    // Validate and serialize everything before taking the write lock.
    const writes = commitWrites(input);
    const steps: Array<[sql: string, params: Param[], mustChange: boolean]> = [];
    for (const w of writes) {
      const t = this.table(w.collection);
      const expected = checkVersion(w.expectedVersion);
      const json = serialize(w.doc);
      // An insert that finds the _id taken fails on the primary key; a CAS that changes no row lost.
      if (expected === 0) steps.push([t.insert, [w.doc._id, json, ...t.columns(w.doc)], false]);
      else steps.push([t.cas, [json, ...t.columns(w.doc), w.doc._id, expected], true]);
    }
    for (const a of appends) {
      const t = this.table(a.collection);
      for (const d of a.docs) steps.push([t.insert, [d._id, serialize(d), ...t.columns(d)], false]);
    }
    if (this.testHooks?.beforeWrite) await this.testHooks.beforeWrite({ op: 'commit', writes, appends });
    // Two writes of one document in one transaction: the second would see the first's version.
    if (namesADocumentTwice(writes, appends)) return CONFLICT;

    this.begin.run([]);
    try {
      for (const [sql, params, mustChange] of steps) {
        if (this.run(sql, params) !== 1 && mustChange) {
          this.rollback.run([]);
          return CONFLICT;
        }
      }
      this.commitTx.run([]);
      const versions = writes.map((w) => w.expectedVersion + 1);
      return { ok: true, version: versions[0]!, versions };
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run([]);
      if (isUniqueViolation(err)) return CONFLICT;
      throw err;
    }
  }

  async find<T extends Doc = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]> {
    const { sql, params } = compileFind(this.table(collection).info, filter, options);
    const rows = this.stmt(sql).all(params) as Row[];
    const docs = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) docs[i] = toDoc<T>(rows[i]!);
    return docs;
  }

  async count(collection: string, filter: Filter): Promise<number> {
    const { sql, params } = compileCount(this.table(collection).info, filter);
    const row = this.stmt(sql).get(params) as [number];
    return row[0];
  }

  async remove(collection: string, id: string): Promise<void> {
    this.run(this.table(collection).remove, [checkId(id)]);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.statements.clear();
    this.db.close();
  }
}

/**
 * Opens (creating if needed) the SQLite store at `path` (`':memory:'` for a private in-memory
 * database) with the given collections' tables and indexes.
 */
export function openSqliteStore(path: string, collections: CollectionSpec[] = ALL_COLLECTIONS): Store {
  const memory = path === ':memory:' || path === '';
  if (!memory) fs.mkdirSync(nodePath.dirname(nodePath.resolve(path)), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`); // first, so the pragmas below wait for locks too
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    ensureSchema(db, collections);
    return new SqliteStore(db, collections);
  } catch (err) {
    db.close();
    throw err;
  }
}
