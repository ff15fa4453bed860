/**
 * The Store port on the CloudBase database (@cloudbase/node-sdk), a straight mapping of the port
 * (shared/ports/store.ts):
 *
 *   get           doc(id).get()
 *   insert        add({_id, ..., version: 1})
 *   compareAndSet doc(id).get() for the stored field names, then
 *                 where({_id, version}).options({multiple:false}).update(set every field,
 *                 remove the vanished ones, version+1)  — `updated === 1` is the won CAS
 *   commit        db.runTransaction: doc(id).get of every compare-and-set target → check every
 *                 version (else rollback: conflict) → doc(id).set per compare-and-set, add per
 *                 insert and per appended document
 *   find / count  where(filter).orderBy(…, _id).skip().limit().get() / .count()
 *
 * Why these shapes:
 * - A transaction admits single-document operations only (https://docs.cloudbase.net/database/
 *   transaction: get, add, delete, update, set on `transaction.collection(c).doc(id)`; the SDK,
 *   @cloudbase/database src/transaction/index.ts, gives the transaction a collection whose
 *   DocumentReference sends `transactionId` with getDocument / modifyDocument / insertDocument /
 *   removeDocument), and `where(...).update()` inside one is NOT part of it (the SDK sends it
 *   without the transaction id), hence get/check/set by `_id`. `set` is a whole replacement
 *   (modifyDocument merge:false), which is the port's compare-and-set; every read comes before
 *   the first write, so a lost version writes nothing at all. Calls on one transaction go one at a
 *   time (a MongoDB session does not take concurrent operations).
 *   A conflicting transaction gets DATABASE_TRANSACTION_CONFLICT and runTransaction retries the
 *   callback (up to 3 more times), which then re-reads and, if the version moved, reports a
 *   conflict instead of writing.
 * - The port's compare-and-set replaces the whole document, but `update` merges: fields absent
 *   from the new document must be removed explicitly, and nested objects are written with
 *   `_.set` so that a sub-field that disappeared does not survive. The read that tells which
 *   fields vanished is exact, because the update only applies at the version that was read.
 * - `version` is an ordinary stored field (queried by the CAS); `_id` is CloudBase's own.
 * - DATABASE_DUPLICATE_WRITE (an `_id` or a unique index, https://docs.cloudbase.net/error-code/
 *   DATABASE_DUPLICATE_WRITE) becomes StoreDuplicateError, or a conflict inside `commit`. Every
 *   other SDK failure is a ProviderFailure (PROVIDER_ERROR with the CloudBase code).
 *
 * Semantics the port leaves to MongoDB here: an undeclared array field also matches by element,
 * and a dot path does traverse arrays of objects (the SQLite adapter does neither); no code relies
 * on either.
 */
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
import { cloudbaseFailure, errorCode } from './app';
import { compileWhere, pageSpec, type Command } from './filter';

interface DocRef {
  get(): Promise<{ data: unknown }>;
  set(data: object): Promise<unknown>;
  remove(): Promise<unknown>;
}
interface Query {
  where(q: object): Query;
  orderBy(field: string, dir: 'asc' | 'desc'): Query;
  skip(n: number): Query;
  limit(n: number): Query;
  options(o: object): Query;
  get(): Promise<{ data: unknown[] }>;
  count(): Promise<{ total: number }>;
  update(data: object): Promise<{ updated: number }>;
}
interface Collection extends Query {
  doc(id: string): DocRef;
  add(data: object): Promise<unknown>;
}
interface Transaction {
  collection(name: string): Collection;
  rollback(reason?: unknown): Promise<unknown>;
}
export interface Database {
  collection(name: string): Collection;
  command: Command & { set(v: unknown): object; remove(): object };
  runTransaction<T>(callback: (tx: Transaction) => Promise<T>, times?: number): Promise<T>;
}

const DUPLICATE = 'DATABASE_DUPLICATE_WRITE';
const TX_CONFLICT = 'DATABASE_TRANSACTION_CONFLICT';
const CONFLICT: CommitResult = { ok: false, reason: 'conflict' };
/** Thrown through runTransaction's rollback to say "the data says no" (not an error). */
const LOST = Symbol('lost compare-and-set');

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('_id must be a non-empty string');
  return id;
}

function checkVersion(v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TypeError('expectedVersion must be an integer >= 0');
  return v as number;
}

/** The document as JSON (undefined members dropped), without the caller's `version`. */
function plain(doc: Doc): Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new TypeError('document must be an object');
  checkId(doc._id);
  const json = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  delete json.version;
  return json;
}

const withoutId = (d: Record<string, unknown>): Record<string, unknown> => {
  const { _id: _ignored, ...rest } = d;
  return rest;
};

const toDoc = <T extends Doc>(raw: unknown): T => raw as T;

export class CloudBaseStore implements Store {
  private readonly specs = new Map<string, CollectionSpec>();
  testHooks?: StoreTestHooks;

  constructor(private readonly database: () => Database, collections: CollectionSpec[] = ALL_COLLECTIONS) {
    for (const c of collections) this.specs.set(c.name, c);
  }

  private spec(collection: string): CollectionSpec {
    const s = this.specs.get(collection);
    if (!s) throw new Error(`unknown collection ${JSON.stringify(collection)}`);
    return s;
  }

