/**
 * One compare-and-set change to a document that is not a contract (orders, coupons), retried on a
 * fresh read. Contracts go through contracts/transition.ts and contracts/record-change.ts, which also chain events.
 */
import { AppError } from '../errors';
import type { Doc } from '../ports/store';
import type { Deps } from '../ports/operation';

const MAX_ATTEMPTS = 5;

/**
 * Applies `change` with a compare-and-set on the document's version, retried on a fresh read. The
 * first attempt may start from the document as the caller just read it (`doc` given whole), saving
 * a read; a stale copy only costs a failed compare-and-set. `change` returns null when the document
 * is already as wanted: nothing is written (decided on the stored copy, never on the caller's).
 * Returns the document as stored afterwards (null: there is none) and whether this call changed it;
 * CONFLICT when it kept losing.
 */
export const updateDoc = async <T extends Doc>(
  deps: Deps,
  collection: string,
  doc: string | T,
  change: (d: T) => T | null,
): Promise<{ doc: T | null; changed: boolean }> => {
  const id = typeof doc === 'string' ? doc : doc._id;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const fresh = attempt === 0 && typeof doc !== 'string' ? doc : await deps.store.get<T>(collection, id);
    if (!fresh) return { doc: null, changed: false };
    const next = change(fresh);
    if (next === null) {
      if (fresh === doc) continue; // the caller's copy may be stale: decide on the stored one
      return { doc: fresh, changed: false };
    }
    const expected = fresh.version ?? 0;
    if (await deps.store.compareAndSet(collection, next, expected)) return { doc: { ...next, version: expected + 1 }, changed: true };
  }
  throw new AppError('CONFLICT');
};
