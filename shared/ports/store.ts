/**
 * The store port: a document store shaped like the CloudBase database (collections of JSON
 * documents keyed by `_id`), so the CloudBase adapter is a straight mapping:
 *
 *   get          → collection.doc(id).get()
 *   insert       → collection.add({_id, ...})
 *   compareAndSet→ collection.where({_id, version}).update(doc)  (`updated === 1` wins)
 *   commit       → db.runTransaction: doc(id).get per write → check versions → doc(id).set / add
 *                  per write → add(...) per appended document (CloudBase transactions allow
 *                  single-document operations only: every write names its document by `_id`)
 *   find         → collection.where(filter).orderBy(...).skip(n).limit(n).get()
 *
 * Every document carries `version`; the store sets it (1 on insert, +1 on every write).
 * Documents are plain JSON: strings, finite numbers, booleans, null, arrays and objects.
 *
 * Decided semantics (every adapter; test/store/conformance.ts checks them):
 * - `_id` is a non-empty string. A `version` passed in a document to `insert`/`compareAndSet`/
 *   `commit` is ignored: the store owns it, and `get`/`find` return the stored one.
 * - Documents are stored as JSON (`undefined` members are dropped, as JSON.stringify does).
 * - A collection not declared in shared/store/collections.ts is an error (thrown), as is an
 *   invalid field name (see `Filter`), an unknown operator, or an `undefined` condition.
 * - Unique indexes (e.g. `contracts.shareToken`) ignore documents where the field is missing or
 *   null. A write that would break one: `insert` and `compareAndSet` throw StoreDuplicateError
 *   (`compareAndSet` does not return false, so a caller retrying on false cannot loop on it);
 *   `commit` returns `{ok:false, reason:'conflict'}`.
 */

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A stored document. `version` is owned by the store. */
export interface Doc {
  _id: string;
  version?: number;
  [field: string]: unknown;
}

export type Scalar = string | number | boolean | null;

/**
 * A field condition. Field names may be dot paths ("parties.initiator.openid"); they must match
 * /^[A-Za-z_][A-Za-z0-9_.]*$/ with no empty segment, else the call throws. A dot path does not
 * traverse arrays of objects. `_id` and `version` name the document's id and stored version.
 * Equality against a field holding an array means "the array contains the value"
 * (MongoDB / CloudBase semantics), which is how a user's contracts are found.
 *
 * Semantics (MongoDB-like):
 * - `null` / `{$eq: null}` matches a missing field or a null; `{$ne: null}` matches present,
 *   non-null values. `{$ne: x}` matches documents missing the field. `$in` containing null also
 *   matches a missing field; an empty `$in` matches nothing. Several operators in one object AND.
 * - Type-aware: a number never equals a string or a boolean (`1` ≠ `'1'` ≠ `true`), a string
 *   never equals an object or array. `$lt/$lte/$gt/$gte` compare within the operand's type only
 *   (a number range never matches strings, booleans, null or missing, and vice versa).
 * - Array fields: the "contains" meaning applies to fields declared in
 *   `CollectionSpec.arrayFields` (the SQLite adapter indexes those per element and compares any
 *   other field as a whole value, so an undeclared array never equals a scalar). On a declared
 *   array field: equality/`$in` = contains (any), `$ne: x` = does not contain x (missing and []
 *   match), a range = some element in range, `null` = field missing or null. Only string and
 *   number elements are indexed; a boolean condition on an array field throws.
 */
export type Condition =
  | Scalar
  | {
      $eq?: Scalar;
      $ne?: Scalar;
      $in?: Scalar[];
      $lt?: string | number;
      $lte?: string | number;
      $gt?: string | number;
      $gte?: string | number;
    };

/** All conditions must hold (AND). */
export type Filter = Record<string, Condition>;

export interface FindOptions {
  /**
   * Sort keys in order; ties are broken by `_id` ascending so paging is stable. Without orderBy
   * the result is in `_id` ascending order. Missing and null sort first in ascending order; the
   * relative order of other mixed types in one sort key (numbers before strings in SQLite, where
   * booleans sort as 0/1) and sorting on objects or arrays are unspecified.
   */
  orderBy?: Array<[field: string, direction: 'asc' | 'desc']>;
  /**
   * At most this many (the adapters cap it at 1000, as CloudBase does). Default 100. Must be an
   * integer >= 1, else the call throws a RangeError.
   */
  limit?: number;
  /** Documents to pass over first; an integer >= 0 (default 0), else a RangeError. */
  skip?: number;
}

/**
 * One write inside a transaction: compare-and-set of a document (or insert when `expectedVersion`
 * is 0).
 */
export interface CasWrite {
  collection: string;
  doc: Doc;
  /** The version the caller read; 0 means "the document must not exist yet" (insert). */
  expectedVersion: number;
}

/** Documents inserted in the same transaction; an `_id` that exists already fails the whole commit. */
export interface Append {
  collection: string;
  docs: Doc[];
}

/**
 * A won commit: `versions[i]` is the new version of `writes[i]` (its `expectedVersion + 1`);
 * `version` is `versions[0]`, kept for the single-write callers.
 */
export type CommitResult =
  | { ok: true; version: number; versions: number[] }
  | { ok: false; reason: 'conflict' };

