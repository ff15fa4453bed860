/**
 * worker_threads body for the SQLite concurrency test (test/store/sqlite.test.ts).
 *
 * Workers are plain Node (no jest transform), so the TypeScript adapter is loaded through tsx's
 * scoped require (`tsx/cjs/api`), which compiles the .ts files on the fly for this require only.
 * Each worker opens its own connection to the same SQLite file, waits on a shared start gate, then
 * loops: read the counter, commit CAS version+1 with event `<counter>:<version+1>`.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { require: tsxRequire } = require('tsx/cjs/api');

async function main() {
  const { openSqliteStore } = tsxRequire('../../shared/adapters/local/sqlite-store.ts', __filename);
  const { file, counterId, attempts, gate } = workerData;
  const store = openSqliteStore(file);
  const start = new Int32Array(gate);
  parentPort.postMessage({ ready: true });
  Atomics.wait(start, 0, 0);

  let wins = 0;
  let losses = 0;
  const errors = [];
  for (let i = 0; i < attempts; i++) {
    try {
      const doc = await store.get('contracts', counterId);
      const next = doc.version + 1;
      const res = await store.commit(
        { collection: 'contracts', doc: { ...doc, n: doc.n + 1 }, expectedVersion: doc.version },
        [{ collection: 'events', docs: [{ _id: `${counterId}:${next}`, contractId: counterId, seq: next }] }],
      );
      if (res.ok && res.version === next) wins++;
      else if (!res.ok && res.reason === 'conflict') losses++;
      else errors.push(`unexpected result ${JSON.stringify(res)}`);
    } catch (err) {
      errors.push(String((err && err.stack) || err));
    }
  }
  await store.close();
  parentPort.postMessage({ done: true, wins, losses, errors });
}

main().catch((err) => parentPort.postMessage({ done: true, fatal: String((err && err.stack) || err) }));
