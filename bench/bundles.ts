/**
 * Cold-start figures of the function bundles (DESIGN "Performance budget"), as ratios within one
 * run so the machine's speed cancels out:
 *
 *   baseline   in-process time of an unbundled require('@cloudbase/node-sdk') in a fresh process
 *   require    in-process time of require('dist/functions/<name>/index.js') in a fresh process
 *   ratio      require / baseline — goal: ≤ 0.35 for every bundle that does not render PDFs
 *   first call require + the first invocation up to the first provider request (the container
 *              made, the CloudBase SDK loaded, a request sent to a port nobody listens on)
 *   io         file or network operations during the require, other than Node reading the bundle
 *              itself — must be 0
 *
 * Each figure is the median of --runs fresh processes (default 5). `npx tsx bench/bundles.ts`
 * builds first unless --no-build; --check exits 1 when a goal is missed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildAll, DIST, WATCH_IO_JS, type BundleReport } from '../scripts/build';

const ROOT = path.resolve(__dirname, '..');
const GOAL = 0.35;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 5);

/** Runs in a fresh node: records I/O during the require, prints {ms, io, firstCallMs}. */
const CHILD = String.raw`
const target = process.argv[1], mode = process.argv[2];
const io = [];
let watching = true;
const record = (label, n, a) => { if (watching && !(label === 'fs' && a[0] === target)) io.push(label + '.' + n + ' ' + String(a[0]).slice(0, 80)); };
${WATCH_IO_JS}
const t0 = process.hrtime.bigint();
const mod = require(mode === 'sdk' ? '@cloudbase/node-sdk' : target);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
watching = false;
if (mode !== 'call') { process.stdout.write(JSON.stringify({ ms, io })); process.exit(0); }
Object.assign(process.env, { ESIGN_PROVIDER: 'cloud', ESIGN_TCB_ENV: 'bench-env', ESIGN_TCB_SERVICE_URL: 'http://127.0.0.1:9/admin', ESIGN_TC_SECRET_ID: 'AKIDbench', ESIGN_TC_SECRET_KEY: 'bench', ESIGN_LOG_LEVEL: 'silent', TENCENTCLOUD: 'true' });
const context = { request_id: 'bench', environment: JSON.stringify({ WX_OPENID: 'o-bench', WX_CONTEXT_KEYS: 'WX_OPENID' }) };
Promise.resolve(mod.main({}, context)).catch(() => undefined).then(() => {
  process.stdout.write(JSON.stringify({ ms, io, firstCallMs: Number(process.hrtime.bigint() - t0) / 1e6 }));
  process.exit(0);
});
`;

interface Sample {
  ms: number;
  io: string[];
  firstCallMs?: number;
}

const sample = (target: string, mode: 'sdk' | 'require' | 'call'): Sample =>
  JSON.parse(execFileSync(process.execPath, ['-e', CHILD, target, mode], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 })) as Sample;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export interface BundleFigures extends BundleReport {
  requireMs: number;
  firstCallMs: number;
  ratio: number;
  io: string[];
}

export async function measureBundles(runs = RUNS, rebuild = true): Promise<{ baselineMs: number; bundles: BundleFigures[] }> {
  const reports: BundleReport[] = rebuild || !fs.existsSync(path.join(ROOT, 'dist', 'bundles.json')) ? await buildAll() : JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'bundles.json'), 'utf8'));
  const baselines: number[] = [];
  const bundles: BundleFigures[] = [];
  // Interleaved, so that a slow patch of the machine hits the baseline and the bundles alike.
  const perBundle = new Map<string, { req: number[]; call: number[]; io: string[] }>();
  for (let i = 0; i < runs; i++) {
    baselines.push(sample('', 'sdk').ms);
    for (const r of reports) {
      const file = path.join(DIST, r.name, 'index.js');
      const entry = perBundle.get(r.name) ?? { req: [], call: [], io: [] };
      const s = sample(file, 'require');
      entry.req.push(s.ms);
      entry.io = s.io;
      entry.call.push(sample(file, 'call').firstCallMs!);
      perBundle.set(r.name, entry);
    }
  }
  const baselineMs = median(baselines);
  for (const r of reports) {
    const e = perBundle.get(r.name)!;
    const requireMs = median(e.req);
    bundles.push({ ...r, requireMs, firstCallMs: median(e.call), ratio: requireMs / baselineMs, io: e.io });
  }
  return { baselineMs, bundles };
}

if (require.main === module) {
  (async () => {
    const { baselineMs, bundles } = await measureBundles(RUNS, !process.argv.includes('--no-build'));
    const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
    console.log(`unbundled require('@cloudbase/node-sdk'): ${baselineMs.toFixed(1)} ms (median of ${RUNS} fresh processes)\n`);
    console.log(`${'function'.padEnd(26)} ${'size'.padStart(8)} ${'require'.padStart(9)} ${'ratio'.padStart(6)} ${'1st call'.padStart(9)}  io  contents`);
    for (const b of bundles) {
      console.log(
        `${b.name.padEnd(26)} ${kb(b.bytes).padStart(8)} ${`${b.requireMs.toFixed(1)} ms`.padStart(9)} ${b.ratio.toFixed(2).padStart(6)} ${`${b.firstCallMs.toFixed(0)} ms`.padStart(9)}  ${String(b.io.length).padStart(2)}  ${[b.pdf ? 'pdf' : '', ...b.ports].filter(Boolean).join(' ')}`,
      );
    }
    const plain = bundles.filter((b) => !b.pdf);
    const worst = plain.reduce((a, b) => (b.ratio > a.ratio ? b : a), plain[0]!);
    const withIo = bundles.filter((b) => b.io.length);
    console.log(`\nnon-PDF bundles: worst ratio ${worst.ratio.toFixed(2)} (${worst.name}), goal ≤ ${GOAL}; ${plain.filter((b) => b.ratio > GOAL).length} over`);
    console.log(`PDF bundles: ${bundles.filter((b) => b.pdf).map((b) => `${b.name} ${b.ratio.toFixed(2)}`).join(', ') || 'none'}`);
    console.log(`I/O while requiring: ${withIo.length ? withIo.map((b) => `${b.name}: ${b.io.join('; ')}`).join(' | ') : 'none'}`);
    if (process.argv.includes('--check') && (worst.ratio > GOAL || withIo.length)) process.exit(1);
  })().catch((e: Error) => {
    console.error(e);
    process.exit(1);
  });
}
