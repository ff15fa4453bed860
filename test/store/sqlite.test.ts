import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'libsql';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { compileFind } from '../../shared/adapters/local/sqlite-filter';
import { tableInfo } from '../../shared/adapters/local/sqlite-schema';
import { COLLECTIONS, type CollectionSpec } from '../../shared/store/collections';
import type { Doc, Filter, FindOptions } from '../../shared/ports/store';
import { runStoreConformance } from './conformance';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esign-store-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const conformanceFile = path.join(tmp, 'conformance', 'store.db');
runStoreConformance('sqlite file', () => openSqliteStore(conformanceFile), {
  openSecond: () => openSqliteStore(conformanceFile),
});
runStoreConformance('sqlite :memory:', () => openSqliteStore(':memory:'));

describe('SQLite store specifics', () => {
  const file = path.join(tmp, 'specific', 'nested', 'dir', 'store.db');

  it('creates the directory and opens the file in WAL mode', async () => {
    const store = openSqliteStore(file);
    await store.insert('users', { _id: 'u1', a: 1 });
    await store.close();
    const raw = new Database(file);
    try {
      expect((raw.pragma('journal_mode') as Array<{ journal_mode: string }>)[0]!.journal_mode).toBe('wal');
      const row = raw.prepare('SELECT version, doc FROM users WHERE _id = ?').raw().get(['u1']);
      // `version` lives in its column only.
      expect(row).toEqual([1, '{"_id":"u1","a":1}']);
    } finally {
      raw.close();
    }
  });

  it('reopening keeps the data and does no schema work (no write lock needed)', async () => {
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    try {
      const started = Date.now();
      const store = openSqliteStore(file);
      expect(Date.now() - started).toBeLessThan(1000); // did not wait for the 5 s busy timeout
      expect(await store.get('users', 'u1')).toEqual({ _id: 'u1', a: 1, version: 1 });
      await store.close();
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  describe('query plans', () => {
    let raw: Database.Database;
    beforeAll(async () => {
      await (await Promise.resolve(openSqliteStore(file))).close();
      raw = new Database(file);
    });
    afterAll(() => raw.close());

    const plan = (spec: CollectionSpec, filter: Filter, options?: FindOptions): string[] => {
      const { sql, params } = compileFind(tableInfo(spec), filter, options);
      return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
    };

    it('the expiry timer query searches the state_expires index', () => {
      const details = plan(
        COLLECTIONS.contracts,
        { state: { $in: ['awaiting_signatures', 'partly_signed'] }, expiresAt: { $lte: '2024-06-01T00:00:00.000Z' } },
        { orderBy: [['expiresAt', 'asc']], limit: 100 },
      );
      // On the indexed fields' own columns (issue 17: no JSON parsed to maintain an index).
      expect(details[0]).toMatch(/^SEARCH contracts USING INDEX ix_contracts__state_expires \(f\.state=\? AND f\.expiresAt>\? AND f\.expiresAt<\?\)/);
      expect(details.join('\n')).not.toMatch(/SCAN contracts/);
    });

    it('the member query is driven by the memberOpenids element index, even with another indexed condition', () => {
      const filters: Filter[] = [{ memberOpenids: 'o-1' }, { memberOpenids: 'o-1', state: 'done' }, { memberOpenids: { $in: ['o-1', 'o-2'] } }];
      for (const filter of filters) {
        const details = plan(COLLECTIONS.contracts, filter, { orderBy: [['updatedAt', 'desc']], limit: 20 });
        const text = details.join('\n');
        // The side table is searched first (the $in form reads it in a co-routine), then each
        // contract is fetched by _id; nothing scans the contracts table.
        expect(text.indexOf('SEARCH contracts__memberOpenids USING PRIMARY KEY (value=?)')).toBeGreaterThanOrEqual(0);
        expect(text.indexOf('SEARCH contracts__memberOpenids')).toBeLessThan(text.indexOf('SEARCH contracts USING INDEX sqlite_autoindex_contracts_1 (_id=?)'));
        expect(text).not.toMatch(/SCAN contracts( |$)/m);
      }
    });

    it('events by contract in seq order and share tokens use their unique indexes', () => {
      expect(plan(COLLECTIONS.events, { contractId: 'c' }, { orderBy: [['seq', 'asc']] })[0]).toMatch(
        /SEARCH events USING INDEX ix_events__contract_seq/,
      );
      expect(plan(COLLECTIONS.contracts, { shareToken: 't' })[0]).toMatch(/SEARCH contracts USING INDEX ix_contracts__share_token/);
    });
  });

  it('adds a late-declared index and (re)builds the element index of a late-declared array field', async () => {
    const f = path.join(tmp, 'migrate.db');
    const bare: CollectionSpec = { name: 'contracts', indexes: [] };
    const s1 = openSqliteStore(f, [bare]);
    await s1.insert('contracts', { _id: 'a', memberOpenids: ['x', 'y'], state: 's' });
    await s1.insert('contracts', { _id: 'b', memberOpenids: ['y'], state: 's' });
    await expect(s1.find('users', {})).rejects.toThrow(/unknown collection/);
    await s1.close();

    const s2 = openSqliteStore(f);
    expect((await s2.find('contracts', { memberOpenids: 'y' })).map((d) => d._id)).toEqual(['a', 'b']);
    expect((await s2.find('contracts', { memberOpenids: 'x' })).map((d) => d._id)).toEqual(['a']);
    await s2.close();
    // Undeclared for a while (its triggers dropped), written to, then declared again: rebuilt.
    const s3 = openSqliteStore(f, [bare]);
    expect(await s3.compareAndSet('contracts', { _id: 'a', memberOpenids: ['z'] }, 1)).toBe(true);
    await s3.close();
    const s4 = openSqliteStore(f);
    expect((await s4.find('contracts', { memberOpenids: 'x' })).map((d) => d._id)).toEqual([]);
    expect((await s4.find('contracts', { memberOpenids: 'z' })).map((d) => d._id)).toEqual(['a']);
    await s4.close();
    const raw = new Database(f);
    try {
      const names = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").raw().all([]) as string[][]).map((r) => r[0]);
      expect(names).toEqual(expect.arrayContaining(['ix_contracts__state_expires', 'ix_contracts__share_token']));
    } finally {
      raw.close();
    }
  });

  it('an indexed field\'s column holds exactly what json_extract reads from the stored document (every JSON type)', async () => {
    const f = path.join(tmp, 'columns.db');
    const store = openSqliteStore(f);
    const values: unknown[] = ['s', '', '{x', '[1', 0, 1, -0, 2.5, 1e300, -7, true, false, null, undefined, { a: 1, b: [2] }, [], ['x', 1], new Date('2026-01-02T03:04:05.000Z'), Number.NaN];
    for (const [i, v] of values.entries()) {
      await store.insert('users', { _id: `u${i}`, realName: { phone: v } });
      await store.insert('users', { _id: `n${i}`, realName: v }); // the path's parent not an object
      await store.insert('contracts', { _id: `c${i}`, state: v, expiresAt: v, memberOpenids: v });
    }
    await store.close();
    const raw = new Database(f);
    try {
      const mismatches = (sql: string) => raw.prepare(sql).raw().all([]);
      expect(mismatches(`SELECT _id FROM users WHERE "f.realName.phone" IS NOT json_extract(doc, '$.realName.phone')`)).toEqual([]);
      expect(mismatches(`SELECT _id FROM contracts WHERE "f.state" IS NOT json_extract(doc, '$.state') OR "f.expiresAt" IS NOT json_extract(doc, '$.expiresAt')`)).toEqual([]);
      // The element index holds what json_each of the document's field holds.
      expect(raw.prepare(`SELECT value, _id FROM contracts__memberOpenids ORDER BY _id, value`).raw().all([])).toEqual(
        raw.prepare(`SELECT value, c._id FROM contracts c, json_each(c.doc, '$.memberOpenids') WHERE type IN ('text', 'integer', 'real') AND json_type(c.doc, '$.memberOpenids') <> 'object' ORDER BY c._id, value`).raw().all([]),
      );
    } finally {
      raw.close();
    }
  });

  it('migrates a data file from before the columns: filled from the documents, JSON-expression indexes replaced, queries unchanged', async () => {
    const f = path.join(tmp, 'old-format.db');
    const old = new Database(f);
    // The schema as sqlite-schema.ts wrote it before issue 17 (expression indexes, triggers on doc).
    const side = (src: string) => `INSERT OR IGNORE INTO "contracts__memberOpenids" (value, _id) SELECT value, ${src}._id FROM json_each(${src}.doc, '$.memberOpenids') WHERE type IN ('text', 'integer', 'real') AND json_type(${src}.doc, '$.memberOpenids') <> 'object'`;
    old.exec(`
      CREATE TABLE "contracts" (_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE "contracts__memberOpenids" (value NOT NULL, _id TEXT NOT NULL, PRIMARY KEY (value, _id)) WITHOUT ROWID;
      CREATE TRIGGER "tr_contracts__memberOpenids__ins" AFTER INSERT ON "contracts" BEGIN ${side('NEW')}; END;
      CREATE INDEX "ix_contracts__state_expires" ON "contracts" (json_extract(doc, '$.state'), json_extract(doc, '$.expiresAt'), _id);
      CREATE UNIQUE INDEX "ix_contracts__share_token" ON "contracts" (json_extract(doc, '$.shareToken'));
      INSERT INTO contracts VALUES ('a', 3, '{"_id":"a","state":"awaiting_signatures","expiresAt":"2026-01-01","shareToken":"t1","memberOpenids":["o-1","o-2"]}');
      INSERT INTO contracts VALUES ('b', 1, '{"_id":"b","state":"signed","expiresAt":null,"memberOpenids":["o-2"]}');
    `);
    old.close();
    const store = openSqliteStore(f);
    expect((await store.find('contracts', { state: 'awaiting_signatures', expiresAt: { $lte: '2026-02-01' } })).map((d) => [d._id, d.version])).toEqual([['a', 3]]);
    expect((await store.find('contracts', { memberOpenids: 'o-2' }, { orderBy: [['updatedAt', 'desc']] })).map((d) => d._id)).toEqual(['a', 'b']);
    await expect(store.insert('contracts', { _id: 'c', shareToken: 't1', memberOpenids: [] })).rejects.toThrow(/duplicate|exists/i);
    expect(await store.compareAndSet('contracts', { _id: 'b', state: 'settled', memberOpenids: ['o-3'] }, 1)).toBe(true);
    expect((await store.find('contracts', { memberOpenids: 'o-3' })).map((d) => [d._id, d.state])).toEqual([['b', 'settled']]);
    expect(await store.find('contracts', { memberOpenids: 'o-2', state: 'settled' })).toEqual([]);
    await store.close();
    const raw = new Database(f);
    try {
      const sql = (raw.prepare(`SELECT name, sql FROM sqlite_master WHERE tbl_name = 'contracts' AND type IN ('index', 'trigger')`).raw().all([]) as string[][]).filter((r) => r[1]);
      expect(sql.length).toBeGreaterThan(0);
      expect(sql.filter((r) => /json_extract\(doc|NEW\.doc|OLD\.doc/.test(r[1]!))).toEqual([]); // nothing parses a document on a write
    } finally {
      raw.close();
    }
    // Reopening does no schema work.
    const again = openSqliteStore(f);
    await again.close();
  });

  it('refuses values SQLite cannot bind instead of crashing the process', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await expect(store.find('contracts', { memberOpenids: true })).rejects.toThrow(/booleans/);
      await expect(store.find('users', { a: { $in: [{}] } } as unknown as Filter)).rejects.toThrow();
      await expect(store.find('users', { a: Number.NaN })).rejects.toThrow();
      await expect(store.find('users', { a: { $lt: null } } as unknown as Filter)).rejects.toThrow();
      await expect(store.get('users', true as unknown as string)).rejects.toThrow(TypeError);
      await expect(store.insert('users', { _id: 7 } as unknown as Doc)).rejects.toThrow(TypeError);
    } finally {
      await store.close();
    }
  });

  it('worker threads on one file: wins are exactly the contiguous events, losses are conflicts', async () => {
    const f = path.join(tmp, 'workers.db');
    const counterId = 'counter';
    const setup = openSqliteStore(f);
    await setup.insert('contracts', { _id: counterId, n: 0, memberOpenids: ['o-a', 'o-b'] });

    const workers = 4;
    const attempts = 250;
    const gate = new SharedArrayBuffer(4);
    type Report = { wins: number; losses: number; errors: string[]; fatal?: string };
    let ready = 0;
    let releaseAll!: () => void;
    const allReady = new Promise<void>((resolve) => (releaseAll = resolve));
    const reports = Array.from({ length: workers }, () => {
      const w = new Worker(path.join(__dirname, 'counter-worker.js'), { workerData: { file: f, counterId, attempts, gate } });
      return new Promise<Report>((resolve, reject) => {
        w.on('message', (m: { ready?: boolean; done?: boolean } & Report) => {
          if (m.ready && ++ready === workers) releaseAll();
          if (m.done) resolve(m);
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
      });
    });
    await allReady;
    const start = new Int32Array(gate);
    Atomics.store(start, 0, 1);
    Atomics.notify(start, 0);
    const results = await Promise.all(reports);

    for (const r of results) {
      expect(r.fatal).toBeUndefined();
      expect(r.errors).toEqual([]);
      expect(r.wins + r.losses).toBe(attempts);
    }
    const wins = results.reduce((a, r) => a + r.wins, 0);
    const losses = results.reduce((a, r) => a + r.losses, 0);
    expect(losses).toBeGreaterThan(0); // the workers really raced

    const final = (await setup.get<Doc & { n: number }>('contracts', counterId))!;
    expect(final.version).toBe(wins + 1);
    expect(final.n).toBe(wins);
    const events: string[] = [];
    for (let skip = 0; ; skip += 1000) {
      const page = await setup.find('events', { contractId: counterId }, { orderBy: [['seq', 'asc']], skip, limit: 1000 });
      events.push(...page.map((d) => d._id));
      if (page.length < 1000) break;
    }
    expect(events).toEqual(Array.from({ length: wins }, (_, k) => `${counterId}:${k + 2}`));
    expect(await setup.count('events', {})).toBe(wins);
    // The element index followed every write.
    expect((await setup.find('contracts', { memberOpenids: 'o-b' })).map((d) => d._id)).toEqual([counterId]);
    await setup.close();
  }, 60_000);
});
