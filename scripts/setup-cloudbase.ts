/**
 * `npm run setup:cloud`: creates every collection and index declared in shared/store/collections.ts
 * in the CloudBase environment, through @cloudbase/manager-node (TCB API CreateTable / UpdateTable).
 * Safe to re-run: existing collections are kept, indexes that already match are left alone, an
 * index whose definition changed is dropped and recreated, and an index the declarations no longer
 * name is dropped (the declarations are the truth, as for the SQLite store). `_id_` is never touched.
 *
 * Settings (environment): TCB_ENV (or ESIGN_TCB_ENV) — the environment id; TENCENTCLOUD_SECRETID /
 * TENCENTCLOUD_SECRETKEY (/ TENCENTCLOUD_SESSIONTOKEN) — an API key allowed to manage it;
 * TENCENTCLOUD_REGION (default ap-shanghai). TCB_BASE_URL (manager-node's own setting) points it at
 * another TCB API endpoint, which is how the tests run it against a local one.
 */
import CloudBaseManager from '@cloudbase/manager-node';
import { cloudBaseIndexes, sameIndex, type DescribedIndex } from '../shared/adapters/cloudbase/indexes';
import { ALL_COLLECTIONS, type CollectionSpec } from '../shared/store/collections';

export interface SetupOptions {
  envId: string;
  secretId: string;
  secretKey: string;
  token?: string;
  region?: string;
  collections?: CollectionSpec[];
  log?: (line: string) => void;
}

export interface SetupReport {
  created: string[];
  indexesCreated: string[];
  indexesDropped: string[];
}

export async function setupCloudBase(options: SetupOptions): Promise<SetupReport> {
  const log = options.log ?? (() => undefined);
  const manager = new CloudBaseManager({
    envId: options.envId,
    secretId: options.secretId,
    secretKey: options.secretKey,
    ...(options.token ? { token: options.token } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  const db = manager.database;
  const report: SetupReport = { created: [], indexesCreated: [], indexesDropped: [] };
  for (const spec of options.collections ?? ALL_COLLECTIONS) {
    const made = await db.createCollectionIfNotExists(spec.name);
    if (made.IsCreated) {
      report.created.push(spec.name);
      log(`collection ${spec.name}: created`);
    }
    const have = ((await db.describeCollection(spec.name)).Indexes ?? []) as DescribedIndex[];
    const want = cloudBaseIndexes(spec);
    const create = want.filter((w) => !have.some((h) => sameIndex(w, h)));
    const drop = have.filter((h) => h.Name !== '_id_' && !want.some((w) => sameIndex(w, h)));
    if (create.length === 0 && drop.length === 0) {
      log(`collection ${spec.name}: indexes up to date`);
      continue;
    }
    await db.updateCollection(spec.name, {
      ...(drop.length ? { DropIndexes: drop.map((h) => ({ IndexName: h.Name })) } : {}),
      ...(create.length ? { CreateIndexes: create } : {}),
    } as never);
    for (const h of drop) report.indexesDropped.push(`${spec.name}.${h.Name}`);
    for (const w of create) report.indexesCreated.push(`${spec.name}.${w.IndexName}`);
    log(`collection ${spec.name}: ${create.length} index(es) created, ${drop.length} dropped`);
  }
  return report;
}

if (require.main === module) {
  const env = process.env;
  const envId = env.TCB_ENV ?? env.ESIGN_TCB_ENV;
  const secretId = env.TENCENTCLOUD_SECRETID;
  const secretKey = env.TENCENTCLOUD_SECRETKEY;
  if (!envId || !secretId || !secretKey) {
    console.error('Set TCB_ENV, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (an API key that may manage the environment).');
    process.exit(1);
  }
  setupCloudBase({
    envId,
    secretId,
    secretKey,
    ...(env.TENCENTCLOUD_SESSIONTOKEN ? { token: env.TENCENTCLOUD_SESSIONTOKEN } : {}),
    region: env.TENCENTCLOUD_REGION ?? 'ap-shanghai',
    log: (line) => console.log(line),
  })
    .then((r) => console.log(`done: ${r.created.length} collection(s) and ${r.indexesCreated.length} index(es) created, ${r.indexesDropped.length} index(es) dropped`))
    .catch((e: Error & { code?: string; requestId?: string }) => {
      console.error(`setup failed: ${e.code ?? ''} ${e.message}${e.requestId ? ` (RequestId ${e.requestId})` : ''}`);
      process.exit(1);
    });
}
