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

export class TcbManageFake {
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
