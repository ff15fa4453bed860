/**
 * Full IOU lifecycles through the emulator's HTTP surface (npx tsx bench/lifecycle.ts [n] [concurrency]):
 * create → pay (order + WeChat Pay notification) → share-open → fill → lender signs → borrower
 * signs (signed, PAdES B-LTA), `concurrency` lifecycles at a time, each with its own two verified
 * people (onboarding is not timed). Prints:
 *   - lifecycles per second (wall clock) and CPU per lifecycle (this process: emulator + client);
 *   - the sum of its bare parts in the same run: bare pdf-lib render + two bare signature steps
 *     (bench/documents.ts's baseline) + bare libsql for the store round trips of its state changes
 *     (bench/store-ops.ts's baseline, one per state-changing call);
 *   - bytes stored in files per lifecycle against the final PDF.
 * The same file runs on an older commit (copy it there) to compare lifecycles per second.
 */
import fs from 'node:fs';
import path from 'node:path';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dirBytes = (dir: string): number => {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
};

export interface LifecycleFigures {
  n: number;
  concurrency: number;
  perSecond: number;
  cpuMsPerLifecycle: number;
  storedBytesPerLifecycle: number;
  finalPdfBytes: number;
}

export const benchLifecycles = async (n = 24, concurrency = 4): Promise<LifecycleFigures> => {
  const { Client, iouForm, person, startTestEmulator } = await import('../test/support/emulator');
  const { emu, client, dir } = await startTestEmulator('bench-lifecycle');
  try {
    type Pair = { lender: ReturnType<typeof person>; borrower: ReturnType<typeof person> };
    const pairs: Pair[] = [];
    for (let i = 0; i < n + concurrency; i++) {
      const lender = person(`o-l${i}`, '张三', 30 + (i % 30));
      const borrower = person(`o-b${i}`, '李四', 25 + (i % 30));
      await client.verify(lender);
      await client.verify(borrower);
      pairs.push({ lender, borrower });
    }
    const lifecycle = async (c: InstanceType<typeof Client>, { lender, borrower }: Pair): Promise<string> => {
      const created = await c.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(c.today()) });
      await c.pay(lender.openid, created.id);
      await c.ok('share-open', borrower.openid, { token: created.shareToken });
      await c.ok('contract-fill', borrower.openid, { contractId: created.id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
      await c.ok('contract-sign', lender.openid, { contractId: created.id, bizToken: await c.face(lender, 'sign', created.id), signature: { type: 'seal' } });
      const signed = await c.ok('contract-sign', borrower.openid, { contractId: created.id, bizToken: await c.face(borrower, 'sign', created.id), signature: { type: 'seal' } });
      if (signed.state !== 'signed') throw new Error(`lifecycle ended in ${signed.state}`);
      return created.id;
    };
    // Warm-up: one lifecycle per worker (module loading, fonts, JIT), not counted.
    await Promise.all(pairs.slice(n).map((p) => lifecycle(client, p)));
    const filesDir = path.join(dir, 'files');
    const bytesBefore = dirBytes(filesDir);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) ids.push(await lifecycle(client, pairs[next++]!));
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stored = dirBytes(filesDir) - bytesBefore;
    const finals: number[] = [];
    for (const id of ids) {
      const c = (await emu.container.store.get<{ _id: string; document: { currentKey: string } }>('contracts', id))!;
      finals.push((await emu.container.files.get(c.document.currentKey))!.length);
    }
    return {
      n, concurrency,
      perSecond: n / (wallMs / 1000),
      cpuMsPerLifecycle: (cpu.user + cpu.system) / 1000 / n,
      storedBytesPerLifecycle: stored / n,
      finalPdfBytes: median(finals),
    };
  } finally {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** The bare parts of one lifecycle, measured in this process: median ms of each, and their sum. */
export const bareParts = async (runs = 9): Promise<{ pdfMs: number; storeMs: number; stateChanges: number; sumMs: number }> => {
  const { buildIouDocument, renderIou } = await import('../shared/documents/iou-document');
  const { sampleIou } = await import('../test/documents/fixtures');
  const { modelStrings, bareRender, bareSign } = await import('./bare-pdf');
  const strings = modelStrings(buildIouDocument(sampleIou()));
  const areas = (await renderIou(sampleIou())).signatureAreas;
  const render = () => bareRender(strings);
  const signStep = bareSign;
  const pdf: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const a = await signStep(await render(), areas[0]!, 'Sig_a');
    await signStep(a, areas[1]!, 'Sig_b');
    if (i > 0) pdf.push(performance.now() - t);
  }
  const { benchOp } = await import('./store-ops');
  const store = await benchOp('rescind_request', 200);
  // create, the payment notification, fill, two signatures: the state-changing calls of a lifecycle.
  const stateChanges = 5;
  const pdfMs = median(pdf);
  return { pdfMs, storeMs: store.bareMs, stateChanges, sumMs: pdfMs + stateChanges * store.bareMs };
};

export const printLifecycles = async (n = 24, concurrency = 4, oldPerSecond?: number): Promise<boolean> => {
  const l = await benchLifecycles(n, concurrency);
  if (process.env.BENCH_LIFECYCLE_ONLY) {
    console.log(`IOU lifecycles per second with PDFs (${n}, ${concurrency} at a time): ${l.perSecond.toFixed(2)}; CPU ${l.cpuMsPerLifecycle.toFixed(1)} ms per lifecycle; ${(l.storedBytesPerLifecycle / 1024).toFixed(1)} KB stored, final PDF ${(l.finalPdfBytes / 1024).toFixed(1)} KB`);
    return true;
  }
  const bare = await bareParts();
  const cpuRatio = l.cpuMsPerLifecycle / bare.sumMs;
  const storedRatio = l.storedBytesPerLifecycle / l.finalPdfBytes;
  const row = (label: string, value: string, verdict = '') => console.log(`${label.padEnd(58)} ${value.padStart(12)}  ${verdict}`);
  const pass = (r: number, goal: number) => `${r.toFixed(2)}× (goal ≤ ${goal}×) ${r <= goal ? 'PASS' : 'FAIL'}`;
  row(`IOU lifecycles per second with PDFs (${n}, ${concurrency} at a time)`, l.perSecond.toFixed(2), oldPerSecond ? `${(l.perSecond / oldPerSecond).toFixed(2)}× the old commit's ${oldPerSecond.toFixed(2)} (goal ≥ 3×) ${l.perSecond / oldPerSecond >= 3 ? 'PASS' : 'FAIL'}` : '(run the same file on the old commit for the ratio)');
  row('CPU per lifecycle (emulator + client, ms)', l.cpuMsPerLifecycle.toFixed(1));
  row(`  its bare parts: render + 2 signatures ${bare.pdfMs.toFixed(1)} + ${bare.stateChanges} × store ${bare.storeMs.toFixed(3)}`, bare.sumMs.toFixed(1), pass(cpuRatio, 1.5));
  row('files stored per lifecycle (KB)', (l.storedBytesPerLifecycle / 1024).toFixed(1));
  row('  the final PDF (KB; no evidence report is part of this lifecycle)', (l.finalPdfBytes / 1024).toFixed(1), pass(storedRatio, 1.2));
  return cpuRatio <= 1.5 && storedRatio <= 1.2 && (!oldPerSecond || l.perSecond / oldPerSecond >= 3);
};

if (require.main === module) {
  const old = process.env.BENCH_OLD_PER_SECOND ? Number(process.env.BENCH_OLD_PER_SECOND) : undefined;
  printLifecycles(Number(process.argv[2] ?? 24), Number(process.argv[3] ?? 4), old).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
