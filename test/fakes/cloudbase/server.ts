/**
 * A local server that speaks the CloudBase server API the way @cloudbase/node-sdk uses it, so the
 * production adapters run unchanged against it (`tcb.init({serviceUrl})`):
 *
 *   POST /admin?env=<envId>&seqId=…   JSON {action, envName, collectionName, query, data, …},
 *        TC3-signed (signature.ts); answers {requestId, data:{…}} or {code, message, requestId}
 *   PUT|GET /cos/<bucket>/<path>      the COS side of uploads and temporary URLs (storage.ts)
 *
 * Database actions (EJSON strings in and out, as the SDK sends them): insertDocument,
 * getDocument, calculateDocument, modifyDocument, removeDocument, startTransaction,
 * commitTransaction, abortTransaction. Storage actions: getUploadMetadata, batchGetDownloadUrl,
 * batchDeleteFile. Anything else is INVALID_ACTION.
 *
 * Inside a transaction (`transactionId` given) only single-document operations are accepted, as
 * the CloudBase docs state (https://docs.cloudbase.net/database/transaction: get / add / delete /
 * update / set on `transaction.collection(c).doc(id)`; the WeChat reference for runTransaction:
 * "只允许进行单记录操作，不允许进行批量操作，但可以在一个事务中对多个记录进行操作"): getDocument,
 * modifyDocument and removeDocument by `_id` (queryType DOC, as DocumentReference sends them) and
 * insertDocument of one document. A query (`where(...).get()`, which the SDK does send with the
 * transaction id) or a batch insert is refused with INVALID_PARAM — the docs give the rule, not
 * the code, so the code is ours.
 */
import http from 'node:http';
import { EJSON } from 'bson';
import { listen, readBody, requestId, sendJson, type Listening } from '../http';
import { DbError, FakeDatabase, type Json } from './database';
import { verifyTcbSignature } from './signature';
import { FakeStorage } from './storage';

export interface CloudBaseFakeOptions {
  envId: string;
  /** SecretId → SecretKey accepted by the API. */
  keys: ReadonlyMap<string, string>;
  bucket?: string;
  db?: FakeDatabase;
}

export interface CloudBaseFake extends Listening {
  envId: string;
  serviceUrl: string;
  db: FakeDatabase;
  storage: FakeStorage;
  /** Every action received (after the signature check), in order. */
  actions: string[];
  /** Requests refused for their signature. */
  refused: number;
}

const parse = (ejson: unknown): Json => (typeof ejson === 'string' && ejson !== '' ? (EJSON.parse(ejson, { relaxed: true }) as Json) : {});
const out = (doc: Json): string => EJSON.stringify(doc, { relaxed: false });

