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
  /** HTTP 访问服务 paths (CreateCloudBaseGWAPI): path → function name and whether CloudBase's own login is required. */
  readonly httpAccess = new Map<string, { name: string; type: number; auth: boolean }>();
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
    // The gateway actions name the environment as ServiceId.
    const gateway = (fn: (p: Params) => Params) => (p: Params): Params => {
      if (p.ServiceId !== this.envId) throw new ApiError('ResourceNotFound', `service ${String(p.ServiceId)} not found`);
      return fn(p);
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
        // HTTP 访问服务: a public path bound to a function (Type 1), AuthSwitch 1 = CloudBase login required, 2 = open.
        CreateCloudBaseGWAPI: gateway((p) => {
          const path = String(p.Path ?? '');
          if (!/^\/[a-z0-9-/]+$/.test(path)) throw new ApiError('InvalidParameter.Path', `bad path ${path}`);
          if (this.httpAccess.has(path)) throw new ApiError('ResourceInUse.Path', `路径 ${path} 已存在`);
          this.httpAccess.set(path, { name: String(p.Name), type: Number(p.Type), auth: p.AuthSwitch === 1 });
          return { APIId: `api-${this.httpAccess.size}` };
        }),
        DescribeCloudBaseGWAPI: gateway((p) => {
          const apis = [...this.httpAccess].filter(([path, a]) => (p.Path === undefined || p.Path === path) && (p.Name === undefined || p.Name === a.name));
          return { APISet: apis.map(([path, a], i) => ({ ServiceId: this.envId, APIId: `api-${i + 1}`, Path: path, Type: a.type, Name: a.name, EnableAuth: a.auth })), Total: apis.length };
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
