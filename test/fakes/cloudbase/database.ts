/**
 * The CloudBase database as its API behaves (a MongoDB underneath), in memory: collections that
 * must exist, documents keyed by `_id`, indexes (unique ones enforced, honouring a partial filter
 * expression, otherwise missing counts as null as in MongoDB), MongoDB query semantics through
 * mingo, and transactions:
 *
 * - a transaction sees committed data plus its own writes;
 * - first writer wins: writing a document that another open transaction has written, or that was
 *   committed after this transaction started, aborts this one with DATABASE_TRANSACTION_CONFLICT
 *   (MongoDB's WriteConflict), and so does a commit whose documents changed meanwhile;
 * - writes outside a transaction apply at once (a transaction that touched the same document then
 *   fails at commit).
 *
 * Errors use CloudBase's codes (https://docs.cloudbase.net/error-code/basic).
 */
import { randomUUID } from 'node:crypto';
import { Query } from 'mingo';

export class DbError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export interface IndexDef {
  name: string;
  keys: Array<[field: string, direction: 1 | -1]>;
  unique: boolean;
  sparse: boolean;
  partial?: Json;
}

interface Stored {
  doc: Json;
  /** The write sequence number of the last committed change. */
  rev: number;
}

class Collection {
  readonly docs = new Map<string, Stored>();
  readonly indexes: IndexDef[] = [{ name: '_id_', keys: [['_id', 1]], unique: true, sparse: false }];
  readonly accesses = new Map<string, number>();
  constructor(readonly name: string) {}
}

type Write = { coll: string; id: string; doc: Json | null };

interface Tx {
  id: string;
  startSeq: number;
  writes: Map<string, Write>;
  state: 'active' | 'aborted' | 'committed';
  expires: number;
}

const TX_LIFETIME_MS = 30_000;
const key = (coll: string, id: string): string => `${coll}\u0000${id}`;
const clone = <T>(v: T): T => structuredClone(v);

const getPath = (doc: Json, path: string): unknown => {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Json)[seg];
  }
  return cur;
};

const setPath = (doc: Json, path: string, value: unknown): void => {
  const segs = path.split('.');
  let cur: Json = doc;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Json;
  }
  cur[segs[segs.length - 1]!] = value;
};

const unsetPath = (doc: Json, path: string): void => {
  const segs = path.split('.');
  let cur: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Json)[seg];
  }
  if (cur !== null && typeof cur === 'object') delete (cur as Json)[segs[segs.length - 1]!];
};

/** A unique index's key for a document, or null when the index does not cover it. */
const uniqueKey = (index: IndexDef, doc: Json): string | null => {
  if (index.partial && !new Query(index.partial, {}).test(doc)) return null;
  const values = index.keys.map(([f]) => getPath(doc, f));
  if (index.sparse && values.every((v) => v === undefined)) return null;
  return JSON.stringify(values.map((v) => (v === undefined ? null : v)));
};

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
}

export class FakeDatabase {
  private readonly collections = new Map<string, Collection>();
  private readonly txs = new Map<string, Tx>();
  private seq = 0;
  /** Every query the database answered, for tests that check what was asked (and of which index). */
  readonly queryLog: Array<{ collection: string; query: Json; sort?: Record<string, 1 | -1> }> = [];