export const startCloudBaseFake = async (options: CloudBaseFakeOptions): Promise<CloudBaseFake> => {
  const db = options.db ?? new FakeDatabase();
  let base = '';
  const storage = new FakeStorage(options.envId, options.bucket ?? `7465-${options.envId}-1250000000`, () => base);
  const fake = { actions: [] as string[], refused: 0 };

  const singleDocument = (action: string, p: Json): void => {
    if (action === 'database.insertDocument') {
      if (Array.isArray(p.data) && p.data.length !== 1) throw new DbError('INVALID_PARAM', 'a transaction inserts one document per call');
      return;
    }
    if (action === 'database.calculateDocument') throw new DbError('INVALID_PARAM', 'count is not a transaction operation');
    const query = parse(p.query);
    if (p.queryType !== 'DOC' || Object.keys(query).length !== 1 || query._id === undefined || typeof query._id === 'object') {
      throw new DbError('INVALID_PARAM', 'a transaction operates on single documents by _id only');
    }
  };

  const database = (action: string, p: Json): Json => {
    const coll = String(p.collectionName ?? '');
    const tx = typeof p.transactionId === 'string' && p.transactionId !== '' ? p.transactionId : undefined;
    if (tx) singleDocument(action, p);
    switch (action) {
      case 'database.insertDocument': {
        const docs = (Array.isArray(p.data) ? p.data : [p.data]).map(parse);
        return { insertedIds: db.insert(coll, docs, tx) };
      }
      case 'database.getDocument': {
        const sort = p.order ? (parse(p.order) as Record<string, 1 | -1>) : undefined;
        const limit = typeof p.limit === 'number' ? p.limit : 100;
        const offset = typeof p.offset === 'number' ? p.offset : 0;
        const list = db.find(coll, parse(p.query), { ...(sort ? { sort } : {}), skip: offset, limit }, tx);
        return { list: list.map(out), limit, offset };
      }
      case 'database.calculateDocument':
        return { total: db.count(coll, parse(p.query), tx) };
      case 'database.modifyDocument': {
        const r = db.modify(coll, parse(p.query), parse(p.data), { multi: p.multi !== false, merge: p.merge !== false, upsert: p.upsert === true }, tx);
        return { updated: r.updated, ...(r.upsertId ? { upsert_id: r.upsertId } : {}) };
      }
      case 'database.removeDocument':
        return { deleted: db.remove(coll, parse(p.query), p.multi !== false, tx) };
      default:
        throw new DbError('INVALID_ACTION', `unknown action ${action}`);
    }
  };

  const handleAdmin = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const rid = requestId();
    let p: Json;
    try {
      p = JSON.parse((await readBody(req)).toString('utf8')) as Json;
    } catch {
      return sendJson(res, 200, { code: 'INVALID_PARAM', message: 'body is not JSON', requestId: rid });
    }
    const sig = verifyTcbSignature(req, p, options.keys);
    if (!sig.ok) {
      fake.refused++;
      return sendJson(res, 200, { code: 'SIGN_PARAM_INVALID', message: `鉴权失败 / signature check failed: ${sig.message}`, requestId: rid });
    }
    const env = new URL(req.url ?? '/', 'http://x').searchParams.get('env');
    if (p.envName !== options.envId || env !== options.envId) return sendJson(res, 200, { code: 'INVALID_ENV', message: `environment ${String(p.envName)} not found`, requestId: rid });
    const action = String(p.action ?? '');
    fake.actions.push(action);
    try {
      switch (action) {
        case 'database.startTransaction':
          return sendJson(res, 200, { transactionId: db.startTransaction(), requestId: rid });
        case 'database.commitTransaction':
          db.commitTransaction(String(p.transactionId));
          return sendJson(res, 200, { requestId: rid });
        case 'database.abortTransaction':
          db.abortTransaction(String(p.transactionId));
          return sendJson(res, 200, { requestId: rid });
        case 'storage.getUploadMetadata':
          return sendJson(res, 200, { data: storage.uploadMetadata(p.path), requestId: rid });
        case 'storage.batchGetDownloadUrl':
          return sendJson(res, 200, { data: { download_list: storage.downloadUrls(p.file_list) }, requestId: rid });
        case 'storage.batchDeleteFile':
          return sendJson(res, 200, { data: { delete_list: storage.deleteFiles(p.fileid_list) }, requestId: rid });
        default:
          return sendJson(res, 200, { data: database(action, p), requestId: rid });
      }
    } catch (e) {
      if (e instanceof DbError) return sendJson(res, 200, { code: e.code, message: e.message, requestId: rid });
      return sendJson(res, 200, { code: 'SYS_ERR', message: (e as Error).message, requestId: rid });
    }
  };

  const server = http.createServer((req, res) => {
    const run = async (): Promise<void> => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/admin') return handleAdmin(req, res);
      if (path?.startsWith('/cos/')) return storage.handleCos(req, res, await readBody(req));
      return sendJson(res, 404, { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` });
    };
    run().catch((e: Error) => sendJson(res, 500, { code: 'SYS_ERR', message: e.message }));
  });
  const listening = await listen(server);
  base = listening.url;
  return Object.assign(fake, listening, { envId: options.envId, serviceUrl: `${listening.url}/admin`, db, storage }) as CloudBaseFake;
};
