/**
 * Changes to a contract that are not lifecycle moves (binding a share link, switching reminders,
 * a 催办) still go through one compare-and-set with their event appended, retried on a fresh read.
 * `change` returns null when the fresh contract already is as wanted: nothing is written.
 */
import { AppError } from '../errors';
import { chainEvents, type NewEvent } from '../domain/events';
import type { Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';
import type { Append, CasWrite } from '../ports/store';
import { CONTRACTS, EVENTS } from './repository';

export const recordChange = async (
  deps: Deps,
  load: () => Promise<Contract | null>,
  change: (fresh: Contract, now: string) => { contract: Contract; events: NewEvent[] } | null,
  /** What else this commit holds (rate-limit counters, outbox rows), decided again on every attempt. */
  extra?: () => Promise<{ writes: CasWrite[]; appends: Append[] }>,
): Promise<Contract> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const fresh = await load();
    if (!fresh) throw new AppError('NOT_FOUND');
    const now = deps.clock.now().toISOString();
    const changed = change(fresh, now);
    if (changed === null) return fresh;
    const { contract, events } = changed;
    const chained = chainEvents(fresh._id, fresh.eventHead, now, events);
    const doc: Contract = { ...contract, updatedAt: now, eventHead: chained.head };
    const more = extra ? await extra() : { writes: [], appends: [] };
    const r = await deps.store.commit([{ collection: CONTRACTS, doc, expectedVersion: fresh.version ?? 0 }, ...more.writes], [{ collection: EVENTS, docs: chained.docs }, ...more.appends]);
    if (r.ok) return { ...doc, version: r.version };
  }
  throw new AppError('CONFLICT');
};
