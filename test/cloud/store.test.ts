/**
 * The CloudBase store adapter passes the same Store conformance suite as the SQLite one, through
 * the real @cloudbase/node-sdk against a local server speaking the CloudBase API (signed requests,
 * EJSON, a MongoDB query evaluator, transactions with write conflicts). The collections and
 * indexes come from the real setup command (manager-node → TCB API), so a wrong index definition
 * — e.g. a unique index that counts a missing share token as a value — fails here.
 */
import { createCloudBaseApp } from '../../shared/adapters/cloudbase/app';
import { CloudBaseStore, type Database } from '../../shared/adapters/cloudbase/store';
import type { Store } from '../../shared/ports/store';
import { ALL_COLLECTIONS } from '../../shared/store/collections';
import { runStoreConformance } from '../store/conformance';
import { holdNextCommit, writesTo } from '../support/interleave';
import { startCloudFakes, type CloudFakes } from '../fakes';

const ready: Promise<CloudFakes> = startCloudFakes().then(async (f) => {
  await f.setup();
  return f;
});
afterAll(async () => (await ready).close());

const open = async (): Promise<Store> => {
  const f = await ready;
  const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey: f.secretKey }, timeoutMs: 10_000 });
  return new CloudBaseStore(() => app.database() as unknown as Database);
};

runStoreConformance('cloudbase (node-sdk against the CloudBase protocol server)', open, { openSecond: open });