  // ---- collections and indexes (the management API) ----

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  createCollection(name: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name)) throw new DbError('InvalidParameter.TableName', `invalid collection name ${name}`);
    if (this.collections.has(name)) throw new DbError('ResourceInUse.TableExist', `collection ${name} exists`);
    this.collections.set(name, new Collection(name));
  }

  listCollections(): Array<{ name: string; count: number; indexCount: number }> {
    return [...this.collections.values()].map((c) => ({ name: c.name, count: c.docs.size, indexCount: c.indexes.length }));
  }

  indexes(name: string): IndexDef[] {
    return clone(this.coll(name, 'ResourceNotFound.TableNotExist').indexes);
  }

  createIndex(name: string, index: IndexDef): void {
    const c = this.coll(name, 'ResourceNotFound.TableNotExist');
    if (c.indexes.some((i) => i.name === index.name)) throw new DbError('ResourceInUse.IndexExist', `index ${index.name} exists`);
    if (index.unique) {
      const seen = new Set<string>();
      for (const { doc } of c.docs.values()) {
        const k = uniqueKey(index, doc);
        if (k === null) continue;
        if (seen.has(k)) throw new DbError('FailedOperation.DuplicateKey', `existing documents violate unique index ${index.name}`);
        seen.add(k);
      }
    }
    c.indexes.push(clone(index));
  }

  dropIndex(name: string, indexName: string): void {
    const c = this.coll(name, 'ResourceNotFound.TableNotExist');
    if (indexName === '_id_') throw new DbError('InvalidParameter', 'the _id index cannot be dropped');
    const at = c.indexes.findIndex((i) => i.name === indexName);
    if (at < 0) throw new DbError('ResourceNotFound.IndexNotExist', `no index ${indexName}`);
    c.indexes.splice(at, 1);
  }

  // ---- documents ----

  private coll(name: string, code = 'DATABASE_COLLECTION_NOT_EXIST'): Collection {
    const c = this.collections.get(name);
    if (!c) throw new DbError(code, `collection ${name} does not exist`);
    return c;
  }

  private tx(id: string | undefined): Tx | null {
    if (!id) return null;
    const t = this.txs.get(id);
    if (!t) throw new DbError('DATABASE_TRANSACTION_FAIL', `no transaction ${id}`);
    if (t.state === 'active' && Date.now() > t.expires) t.state = 'aborted';
    if (t.state !== 'active') throw new DbError('DATABASE_TRANSACTION_FAIL', `transaction ${id} is ${t.state}`);
    return t;
  }

  /** The documents a transaction (or, without one, everybody) sees. */
  private view(c: Collection, t: Tx | null): Json[] {
    const out = new Map<string, Json>();
    for (const [id, s] of c.docs) out.set(id, s.doc);
    if (t) {
      for (const w of t.writes.values()) {
        if (w.coll !== c.name) continue;
        if (w.doc) out.set(w.id, w.doc);
        else out.delete(w.id);
      }
    }
    return [...out.values()];
  }

  private conflict(t: Tx, why: string): never {
    t.state = 'aborted';
    throw new DbError('DATABASE_TRANSACTION_CONFLICT', why);
  }

  /** MongoDB's WriteConflict rules for a transactional write of (coll, id). */
  private claim(t: Tx, c: Collection, id: string): void {
    const stored = c.docs.get(id);
    if (stored && stored.rev > t.startSeq) this.conflict(t, `${c.name}/${id} changed after the transaction started`);
    for (const other of this.txs.values()) {
      if (other !== t && other.state === 'active' && other.writes.has(key(c.name, id))) this.conflict(t, `${c.name}/${id} is being written by another transaction`);
    }
  }

  private checkUnique(c: Collection, doc: Json, visible: Json[], t: Tx | null): void {
    for (const index of c.indexes) {
      if (!index.unique || index.name === '_id_') continue;
      const k = uniqueKey(index, doc);
      if (k === null) continue;
      for (const other of visible) {
        if (other._id !== doc._id && uniqueKey(index, other) === k) {
          throw new DbError('DATABASE_DUPLICATE_WRITE', `duplicate key for unique index ${index.name}`);
        }
      }
      if (t) {
        for (const o of this.txs.values()) {
          if (o === t || o.state !== 'active') continue;
          for (const w of o.writes.values()) {
            if (w.coll === c.name && w.doc && w.id !== doc._id && uniqueKey(index, w.doc) === k) this.conflict(t, `unique key of ${index.name} is being written by another transaction`);
          }
        }
      }
    }
  }

  private put(c: Collection, t: Tx | null, id: string, doc: Json | null): void {
    if (t) t.writes.set(key(c.name, id), { coll: c.name, id, doc });
    else if (doc) c.docs.set(id, { doc, rev: ++this.seq });
    else c.docs.delete(id);
  }

  insert(collection: string, docs: Json[], txId?: string): string[] {
    const c = this.coll(collection);
    const t = this.tx(txId);
    const ids: string[] = [];
    for (const raw of docs) {
      const doc = clone(raw);
      if (doc._id === undefined) doc._id = randomUUID().replace(/-/g, '');
      if (typeof doc._id !== 'string' && typeof doc._id !== 'number') throw new DbError('INVALID_PARAM', '_id must be a string or number');
      const id = String(doc._id);
      const visible = this.view(c, t);
      if (visible.some((d) => d._id === doc._id)) throw new DbError('DATABASE_DUPLICATE_WRITE', `duplicate _id ${id} in ${collection}`);
      if (t) this.claim(t, c, id);
      this.checkUnique(c, doc, visible, t);
      this.put(c, t, id, doc);
      ids.push(id);
    }
    return ids;
  }

  find(collection: string, query: Json, options: FindOptions = {}, txId?: string): Json[] {
    const c = this.coll(collection);
    const t = this.tx(txId);
    this.queryLog.push({ collection, query: clone(query), ...(options.sort ? { sort: options.sort } : {}) });
    let cursor = new Query(query, {}).find<Json>(this.view(c, t));
    if (options.sort && Object.keys(options.sort).length) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    cursor = cursor.limit(Math.min(options.limit ?? 100, 1000));
    return clone(cursor.all());
  }

  count(collection: string, query: Json, txId?: string): number {
    const c = this.coll(collection);
    const q = new Query(query, {});
    return this.view(c, this.tx(txId)).filter((d) => q.test(d)).length;
  }

  /** modifyDocument: `merge` applies update operators, otherwise `data` replaces the document. */
  modify(collection: string, query: Json, data: Json, opts: { multi: boolean; merge: boolean; upsert: boolean }, txId?: string): { updated: number; upsertId?: string } {
    const c = this.coll(collection);
    const t = this.tx(txId);
    const q = new Query(query, {});
    const matches = this.view(c, t).filter((d) => q.test(d)).sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
    const targets = opts.multi ? matches : matches.slice(0, 1);
    if (targets.length === 0 && opts.upsert) {
      const id = typeof query._id === 'string' ? query._id : randomUUID().replace(/-/g, '');
      const doc = opts.merge ? applyOperators({ _id: id }, data) : { ...clone(data), _id: id };
      this.insert(collection, [doc], txId);
      return { updated: 0, upsertId: id };
    }
    let updated = 0;
    for (const before of targets) {
      const id = String(before._id);
      const after = opts.merge ? applyOperators(clone(before), data) : { ...clone(data), _id: before._id };
      if (after._id !== before._id) throw new DbError('DATABASE_REQUEST_FAILED', '_id cannot be changed');
      if (t) this.claim(t, c, id);
      this.checkUnique(c, after, this.view(c, t), t);
      if (JSON.stringify(after) !== JSON.stringify(before)) updated++;
      this.put(c, t, id, after);
    }
    return { updated };
  }

  remove(collection: string, query: Json, multi: boolean, txId?: string): number {
    const c = this.coll(collection);
    const t = this.tx(txId);
    const q = new Query(query, {});
    const matches = this.view(c, t).filter((d) => q.test(d));
    const targets = multi ? matches : matches.slice(0, 1);
    for (const d of targets) {
      if (t) this.claim(t, c, String(d._id));
      this.put(c, t, String(d._id), null);
    }
    return targets.length;
  }

  // ---- transactions ----

  startTransaction(): string {
    const id = randomUUID();
    this.txs.set(id, { id, startSeq: this.seq, writes: new Map(), state: 'active', expires: Date.now() + TX_LIFETIME_MS });
    return id;
  }

  commitTransaction(id: string): void {
    const t = this.tx(id)!;
    for (const w of t.writes.values()) {
      const stored = this.coll(w.coll).docs.get(w.id);
      if (stored && stored.rev > t.startSeq) this.conflict(t, `${w.coll}/${w.id} changed before commit`);
    }
    for (const w of t.writes.values()) {
      if (w.doc) this.checkUniqueCommitted(this.coll(w.coll), w.doc, t);
    }
    const rev = ++this.seq;
    for (const w of t.writes.values()) {
      const c = this.coll(w.coll);
      if (w.doc) c.docs.set(w.id, { doc: w.doc, rev });
      else c.docs.delete(w.id);
    }
    t.state = 'committed';
    this.txs.delete(id);
  }

  /** A committed write outside the transaction may have taken a unique key meanwhile. */
  private checkUniqueCommitted(c: Collection, doc: Json, t: Tx): void {
    try {
      this.checkUnique(c, doc, this.view(c, t), null);
    } catch (e) {
      this.conflict(t, (e as Error).message);
    }
  }

  abortTransaction(id: string): void {
    const t = this.txs.get(id);
    if (!t) throw new DbError('DATABASE_TRANSACTION_FAIL', `no transaction ${id}`);
    t.state = 'aborted';
    this.txs.delete(id);
  }

  /** Raw state for assertions. */
  documents(collection: string): Json[] {
    return clone([...this.coll(collection).docs.values()].map((s) => s.doc));
  }
}

/** The update operators the CloudBase API accepts that our adapter sends ($set, $unset) plus $inc. */
export function applyOperators(doc: Json, update: Json): Json {
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith('$')) throw new DbError('DATABASE_INVALID_OPERRATOR', `update field ${op} without an operator in a merge update`);
    if (fields === null || typeof fields !== 'object') throw new DbError('DATABASE_REQUEST_FAILED', `${op} needs an object`);
    for (const [path, value] of Object.entries(fields as Json)) {
      if (path === '_id') throw new DbError('DATABASE_REQUEST_FAILED', '_id cannot be changed');
      switch (op) {
        case '$set':
          setPath(doc, path, clone(value));
          break;
        case '$unset':
          unsetPath(doc, path);
          break;
        case '$inc': {
          const cur = getPath(doc, path);
          setPath(doc, path, (typeof cur === 'number' ? cur : 0) + Number(value));
          break;
        }
        default:
          throw new DbError('DATABASE_INVALID_OPERRATOR', `operator ${op} is not supported here`);
      }
    }
  }
  return doc;
}
