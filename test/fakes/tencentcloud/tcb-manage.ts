/**
 * The TCB management API (tcb.tencentcloudapi.com, 2018-06-08) as @cloudbase/manager-node uses it
 * to create collections and indexes: DescribeEnvInfo (the database instance), CreateTable,
 * DescribeTable, ListTables, UpdateTable{CreateIndexes, DropIndexes}, DeleteTable — acting on the
 * same in-memory database the CloudBase server answers from.
 */
import type { FakeDatabase, IndexDef } from '../cloudbase/database';
import { DbError } from '../cloudbase/database';
import { ApiError, type ApiService, type Params } from './server';

interface CreateIndex {
  IndexName?: string;
  MgoKeySchema?: { MgoIndexKeys?: Array<{ Name?: string; Direction?: string }>; MgoIsUnique?: boolean; MgoIsSparse?: boolean; PartialFilterExpression?: string };
}

const customRule = (permission: unknown, rule: unknown): unknown => {
  if (permission !== 'CUSTOM') return null;
  try {
    return JSON.parse(String(rule));
  } catch {
    throw new ApiError('InvalidParameter.SecurityRule', 'the security rule is not JSON');
  }
};

export class TcbManageFake {
  /** Security rules as applied: `collection:<name>` or `storage` → {permission, rule}. */
  readonly rules = new Map<string, { permission: string; rule: unknown }>();
  constructor(private readonly envId: string, private readonly db: FakeDatabase, private readonly bucket: string) {}

  service(): ApiService {
    const wrap = (fn: (p: Params) => Params) => (p: Params): Params => {
      if (p.EnvId !== this.envId) throw new ApiError('ResourceNotFound', `environment ${String(p.EnvId)} not found`);
      try {
        return fn(p);
      } catch (e) {
        if (e instanceof DbError) throw new ApiError(e.code, e.message);
        throw e;
      }
    };
    return {
      version: '2018-06-08',
      actions: {
        DescribeEnvInfo: wrap(() => ({
          EnvInfo: {
            EnvBaseInfo: {
              EnvId: this.envId,
              Alias: this.envId,
              Status: 'NORMAL',
              Databases: [{ InstanceId: `tnt-${this.envId}`, Region: 'ap-shanghai', Status: 'RUNNING' }],
              Storages: [{ Region: 'ap-shanghai', Bucket: this.bucket, CdnDomain: `${this.bucket}.tcb.qcloud.la`, AppId: '1250000000' }],
              Functions: [{ Namespace: this.envId, Region: 'ap-shanghai' }],
              Region: 'ap-shanghai',
            },
          },
        })),
        // 安全规则: ModifyResourcePermission (collections) and ModifyStorageSafeRule (the bucket); a CUSTOM rule must be JSON.
        ModifyResourcePermission: wrap((p) => {
          if (p.ResourceType !== 'collection' || typeof p.Resource !== 'string') throw new ApiError('InvalidParameter', 'ResourceType/Resource');
          if (!this.db.hasCollection(p.Resource)) throw new ApiError('ResourceNotFound', `collection ${p.Resource} not found`);
          this.rules.set(`collection:${p.Resource}`, { permission: String(p.Permission), rule: customRule(p.Permission, p.SecurityRule) });
          return { Success: true };
        }),
        ModifyStorageSafeRule: wrap((p) => {
          if (p.Bucket !== this.bucket) throw new ApiError('ResourceNotFound', `bucket ${String(p.Bucket)} not found`);
          this.rules.set('storage', { permission: String(p.AclTag), rule: customRule(p.AclTag, p.Rule) });
          return {};
        }),
        CreateTable: wrap((p) => {
          this.db.createCollection(String(p.TableName));
          return {};
        }),
        DeleteTable: wrap(() => {
          throw new ApiError('UnsupportedOperation', 'not needed by the setup command');
        }),
        DescribeTable: wrap((p) => {
          const indexes = this.db.indexes(String(p.TableName));
          return {
            IndexNum: indexes.length,
            Indexes: indexes.map((i) => ({
              Name: i.name,
              Size: 4096,
              Keys: i.keys.map(([f, d]) => ({ Name: f, Direction: String(d) })),
              Accesses: { Ops: 0, Since: '2024-01-01 00:00:00' },
              Unique: i.unique,
            })),
          };
        }),
        ListTables: wrap(() => {
          const tables = this.db.listCollections();
          return { Tables: tables.map((t) => ({ TableName: t.name, Count: t.count, Size: 0, IndexCount: t.indexCount, IndexSize: 0 })), Pager: { Offset: 0, Limit: 100, Total: tables.length } };
        }),
        UpdateTable: wrap((p) => {
          const table = String(p.TableName);
          for (const d of (p.DropIndexes ?? []) as Array<{ IndexName?: string }>) this.db.dropIndex(table, String(d.IndexName));
          for (const c of (p.CreateIndexes ?? []) as CreateIndex[]) this.db.createIndex(table, this.indexDef(c));
          return {};
        }),
      },
    };
  }

  private indexDef(c: CreateIndex): IndexDef {
    const keys = c.MgoKeySchema?.MgoIndexKeys ?? [];
    if (!c.IndexName || keys.length === 0) throw new ApiError('InvalidParameter', 'IndexName and MgoIndexKeys are required');
    let partial: Record<string, unknown> | undefined;
    if (c.MgoKeySchema?.PartialFilterExpression) {
      try {
        partial = JSON.parse(c.MgoKeySchema.PartialFilterExpression) as Record<string, unknown>;
      } catch {
        throw new ApiError('InvalidParameter', 'PartialFilterExpression is not JSON');
      }
    }
    return {
      name: c.IndexName,
      keys: keys.map((k) => {
        if (!k.Name || (k.Direction !== '1' && k.Direction !== '-1')) throw new ApiError('InvalidParameter', `bad index key ${JSON.stringify(k)}`);
        return [k.Name, Number(k.Direction) as 1 | -1];
      }),
      unique: c.MgoKeySchema?.MgoIsUnique === true,
      sparse: c.MgoKeySchema?.MgoIsSparse === true,
      ...(partial ? { partial } : {}),
    };
  }
}
