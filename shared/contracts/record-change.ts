/**
 * Changes to a contract that are not lifecycle moves (binding a share link, switching reminders,
 * a 催办, a repayment or an extension of an IOU) still go through one compare-and-set with their
 * event appended, retried on a fresh read. `change` returns null when the fresh contract already
 * is as wanted: nothing is written. It may bring further writes of the same commit (a record it
 * moves by its table, a face check it spends), documents to insert, and outbox rows (M1); `extra`
 * adds what must be decided again on every attempt (rate-limit counters, M2). All of it is stored,
 * or none of it. Outbox rows are tried once the commit holds, by the `deliver` the caller passes
 * (messages/outbox.ts deliverNow) — so the functions that never send (reminders switch, share
 * links) do not carry the senders.
 */
import { AppError } from '../errors';
import { chainEvents, type NewEvent } from '../domain/events';
import { headFor } from './chain-heads';
import type { Contract } from '../domain/contract';
import type { Append, CasWrite } from '../ports/store';
import type { Deps } from '../ports/operation';
import type { OutboxRow } from '../messages/outbox';
import { collectionName } from '../store/collections';
import { CONTRACTS, EVENTS } from './repository';

const MESSAGES = collectionName('messages');

export interface ContractChange {
  contract: Contract;
  events: NewEvent[];
  writes?: CasWrite[];
  appends?: Append[];
  messages?: OutboxRow[];
}

export const recordChange = async (
  deps: Deps,
  load: () => Promise<Contract | null>,
  change: (fresh: Contract, now: string) => ContractChange | null | Promise<ContractChange | null>,
  /** What else this commit holds (rate-limit counters, outbox rows), decided again on every attempt. */
  extra?: () => Promise<{ writes: CasWrite[]; appends: Append[] }>,
  deliver?: (deps: Deps, rows: readonly OutboxRow[]) => Promise<void>,
): Promise<Contract> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const fresh = await load();
    if (!fresh) throw new AppError('NOT_FOUND');
    const now = deps.clock.now().toISOString();
    const changed = await change(fresh, now);
    if (changed === null) return fresh;
    const { contract, events, writes = [], appends = [], messages = [] } = changed;
    if (messages.length && !deliver) throw new Error('recordChange: messages need a deliver (messages/outbox.ts deliverNow)');
    const chained = chainEvents(fresh._id, fresh.eventHead, now, events);
    // E2: the new head signed in this very commit (record-change never adds zero events and a new head).
    const doc: Contract = { ...contract, updatedAt: now, eventHead: chained.head, signedHead: await headFor(deps, fresh._id, fresh.eventHead, chained.head, fresh.signedHead, now) };
    const more = extra ? await extra() : { writes: [], appends: [] };
    const r = await deps.store.commit(
      [{ collection: CONTRACTS, doc, expectedVersion: fresh.version ?? 0 }, ...writes, ...more.writes],
      [{ collection: EVENTS, docs: chained.docs }, ...appends, ...more.appends, ...(messages.length ? [{ collection: MESSAGES, docs: messages }] : [])],
    );
    if (r.ok) {
      if (deliver && messages.length) await deliver(deps, messages);
      return { ...doc, version: r.version };
    }
  }
  throw new AppError('CONFLICT');
};
