/**
 * The local emulator's data in and out as JSON lines (issue 18):
 *   npm run data:export -- FILE [--data DIR]   every collection's documents, then every file under
 *                                               the data dir (PDFs, keys, secrets) base64-encoded
 *   npm run data:import -- FILE [--data DIR]   into a data dir that has no database yet
 * One line per record: {"collection","doc"} or {"file","base64"}. The platform CA and secrets travel
 * with the data (contracts verify only against the CA that signed them): the file is as sensitive as
 * the data dir itself. Import writes documents as they were — event chains and heads untouched —
 * and checks every contract's chain before it reports success.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createContainer, type Container } from '../shared/runtime/container';
import { ALL_COLLECTIONS } from '../shared/store/collections';
import { createLogger } from '../shared/runtime/logger';
import { verifyChain, type ContractEvent } from '../shared/domain/events';
import type { Contract } from '../shared/domain/contract';

const DB_FILES = /^esign\.sqlite/;
const PAGE = 500;

const open = (dataDir: string): Container =>
  createContainer({ ESIGN_PROVIDER: 'local', ESIGN_DATA_DIR: dataDir, NODE_ENV: 'production' }, { log: createLogger({ level: 'silent' }) });

const walk = async (root: string, rel = ''): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await walk(root, r)));
    else if (e.isFile() && !DB_FILES.test(e.name) && !e.name.startsWith('.write-test')) out.push(r);
  }
  return out.sort();
};

export const exportData = async (dataDir: string, file: string): Promise<{ docs: number; files: number }> => {
  const c = open(dataDir);
  const lines: string[] = [];
  let docs = 0;
  try {
    for (const col of ALL_COLLECTIONS) {
      for (let skip = 0; ; skip += PAGE) {
        const rows = await c.store.find(col.name, {}, { orderBy: [['_id', 'asc']], limit: PAGE, skip });
        for (const doc of rows) lines.push(JSON.stringify({ collection: col.name, doc }));
        docs += rows.length;
        if (rows.length < PAGE) break;
      }
    }
  } finally {
    await c.close();
  }
  const files = await walk(dataDir);
  for (const f of files) lines.push(JSON.stringify({ file: f.split(path.sep).join('/'), base64: (await fs.readFile(path.join(dataDir, f))).toString('base64') }));
  await fs.writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { docs, files: files.length };
};

export const importData = async (file: string, dataDir: string): Promise<{ docs: number; files: number; contracts: number }> => {
  await fs.mkdir(dataDir, { recursive: true });
  if ((await fs.readdir(dataDir)).some((f) => DB_FILES.test(f))) throw new Error(`${dataDir} already has a database: import into a fresh data dir`);
  const known = new Set(ALL_COLLECTIONS.map((c) => c.name));
  const text = await fs.readFile(file, 'utf8');
  let files = 0;
  const docs: Array<{ collection: string; doc: any }> = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { collection?: string; doc?: any; file?: string; base64?: string };
    if (r.file !== undefined) {
      // Only plain relative names: an export file is input, and no string of it may leave the data dir.
      const parts = r.file.split('/');
      if (parts.some((p) => p === '' || p === '.' || p === '..' || !/^[A-Za-z0-9._-]+$/.test(p))) throw new Error(`line ${n + 1}: bad file name`);
      await fs.mkdir(path.join(dataDir, ...parts.slice(0, -1)), { recursive: true });
      await fs.writeFile(path.join(dataDir, ...parts), Buffer.from(r.base64 ?? '', 'base64'), { mode: 0o600 });
      files += 1;
    } else if (r.collection && known.has(r.collection) && r.doc && typeof r.doc._id === 'string') docs.push({ collection: r.collection, doc: r.doc });
    else throw new Error(`line ${n + 1}: neither a known collection's document nor a file`);
  }
  const c = open(dataDir);
  try {
    for (const d of docs) await c.store.insert(d.collection, d.doc);
    const contracts = await c.store.find<Contract>('contracts', {}, { limit: 100_000 });
    for (const ct of contracts) {
      const events = await c.store.find<ContractEvent>('events', { contractId: ct._id }, { orderBy: [['seq', 'asc']], limit: 100_000 });
      const v = verifyChain(events, ct.eventHead);
      if (!v.ok) throw new Error(`contract ${ct.contractNo}: event chain broken at ${v.atSeq} (${v.why})`);
    }
    return { docs: docs.length, files, contracts: contracts.length };
  } finally {
    await c.close();
  }
};

if (require.main === module) {
  const [cmd, file] = process.argv.slice(2);
  const di = process.argv.indexOf('--data');
  const dataDir = path.resolve(di > 0 ? process.argv[di + 1]! : process.env.ESIGN_DATA_DIR ?? '.data');
  if ((cmd !== 'export' && cmd !== 'import') || !file) {
    console.error('usage: npm run data:export -- FILE | npm run data:import -- FILE   [--data DIR]');
    process.exit(2);
  }
  (cmd === 'export' ? exportData(dataDir, file) : importData(file, dataDir))
    .then((r) => console.log(`${cmd} ${file} ${cmd === 'export' ? '←' : '→'} ${dataDir}: ${JSON.stringify(r)}`))
    .catch((e: Error) => {
      console.error(e.message);
      process.exit(1);
    });
}
