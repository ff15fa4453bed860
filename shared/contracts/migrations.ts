/**
 * Versions of the stored contract document and how to bring an older one up to date. Each entry
 * of MIGRATIONS takes a document at version `from` to `from + 1`; `migrateContract` applies the
 * ones due, so it is idempotent: a document at the current version comes back unchanged (the same
 * object), and running it again on its own output changes nothing.
 *
 * Where it runs (one place for the live path): every read of a contract through
 * `contracts/repository.ts` (`loadContract`, `findContracts`) upgrades in memory, so code only
 * ever sees the current shape, on SQLite and CloudBase alike, and the next commit of that contract
 * stores it. `migrateStoredContracts` (run by `npm run migrate`, scripts/migrate.ts, through the
 * store port) rewrites every stored document that is behind, with a compare-and-set on its
 * version, so a store can be brought fully up to date; re-running it finds nothing to do.
 * Nothing a migration touches is indexed: `memberOpenids`, `shareToken`, `state`, `expiresAt` and
 * `updatedAt` keep their values.
 *
 * May import: `domain/`, `ports/` (the store), `store/`.
 */
import { CONTRACT_SCHEMA_VERSION, type Contract, type Flow, type Party } from '../domain/contract';
import type { Doc, Store } from '../ports/store';

interface Migration {
  from: number;
  why: string;
  up: (doc: Record<string, unknown>) => Record<string, unknown>;
}

/** Version 1 (no `schemaVersion`): `parties: { initiator, counterparty }`, each with `role` (the side) and `kindRole`. */
interface PartyV1 extends Omit<Party, 'side' | 'role' | 'order'> {
  role: 'initiator' | 'counterparty';
  kindRole: string;
}
const SIDE_INDEX = { initiator: 0, counterparty: 1 } as const;

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    why: 'parties become an ordered list (initiator first) with side, kind role and signing position; references to a party become its index',
    up: (doc) => {
      const old = doc.parties as { initiator: PartyV1; counterparty: PartyV1 };
      const flow = doc.flow as Flow;
      // The signing positions the two-party flows always had (lifecycle/table.ts signingPositions).
      const orders = flow === 'template' ? [2, 1] : [1, 2];
      const parties: Party[] = (['initiator', 'counterparty'] as const).map((side, i) => {
        const { role: _side, kindRole, ...rest } = old[side];
        return { side, role: kindRole, ...rest, order: orders[i]! };
      });
      const pending = doc.pending as { by: 'initiator' | 'counterparty' } | null;
      const document = doc.document as { areas: Array<{ role?: 'initiator' | 'counterparty' }>; signatures: Array<{ by: string }> } | null;
      return {
        ...doc,
        parties,
        pending: pending ? { ...pending, by: SIDE_INDEX[pending.by] } : null,
        document: document
          ? {
              ...document,
              areas: document.areas.map(({ role, ...a }) => ({ ...a, party: SIDE_INDEX[role ?? 'initiator'] })),
              signatures: document.signatures.map((s) => ({ ...s, party: s.by === 'platform' ? null : SIDE_INDEX[s.by as 'initiator'] })),
            }
          : null,
      };
    },
  },
];

/** The stored document's version: 1 before versions were recorded. */
export const schemaVersionOf = (doc: Doc): number => (typeof doc.schemaVersion === 'number' ? doc.schemaVersion : 1);

/** The document at the current version; the same object when it is already there. */
export const migrateContract = <T extends Doc>(doc: T): Contract => {
  let v = schemaVersionOf(doc);
  if (v >= CONTRACT_SCHEMA_VERSION) return doc as unknown as Contract;
  let out: Record<string, unknown> = { ...doc };
  for (; v < CONTRACT_SCHEMA_VERSION; v++) {
    const m = MIGRATIONS.find((x) => x.from === v);
    if (!m) throw new Error(`no contract migration from version ${v}`);
    out = { ...m.up(out), schemaVersion: v + 1 };
  }
  return out as unknown as Contract;
};

/**
 * Rewrites every stored contract that is behind the current version (page by page, in `_id`
 * order, each with a compare-and-set: a contract changed meanwhile is re-read and retried).
 * Returns how many were rewritten; a second run returns 0.
 */
export const migrateStoredContracts = async (store: Store, collection: string, pageSize = 100): Promise<{ scanned: number; migrated: number }> => {
  let scanned = 0;
  let migrated = 0;
  let after: string | null = null;
  for (;;) {
    const page: Doc[] = await store.find<Doc>(collection, after === null ? {} : { _id: { $gt: after } }, { orderBy: [['_id', 'asc']], limit: pageSize });
    if (page.length === 0) break;
    for (let doc of page) {
      scanned++;
      for (let attempt = 0; doc && schemaVersionOf(doc) < CONTRACT_SCHEMA_VERSION; attempt++) {
        if (await store.compareAndSet(collection, migrateContract(doc) as unknown as Doc, doc.version ?? 0)) {
          migrated++;
          break;
        }
        if (attempt >= 5) throw new Error(`contract ${doc._id} keeps changing; run the migration again`);
        const fresh: Doc | null = await store.get<Doc>(collection, doc._id);
        if (!fresh) break;
        doc = fresh;
      }
    }
    after = page[page.length - 1]!._id;
    if (page.length < pageSize) break;
  }
  return { scanned, migrated };
};
