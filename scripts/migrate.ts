/**
 * `npm run migrate`: brings every stored contract up to the current schema version
 * (shared/contracts/migrations.ts), through the store port — CloudBase by default, or a local
 * SQLite file with `--sqlite <file>` (e.g. the emulator's data/esign.sqlite). Safe to re-run: a
 * contract already current is left alone, so a second run reports 0 migrated. Reads already
 * upgrade contracts in memory (contracts/repository.ts), so running this is not a precondition of
 * deploying; it makes the stored documents match, so the read-time upgrade can be retired later.
 *
 * CloudBase settings (environment, as for `npm run setup:cloud` — an operator's key on the
 * operator's machine, never a function's): TCB_ENV (or ESIGN_TCB_ENV), TENCENTCLOUD_SECRETID /
 * TENCENTCLOUD_SECRETKEY (/ TENCENTCLOUD_SESSIONTOKEN); TCB_SERVICE_URL points the SDK elsewhere.
 */
import { createCloudBaseApp } from '../shared/adapters/cloudbase/app';
import { CloudBaseStore, type Database } from '../shared/adapters/cloudbase/store';
import { openSqliteStore } from '../shared/adapters/local/sqlite-store';
import { migrateStoredContracts } from '../shared/contracts/migrations';
import { CONTRACTS } from '../shared/contracts/repository';
import type { Store } from '../shared/ports/store';

/** Every registered migration over one store; what `npm run migrate` runs. */
export const runMigrations = async (store: Store): Promise<{ contracts: { scanned: number; migrated: number } }> => ({
  contracts: await migrateStoredContracts(store, CONTRACTS),
});

const openStore = (argv: string[]): Store => {
  const at = argv.indexOf('--sqlite');
  if (at >= 0) {
    const file = argv[at + 1];
    if (!file) throw new Error('--sqlite needs a file');
    return openSqliteStore(file);
  }
  const env = process.env;
  const envId = env.TCB_ENV ?? env.ESIGN_TCB_ENV;
  const secretId = env.TENCENTCLOUD_SECRETID;
  const secretKey = env.TENCENTCLOUD_SECRETKEY;
  if (!envId || !secretId || !secretKey) throw new Error('Set TCB_ENV, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY, or pass --sqlite <file>.');
  const app = createCloudBaseApp({
    envId,
    timeoutMs: 15_000,
    ...(env.TCB_SERVICE_URL ? { serviceUrl: env.TCB_SERVICE_URL } : {}),
    credentials: { secretId, secretKey, ...(env.TENCENTCLOUD_SESSIONTOKEN ? { sessionToken: env.TENCENTCLOUD_SESSIONTOKEN } : {}) },
  });
  return new CloudBaseStore(() => app.database() as unknown as Database);
};

if (require.main === module) {
  (async () => {
    const store = openStore(process.argv.slice(2));
    try {
      const r = await runMigrations(store);
      console.log(`contracts: ${r.contracts.scanned} scanned, ${r.contracts.migrated} migrated`);
    } finally {
      await store.close();
    }
  })().catch((e: Error) => {
    console.error(`migration failed: ${e.message}`);
    process.exit(1);
  });
}
