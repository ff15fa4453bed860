/**
 * `npm run bench`: every benchmark of the project in one run, figures as ratios measured side by
 * side (the machines are noisy). Results are recorded by hand in bench/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { benchSign, benchTimer } from './core';
import { printOps } from './store-ops';
import { printLifecycles } from './lifecycle';

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

const main = async () => {
  console.log('## State-changing operations vs bare libsql, same round trips, real-size records (bench/store-ops.ts)');
  if (!(await printOps(500))) process.exitCode = 1;

  console.log('\n## Full IOU lifecycles through the emulator (bench/lifecycle.ts; BENCH_OLD_PER_SECOND = the old commit\'s figure from the same file)');
  let old = process.env.BENCH_OLD_PER_SECOND ? Number(process.env.BENCH_OLD_PER_SECOND) : undefined;
  // BENCH_OLD_DIR: a worktree of the old commit with this bench/lifecycle.ts copied in — run there, now, for the ratio.
  const oldDir = process.env.BENCH_OLD_DIR;
  if (oldDir && old === undefined) {
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(oldDir, 'bench/lifecycle.ts'), '24', '4'], { cwd: oldDir, encoding: 'utf8', env: { ...process.env, BENCH_LIFECYCLE_ONLY: '1' } });
    const m = /per second with PDFs \([^)]*\): ([0-9.]+)/.exec(r.stdout ?? '');
    console.log(`old commit (${oldDir}): ${(r.stdout ?? '').trim() || r.stderr}`);
    if (m) old = Number(m[1]);
  }
  if (!(await printLifecycles(24, 4, old))) process.exitCode = 1;

  console.log('\n## Store-bound operations (SQLite, file in tmp)');
  const r = await benchSign(1000, 'rescind_request');
  console.log(`rescind-request via main(), median         ${fmt(r.signMedianMs!)} ms`);
  console.log(`its store round trips, bare, median         ${fmt(r.bareSameRoundTripsMs!)} ms   → ratio ${r.ratioVsSameRoundTrips!.toFixed(2)}×`);
  console.log(`one read + one commit (CAS + event), median ${fmt(r.bareReadPlusCommitMs!)} ms   → ratio ${r.ratioVsReadPlusCommit!.toFixed(2)}×`);
  const s = await benchSign(300, 'sign');
  console.log(`contract-sign via main() (+ render and sign the PDF), median ${fmt(s.signMedianMs!)} ms`);
  console.log(`the same store round trips, bare, median    ${fmt(s.bareSameRoundTripsMs!)} ms   → ratio ${s.ratioVsSameRoundTrips!.toFixed(2)}× (the PDF work: see documents.ts below)`);

  console.log('\n## Expiry timer: same due set, growing collection');
  await benchTimer(2_000); // warm-up: module loading and JIT out of the measured runs
  const runs = { small: [] as number[], large: [] as number[] };
  let due = 0;
  for (let i = 0; i < 2; i++) {
    const s10 = await benchTimer(10_000);
    const s100 = await benchTimer(100_000);
    if (s10.expired !== s10.due || s100.expired !== s100.due) throw new Error('the timer missed due contracts');
    runs.small.push(s10.ms);
    runs.large.push(s100.ms);
    due = s10.due;
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`10k contracts, ${due} due: ${fmt(best(runs.small))} ms (best of ${runs.small.length}: ${runs.small.map(fmt).join(', ')})`);
  console.log(`100k contracts, ${due} due: ${fmt(best(runs.large))} ms (best of ${runs.large.length}: ${runs.large.map(fmt).join(', ')})  → ratio ${(best(runs.large) / best(runs.small)).toFixed(2)}×`);

  // The other benchmarks live beside this one; each runs in its own process (cold starts matter).
  for (const extra of ['documents.ts', 'bundles.ts', 'payments.ts', 'own-files.ts']) {
    const file = path.join(__dirname, extra);
    if (!fs.existsSync(file)) continue;
    console.log(`\n## ${extra}`);
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), file], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  }
};

void main();