describe('CloudBase store specifics', () => {
  it('the setup command made every declared collection and index, and a second run changes nothing', async () => {
    const f = await ready;
    for (const spec of ALL_COLLECTIONS) {
      const names = f.db.indexes(spec.name).map((i) => i.name).sort();
      expect(names).toEqual(['_id_', ...spec.indexes.map((i) => i.name)].sort());
    }
    const unique = f.db.indexes('contracts').find((i) => i.name === 'share_token')!;
    expect(unique).toMatchObject({ unique: true, partial: { shareToken: { $type: expect.arrayContaining(['string']) } } });
    expect(await f.setup()).toEqual({ created: [], indexesCreated: [], indexesDropped: [], rulesApplied: [...ALL_COLLECTIONS.map((c) => `collection:${c.name}`), 'storage'], httpPathsCreated: [] });
  });

  it('a commit is one transaction of single-document operations', async () => {
    const f = await ready;
    const store = await open();
    await store.insert('contracts', { _id: 'tx-shape', state: 'draft' });
    f.cloudbase.actions.length = 0;
    const r = await store.commit({ collection: 'contracts', doc: { _id: 'tx-shape', state: 'signed' }, expectedVersion: 1 }, [
      { collection: 'events', docs: [{ _id: 'tx-shape:2', contractId: 'tx-shape', seq: 2 }] },
    ]);
    expect(r).toEqual({ ok: true, version: 2, versions: [2] });
    expect(f.cloudbase.actions).toEqual([
      'database.startTransaction',
      'database.getDocument',
      'database.modifyDocument',
      'database.insertDocument',
      'database.commitTransaction',
    ]);
  });

  it('a commit of several writes reads every document before writing any, one document per call', async () => {
    const f = await ready;
    const store = await open();
    await store.insert('contracts', { _id: 'tx-multi', state: 'awaiting_signatures' });
    await store.insert('face_checks', { _id: 'tx-multi-face', status: 'passed' });
    f.cloudbase.actions.length = 0;
    const r = await store.commit(
      [
        { collection: 'contracts', doc: { _id: 'tx-multi', state: 'signed' }, expectedVersion: 1 },
        { collection: 'face_checks', doc: { _id: 'tx-multi-face', status: 'used' }, expectedVersion: 1 },
        { collection: 'sms_outbox', doc: { _id: 'tx-multi-sms', to: 'x' }, expectedVersion: 0 },
      ],
      [{ collection: 'events', docs: [{ _id: 'tx-multi:2', contractId: 'tx-multi', seq: 2 }] }],
    );
    expect(r).toEqual({ ok: true, version: 2, versions: [2, 2, 1] });
    expect(f.cloudbase.actions).toEqual([
      'database.startTransaction',
      'database.getDocument',
      'database.getDocument',
      'database.modifyDocument',
      'database.modifyDocument',
      'database.insertDocument',
      'database.insertDocument',
      'database.commitTransaction',
    ]);
    // A stale second write: both reads, then the rollback; nothing was sent to be written.
    f.cloudbase.actions.length = 0;
    const lost = await store.commit([
      { collection: 'contracts', doc: { _id: 'tx-multi', state: 'x' }, expectedVersion: 2 },
      { collection: 'face_checks', doc: { _id: 'tx-multi-face', status: 'x' }, expectedVersion: 1 },
    ]);
    expect(lost).toEqual({ ok: false, reason: 'conflict' });
    expect(f.cloudbase.actions).toEqual(['database.startTransaction', 'database.getDocument', 'database.getDocument', 'database.abortTransaction']);
    expect(f.db.documents('face_checks').find((d) => d._id === 'tx-multi-face')).toEqual({ _id: 'tx-multi-face', status: 'used', version: 2 });
  });

  it('held inside its transaction after its reads, a commit whose document is written meanwhile hits a write conflict, runs again and reports the conflict', async () => {
    const f = await ready;
    const store = await open();
    await store.insert('contracts', { _id: 'tx-held', state: 'awaiting_signatures' });
    await store.insert('face_checks', { _id: 'tx-held-face', status: 'passed' });
    const gate = holdNextCommit(store, writesTo('face_checks', 'tx-held-face'), 'inTransaction');
    const sign = store.commit([
      { collection: 'contracts', doc: { _id: 'tx-held', state: 'signed' }, expectedVersion: 1 },
      { collection: 'face_checks', doc: { _id: 'tx-held-face', status: 'used' }, expectedVersion: 1 },
    ]);
    expect(await gate.reached).toMatchObject({ op: 'commit', attempt: 1 });
    // Another function instance revokes while the sign transaction is open (its versions checked).
    const other = await open();
    expect(await other.commit({ collection: 'contracts', doc: { _id: 'tx-held', state: 'revoked' }, expectedVersion: 1 })).toEqual({ ok: true, version: 2, versions: [2] });
    f.cloudbase.actions.length = 0;
    gate.release();
    expect(await sign).toEqual({ ok: false, reason: 'conflict' });
    expect(f.cloudbase.actions).toEqual([
      'database.modifyDocument', // the first write: DATABASE_TRANSACTION_CONFLICT, the transaction is gone
      'database.startTransaction', // runTransaction runs the callback again
      'database.getDocument', // version 2 now: rollback
      'database.abortTransaction',
    ]);
    expect(f.db.documents('contracts').find((d) => d._id === 'tx-held')).toEqual({ _id: 'tx-held', state: 'revoked', version: 2 });
    expect(f.db.documents('face_checks').find((d) => d._id === 'tx-held-face')).toEqual({ _id: 'tx-held-face', status: 'passed', version: 1 });
  });

  it('the protocol server refuses queries and batch inserts inside a transaction, as CloudBase admits single-document operations only', async () => {
    const f = await ready;
    const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey: f.secretKey }, timeoutMs: 10_000 });
    const db = app.database();
    await db.collection('users').add({ _id: 'tx-rule', a: 1 });
    const inTx = (run: (tx: any) => Promise<unknown>) => db.runTransaction(run, 1);
    await expect(inTx((tx) => tx.collection('users').where({ a: 1 }).get())).rejects.toMatchObject({ code: 'INVALID_PARAM' });
    await expect(inTx((tx) => tx.collection('users').add([{ _id: 'tx-rule-1' }, { _id: 'tx-rule-2' }]))).rejects.toMatchObject({ code: 'INVALID_PARAM' });
    expect(f.db.documents('users').filter((d) => String(d._id).startsWith('tx-rule-'))).toEqual([]);
    // By _id it is a transaction operation.
    await expect(inTx(async (tx) => (await tx.collection('users').doc('tx-rule').get()).data)).resolves.toEqual({ _id: 'tx-rule', a: 1 });
  });

  it('the timer queries are answered from their indexes (the leading index field is constrained)', async () => {
    const f = await ready;
    const store = await open();
    f.db.queryLog.length = 0;
    await store.find('contracts', { state: { $in: ['awaiting_fill', 'awaiting_signatures'] }, expiresAt: { $lte: '2030-01-01T00:00:00.000Z' } }, { orderBy: [['expiresAt', 'asc']], limit: 50 });
    await store.find('reminders', { status: 'pending', dueDate: { $lte: '2030-01-01' } }, { orderBy: [['dueDate', 'asc']], limit: 50 });
    const leading = (coll: string): string[] => f.db.indexes(coll).filter((i) => i.name !== '_id_').map((i) => i.keys[0]![0]);
    for (const q of f.db.queryLog) {
      const fields = Object.keys(q.query).concat((q.query.$and as Array<Record<string, unknown>> | undefined)?.flatMap((c) => Object.keys(c)) ?? []);
      expect(leading(q.collection).some((k) => fields.includes(k))).toBe(true);
    }
  });

  it('a wrong secret key is refused by the server and surfaces as PROVIDER_ERROR with its code', async () => {
    const f = await ready;
    const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey: 'not-the-key' }, timeoutMs: 10_000 });
    const store = new CloudBaseStore(() => app.database() as unknown as Database);
    const refusedBefore = f.cloudbase.refused;
    await expect(store.get('users', 'anyone')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'cloudbase', providerCode: 'SIGN_PARAM_INVALID' } });
    expect(f.cloudbase.refused).toBe(refusedBefore + 1);
  });

  it('a collection the setup never made is DATABASE_COLLECTION_NOT_EXIST, not a crash', async () => {
    const f = await ready;
    const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey: f.secretKey }, timeoutMs: 10_000 });
    const store = new CloudBaseStore(() => app.database() as unknown as Database, [{ name: 'not_set_up', indexes: [] }]);
    await expect(store.get('not_set_up', 'x')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { providerCode: 'DATABASE_COLLECTION_NOT_EXIST' } });
  });
});
