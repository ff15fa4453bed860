/**
 * The store port: a document store shaped like the CloudBase database (collections of JSON
 * documents keyed by `_id`), so the CloudBase adapter is a straight mapping:
 *
 *   get          → collection.doc(id).get()
 *   insert       → collection.add({_id, ...})
 *   compareAndSet→ collection.where({_id, version}).update(doc)  (`updated === 1` wins)
 *   commit       → db.runTransaction: doc(id).get → check version → doc(id).update → add(...)
 *                  (CloudBase transactions allow single-document operations only, which is why
 *                  the event chain head lives on the contract document itself)
 *   find         → collection.where(filter).orderBy(...).skip(n).limit(n).get()
 *
 * Every document carries `version`; the store sets it (1 on insert, +1 on every write).
 * Documents are plain JSON: strings, finite numbers, booleans, null, arrays and objects.
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
 * A field condition. Field names may be dot paths ("parties.initiator.openid").
 * Equality against a field holding an array means "the array contains the value"
 * (MongoDB / CloudBase semantics), which is how a user's contracts are found.
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
  /** Sort keys in order; ties are broken by `_id` ascending so paging is stable. */
  orderBy?: Array<[field: string, direction: 'asc' | 'desc']>;
  /** At most this many (the adapters cap it at 1000, as CloudBase does). */
  limit?: number;
  skip?: number;
}

/** One write inside a transaction: compare-and-set of a document (or insert when `expectedVersion` is 0). */
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

export type CommitResult = { ok: true; version: number } | { ok: false; reason: 'conflict' };

export interface Store {
  get<T extends Doc = Doc>(collection: string, id: string): Promise<T | null>;
  /** Inserts a new document with version 1. Throws StoreDuplicateError if `_id` exists. */
  insert(collection: string, doc: Doc): Promise<void>;
  /**
   * Replaces the document `doc._id` if its stored version equals `expectedVersion`; the stored
   * version becomes `expectedVersion + 1`. Returns false (and writes nothing) otherwise,
   * including when the document does not exist.
   */
  compareAndSet(collection: string, doc: Doc, expectedVersion: number): Promise<boolean>;
  /**
   * One atomic transaction: the compare-and-set (or insert) of `write` plus every append.
   * Either all of it is stored or none of it. A lost compare-and-set or an append whose `_id`
   * exists returns `{ok:false, reason:'conflict'}` and writes nothing.
   */
  commit(write: CasWrite, appends: Append[]): Promise<CommitResult>;
  find<T extends Doc = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]>;
  count(collection: string, filter: Filter): Promise<number>;
  /** Removes a document (test and housekeeping use only; contracts and events are never deleted). */
  remove(collection: string, id: string): Promise<void>;
  close(): Promise<void>;
}

export class StoreDuplicateError extends Error {
  constructor(readonly collection: string, readonly id: string) {
    super(`duplicate _id in ${collection}`);
    this.name = 'StoreDuplicateError';
  }
}
