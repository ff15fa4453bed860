/**
 * Controlled interleaving for race tests (issue 11 item 7): a gate holds one writer at a chosen
 * point of the store (shared/ports/store.ts `StoreTestHooks`) until the test releases it, so each
 * outcome of a race is produced on purpose — no sleeps, no luck.
 *
 *   const gate = holdNextCommit(store, writesTo('contracts', id)); // arm before the call
 *   const a = revoke();                 // A reads, decides, calls commit … and is held
 *   await gate.reached;                 // A is now between its read and its commit
 *   expect((await sign()).ok).toBe(true); // B commits meanwhile
 *   gate.release();
 *   expect((await a).error.code).toBe('CONFLICT'); // A lost its compare-and-set
 *
 * Points: `beforeWrite` (both adapters: every commit / compareAndSet / insert, before it touches
 * the database) and `inTransaction` (CloudBase commits only: after the transaction's reads and
 * version checks, before its first write). A gate catches the FIRST matching write that arrives
 * after it was armed, once; writes that match no armed gate pass straight through. Gates work on
 * any Store instance, including the one inside an emulator (`emu.container.store`). Imports only
 * the store port.
 */
import type { Store, WriteInfo } from '../../shared/ports/store';

export type Point = 'beforeWrite' | 'inTransaction';
export type Match = (info: WriteInfo) => boolean;

export interface Gate {
  /** Resolves with the held write once one that matches arrives at the point. */
  readonly reached: Promise<WriteInfo>;
  /** True from the moment a write is held until the test releases it. */
  readonly holding: boolean;
  /** Lets the held write go on; if none has arrived yet, the next matching one passes without waiting. Idempotent. */
  release(): void;
  /** Makes the held (or next matching) write throw `err` instead, having written nothing. */
  fail(err: unknown): void;
}

interface Armed {
  match: Match;
  arrive(info: WriteInfo): Promise<void>;
}

interface Registry {
  beforeWrite: Armed[];
  inTransaction: Armed[];
}

const registries = new WeakMap<Store, Registry>();

const pass = async (list: Armed[], info: WriteInfo): Promise<void> => {
  const at = list.findIndex((g) => g.match(info));
  if (at < 0) return;
  const [gate] = list.splice(at, 1);
  await gate!.arrive(info);
};

function registry(store: Store): Registry {
  let r = registries.get(store);
  if (r) return r;
  const reg: Registry = { beforeWrite: [], inTransaction: [] };
  registries.set(store, reg);
  store.testHooks = {
    ...store.testHooks,
    beforeWrite: (info) => pass(reg.beforeWrite, info),
    inTransaction: (info) => pass(reg.inTransaction, info),
  };
  return reg;
}

/** Arms a gate on `store` for the next write that `match` accepts, at `point`. */
export function holdNextWrite(store: Store, match: Match = () => true, point: Point = 'beforeWrite'): Gate {
  let reachedResolve!: (info: WriteInfo) => void;
  const reached = new Promise<WriteInfo>((resolve) => (reachedResolve = resolve));
  let go!: (outcome: { ok: true } | { ok: false; err: unknown }) => void;
  const decided = new Promise<{ ok: true } | { ok: false; err: unknown }>((resolve) => (go = resolve));
  let holding = false;
  registry(store)[point].push({
    match,
    async arrive(info) {
      holding = true;
      reachedResolve(info);
      const outcome = await decided;
      holding = false;
      if (!outcome.ok) throw outcome.err;
    },
  });
  return {
    reached,
    get holding() {
      return holding;
    },
    release: () => go({ ok: true }),
    fail: (err) => go({ ok: false, err }),
  };
}

/** `holdNextWrite` for commits only (the operations' one transaction per call). */
export const holdNextCommit = (store: Store, match: Match = () => true, point: Point = 'beforeWrite'): Gate =>
  holdNextWrite(store, (info) => info.op === 'commit' && match(info), point);

/** Matches a write of `collection` (and, given `id`, of that document) among the writes or the appends. */
export const writesTo = (collection: string, id?: string): Match => (info) =>
  info.writes.some((w) => w.collection === collection && (id === undefined || w.doc._id === id)) ||
  info.appends.some((a) => a.collection === collection && (id === undefined || a.docs.some((d) => d._id === id)));

/**
 * Disarms every gate still waiting on `store` and removes its hooks (for afterEach). Writes held
 * right now stay held until their gate is released.
 */
export function disarm(store: Store): void {
  registries.delete(store);
  delete store.testHooks;
}