  private coll(collection: string): Collection {
    this.spec(collection);
    return this.database().collection(collection);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw cloudbaseFailure('cloudbase', e);
    }
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | null> {
    const ref = this.coll(collection).doc(checkId(id));
    const res = await this.call(() => ref.get());
    const first = (res.data as unknown[])[0];
    return first ? toDoc<T>(first) : null;
  }

  async insert(collection: string, doc: Doc): Promise<void> {
    const data = { ...plain(doc), version: 1 };
    const coll = this.coll(collection);
    if (this.testHooks?.beforeWrite) await this.testHooks.beforeWrite({ op: 'insert', writes: [{ collection, doc, expectedVersion: 0 }], appends: [] });
    try {
      await coll.add(data);
    } catch (e) {
      if (errorCode(e) === DUPLICATE) throw new StoreDuplicateError(collection, doc._id);
      throw cloudbaseFailure('cloudbase', e);
    }
  }

  async compareAndSet(collection: string, doc: Doc, expectedVersion: number): Promise<boolean> {
    const expected = checkVersion(expectedVersion);
    const next = plain(doc);
    this.spec(collection);
    if (this.testHooks?.beforeWrite) await this.testHooks.beforeWrite({ op: 'compareAndSet', writes: [{ collection, doc, expectedVersion }], appends: [] });
    if (expected === 0) return false;
    const current = await this.get(collection, doc._id);
    if (!current || current.version !== expected) return false;
    const db = this.database();
    const _ = db.command;
    const update: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(withoutId(next))) update[k] = _.set(v);
    for (const k of Object.keys(current)) if (k !== '_id' && k !== 'version' && !(k in next)) update[k] = _.remove();
    update.version = expected + 1;
    const query = db.collection(collection).where({ _id: doc._id, version: expected }).options({ multiple: false });
    try {
      return (await query.update(update)).updated === 1;
    } catch (e) {
      if (errorCode(e) === DUPLICATE) throw new StoreDuplicateError(collection, doc._id);
      throw cloudbaseFailure('cloudbase', e);
    }
  }

  commit(writes: CasWrite | readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(writes: readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(write: CasWrite, appends?: readonly Append[]): Promise<CommitResult>;
  async commit(input: CasWrite | readonly CasWrite[], appends: readonly Append[] = []): Promise<CommitResult> {
    // Everything is checked and serialised before the transaction starts.
    const writes = commitWrites(input);
    const planned = writes.map((w) => {
      this.spec(w.collection);
      return { collection: w.collection, id: w.doc._id, expected: checkVersion(w.expectedVersion), data: plain(w.doc) };
    });
    const inserts: Array<[collection: string, data: Record<string, unknown>]> = [];
    for (const a of appends) {
      this.spec(a.collection);
      for (const d of a.docs) inserts.push([a.collection, { ...plain(d), version: 1 }]);
    }
    const hooks = this.testHooks;
    if (hooks?.beforeWrite) await hooks.beforeWrite({ op: 'commit', writes, appends });
    // The same document twice can never commit (a transaction writes a document once).
    if (namesADocumentTwice(writes, appends)) return CONFLICT;

    const db = this.database();
    let attempt = 0;
    try {
      await db.runTransaction(async (tx) => {
        attempt++;
        // Every read before the first write: a version that moved writes nothing at all.
        for (const w of planned) {
          if (w.expected === 0) continue; // the insert's add fails on an existing _id
          const stored = (await tx.collection(w.collection).doc(w.id).get()).data as Doc | null;
          if (!stored || stored.version !== w.expected) {
            await tx.rollback(LOST);
            return;
          }
        }
        if (hooks?.inTransaction) await hooks.inTransaction({ op: 'commit', writes, appends, attempt });
        // One document per call: transactions take single-document operations only.
        for (const w of planned) {
          const coll = tx.collection(w.collection);
          if (w.expected === 0) await coll.add({ ...w.data, version: 1 });
          else await coll.doc(w.id).set({ ...withoutId(w.data), version: w.expected + 1 });
        }
        for (const [collection, data] of inserts) await tx.collection(collection).add(data);
      });
      const versions = planned.map((w) => w.expected + 1);
      return { ok: true, version: versions[0]!, versions };
    } catch (e) {
      if (e === LOST) return CONFLICT;
      const code = errorCode(e);
      if (code === DUPLICATE || code === TX_CONFLICT) return CONFLICT;
      throw cloudbaseFailure('cloudbase', e);
    }
  }

  async find<T extends Doc = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]> {
    const db = this.database();
    const where = compileWhere(this.spec(collection), filter, db.command);
    const page = pageSpec(options);
    let q = db.collection(collection).where(where);
    for (const [field, dir] of page.orderBy) q = q.orderBy(field, dir);
    if (page.skip > 0) q = q.skip(page.skip);
    const query = q.limit(page.limit);
    const res = await this.call(() => query.get());
    return res.data.map((d) => toDoc<T>(d));
  }

  async count(collection: string, filter: Filter): Promise<number> {
    const db = this.database();
    const query = db.collection(collection).where(compileWhere(this.spec(collection), filter, db.command));
    return (await this.call(() => query.count())).total;
  }

  async remove(collection: string, id: string): Promise<void> {
    const ref = this.coll(collection).doc(checkId(id));
    await this.call(() => ref.remove());
  }

  async close(): Promise<void> {
    // HTTP requests only: nothing to close.
  }
}