/**
 * What a write is about to do, as the test hook sees it. `compareAndSet` shows its one write,
 * `insert` its document as a write with `expectedVersion` 0; `appends` is empty for both.
 */
export interface WriteInfo {
  op: 'commit' | 'compareAndSet' | 'insert';
  writes: readonly CasWrite[];
  appends: readonly Append[];
}

/**
 * Points where a test may hold a writer (test/support/interleave.ts builds gates on them); never
 * set outside tests. A hook that throws makes the write throw, having written nothing.
 */
export interface StoreTestHooks {
  /**
   * Awaited once per `commit` / `compareAndSet` / `insert` call, after its arguments were checked
   * and before the adapter reads or writes anything for it (so before the SQLite write lock is
   * taken and before the CloudBase transaction starts). A writer held here has read and decided;
   * whatever commits meanwhile decides whether its compare-and-set still wins.
   */
  beforeWrite?: (info: WriteInfo) => Promise<void> | void;
  /**
   * CloudBase only, `commit` only: awaited inside the transaction after every compare-and-set
   * target was read and its version matched, before the first write; `attempt` counts
   * runTransaction's attempts from 1. A write committed meanwhile by someone else makes this
   * transaction's first write a write conflict (DATABASE_TRANSACTION_CONFLICT), runTransaction
   * runs the callback again, and the re-read reports the conflict. (SQLite has no such point: it
   * holds the write lock from its first read to its commit, so nobody can write in between.)
   */
  inTransaction?: (info: WriteInfo & { attempt: number }) => Promise<void> | void;
}

export interface Store {
  get<T extends Doc = Doc>(collection: string, id: string): Promise<T | null>;
  /** Inserts a new document with version 1. Throws StoreDuplicateError if `_id` exists. */
  insert(collection: string, doc: Doc): Promise<void>;
  /**
   * Replaces the document `doc._id` if its stored version equals `expectedVersion`; the stored
   * version becomes `expectedVersion + 1`. Returns false (and writes nothing) otherwise,
   * including when the document does not exist — so `expectedVersion` 0 always returns false
   * (insert with `insert`, or `commit` with expectedVersion 0). The replacement is whole: fields
   * absent from `doc` are gone afterwards.
   */
  compareAndSet(collection: string, doc: Doc, expectedVersion: number): Promise<boolean>;
  /**
   * One atomic transaction: the compare-and-set (or insert) of every write plus every append.
   * Either all of it is stored or none of it. The call takes one write (`commit(write, appends)`,
   * the original form) or a non-empty list of them (an empty list throws a TypeError).
   *
   * `{ok:false, reason:'conflict'}` — and nothing written — when any write's stored version is
   * not its `expectedVersion` (0 when the document exists, > 0 when it does not, or another
   * version), when an appended `_id` exists, when the same document (collection + `_id`) appears
   * twice in one commit, among the writes or the appends or across both (one transaction writes
   * a document once: merge the changes into one write instead), and on any unique-index
   * violation. On success `versions[i]` is the new version of `writes[i]` (`expectedVersion + 1`)
   * and `version` is `versions[0]`; appended documents get version 1. Infrastructure failures
   * (e.g. the SQLite write lock not obtained within the busy timeout) throw: a conflict always
   * means "someone else wrote first / the data says no".
   *
   * (Three signatures for one call: the union for callers holding either form; the single-write
   * one last, because TypeScript and jest.spyOn infer a function's parameters from its last.)
   */
  commit(writes: CasWrite | readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(writes: readonly CasWrite[], appends?: readonly Append[]): Promise<CommitResult>;
  commit(write: CasWrite, appends?: readonly Append[]): Promise<CommitResult>;
  find<T extends Doc = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]>;
  /** How many documents match (not capped by any limit). */
  count(collection: string, filter: Filter): Promise<number>;
  /**
   * Removes a document (test and housekeeping use only; contracts and events are never deleted).
   * Removing a missing document is a no-op.
   */
  remove(collection: string, id: string): Promise<void>;
  close(): Promise<void>;
  /** Set by tests only (see StoreTestHooks); production code never reads or sets it. */
  testHooks?: StoreTestHooks;
}

/**
 * The writes of a commit as a list (the single-write form is a list of one); an empty list is a
 * TypeError. Both adapters start their `commit` with it.
 */
export function commitWrites(writes: CasWrite | readonly CasWrite[]): readonly CasWrite[] {
  const list = Array.isArray(writes) ? (writes as readonly CasWrite[]) : [writes as CasWrite];
  if (list.length === 0) throw new TypeError('commit needs at least one write');
  return list;
}

/** Does one commit name the same document (collection + `_id`) twice? Then it is a conflict. */
export function namesADocumentTwice(writes: readonly CasWrite[], appends: readonly Append[]): boolean {
  const seen = new Set<string>();
  const twice = (collection: string, id: string): boolean => {
    const key = `${collection}\u0000${id}`;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  };
  for (const w of writes) if (twice(w.collection, w.doc._id)) return true;
  for (const a of appends) for (const d of a.docs) if (twice(a.collection, d._id)) return true;
  return false;
}

export class StoreDuplicateError extends Error {
  constructor(readonly collection: string, readonly id: string) {
    super(`duplicate _id in ${collection}`);
    this.name = 'StoreDuplicateError';
  }
}
