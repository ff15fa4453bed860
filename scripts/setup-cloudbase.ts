/**
 * `npm run setup:cloud`: creates every collection and index declared in shared/store/collections.ts
 * in the CloudBase environment, through @cloudbase/manager-node (TCB API CreateTable / UpdateTable).
 * Safe to re-run: existing collections are kept, indexes that already match are left alone, an
 * index whose definition changed is dropped and recreated, and an index the declarations no longer
 * name is dropped (the declarations are the truth, as for the SQLite store). `_id_` is never touched.
 *
 * It then applies the security rules of deploy/security-rules/ (private by default): every
 * collection's custom rule (ModifyResourcePermission) and the storage bucket's (ModifyStorageSafeRule)
 * deny every client-side read and write; only the cloud functions, on the server SDK, reach data.
 * And it gives each webhook function of the registry (payment-notify) its public HTTPS path
 * (HTTP 访问服务, `/<name>`, without CloudBase login: WeChat Pay cannot log in, the function
 * verifies WeChat Pay's signature itself): what WECHATPAY_NOTIFY_URL points at.
 *
 * Settings (environment): TCB_ENV (or ESIGN_TCB_ENV) — the environment id; TENCENTCLOUD_SECRETID /
 * TENCENTCLOUD_SECRETKEY (/ TENCENTCLOUD_SESSIONTOKEN) — an API key allowed to manage it;
 * TENCENTCLOUD_REGION (default ap-shanghai). TCB_BASE_URL (manager-node's own setting) points it at
 * another TCB API endpoint, which is how the tests run it against a local one.
 */
import CloudBaseManager from '@cloudbase/manager-node';
import fs from 'node:fs';
import path from 'node:path';
import { cloudBaseIndexes, sameIndex, type DescribedIndex } from '../shared/adapters/cloudbase/indexes';
import { ALL_COLLECTIONS, type CollectionSpec } from '../shared/store/collections';
import { FUNCTIONS } from '../shared/runtime/registry';

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
  /** What the security rules were applied to: `collection:<name>` and `storage`. */
  rulesApplied: string[];
  /** HTTP paths created for webhook functions this run (`/<name>`). */
  httpPathsCreated: string[];
}

/** A CloudBase security rule: `read` and `write` expressions, or booleans. */
export interface SecurityRule {
  read: boolean | string;
  write: boolean | string;
}

export const RULES_DIR = path.resolve(__dirname, '..', 'deploy', 'security-rules');

/** The rules files, checked: each must deny (false) both, so no file edit can open data to clients unnoticed. */
export const loadSecurityRules = (dir = RULES_DIR): { database: SecurityRule; storage: SecurityRule } => {
  const read = (name: string): SecurityRule => {
    const rule = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as SecurityRule;
    if (rule.read !== false || rule.write !== false) throw new Error(`deploy/security-rules/${name}.json must deny every client read and write ("read": false, "write": false)`);
    return { read: rule.read, write: rule.write };
  };
  return { database: read('database'), storage: read('storage') };
};

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
  const report: SetupReport = { created: [], indexesCreated: [], indexesDropped: [], rulesApplied: [], httpPathsCreated: [] };
  const rules = loadSecurityRules();
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
  // Private by default: applied on every run (idempotent), so a rule loosened in the console is put back.
  for (const spec of options.collections ?? ALL_COLLECTIONS) {
    await manager.permission.modifyResourcePermission({ resourceType: 'collection', resource: spec.name, permission: 'CUSTOM', securityRule: JSON.stringify(rules.database) });
    report.rulesApplied.push(`collection:${spec.name}`);
  }
  await manager.storage.setStorageAcl('CUSTOM', rules.storage);
  report.rulesApplied.push('storage');
  log(`security rules: ${report.rulesApplied.length} applied (no client reads or writes)`);
  for (const fn of FUNCTIONS.filter((f) => f.kind === 'webhook')) {
    const p = `/${fn.name}`;
    const existing = (await manager.access.getAccessList({ path: p })) as { APISet?: Array<{ Name: string }> };
    if (existing.APISet?.some((a) => a.Name === fn.name)) continue;
    await manager.access.createAccess({ path: p, name: fn.name, type: 1, auth: false });
    report.httpPathsCreated.push(p);
    log(`HTTP access ${p} → ${fn.name}: created`);
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
    .then((r) => console.log(`done: ${r.created.length} collection(s) and ${r.indexesCreated.length} index(es) created, ${r.indexesDropped.length} index(es) dropped, ${r.rulesApplied.length} security rule(s) applied`))
    .catch((e: Error & { code?: string; requestId?: string }) => {
      console.error(`setup failed: ${e.code ?? ''} ${e.message}${e.requestId ? ` (RequestId ${e.requestId})` : ''}`);
      process.exit(1);
    });
}
