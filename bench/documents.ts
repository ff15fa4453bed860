/**
 * Document benchmark (npx tsx bench/documents.ts): one run measures, side by side,
 *   - a cold first render in a fresh process (font read and parsed on first use),
 *   - the warm median render of the 3-page IOU,
 *   - bare @cantoo/pdf-lib drawing the same text with the same font and no layout niceties
 *     (with the parsed font reused, and parsing it per render as naive code does),
 *   - signing (median per signature, and the crypto part alone) and verification,
 *   - what PAdES adds per contract (E1): a signature timestamp per signature (embedded TSA, so
 *     without the network round trip a real TSA adds) and the completion (DSS + document
 *     timestamp), in time and bytes,
 *   - what an ending (settle/rescind, issue 15 item 5) adds: two act signatures and the platform's
 *     stamp, each timestamped, and a second completion,
 *   - file sizes,
 * and prints absolute milliseconds and ratios (ratios are what the performance budget is
 * about; absolute numbers vary with the machine).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createHash, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';

const COLD_FLAG = '--cold-child';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const time = async <T>(fn: () => Promise<T> | T): Promise<[number, T]> => {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
};

/** Runs in a fresh process: what a cloud function pays on its first render. */
const coldChild = async () => {
  let fontReads = 0;
  // The CommonJS module object (not the frozen ESM namespace) is what fonts.ts calls through.
  const cjsFs = require('node:fs') as { readFileSync: typeof fs.readFileSync };
  const original = cjsFs.readFileSync;
  cjsFs.readFileSync = ((p: fs.PathOrFileDescriptor, o?: never) => {
    if (String(p).endsWith('.ttf')) fontReads++;
    return original(p, o);
  }) as typeof fs.readFileSync;
  const [requireMs, mod] = await time(
    () => require('../shared/documents/iou-document') as typeof import('../shared/documents/iou-document'),
  );
  const fontReadsAtRequire = fontReads;
  const { sampleIou } = require('../test/documents/fixtures') as typeof import('../test/documents/fixtures');
  const [firstRenderMs, r] = await time(() => mod.renderIou(sampleIou()));
  const [secondRenderMs] = await time(() => mod.renderIou(sampleIou()));
  process.stdout.write(
    JSON.stringify({ requireMs, fontReadsAtRequire, firstRenderMs, secondRenderMs, pages: r.pageCount, fontReads }),
  );
};

const main = async () => {
  // Cold, in a child process, before this process has loaded anything.
  const tsx = join(__dirname, '../node_modules/.bin/tsx');
  const child = spawnSync(tsx, [__filename, COLD_FLAG], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold child failed: ${child.stderr}`);
  const cold = JSON.parse(child.stdout) as {
    requireMs: number;
    fontReadsAtRequire: number;
    firstRenderMs: number;
    secondRenderMs: number;
    pages: number;
  };

  const fontkit = (await import('@cantoo/fontkit')).default ?? (await import('@cantoo/fontkit'));
  const { renderIou, buildIouDocument } = await import('../shared/documents/iou-document');
  const { sampleIou } = await import('../test/documents/fixtures');
  const { generatePlatformCa, loadPlatformCa, issueSignerCertificate, deriveSignerIdentifier } = await import(
    '../shared/documents/ca'
  );
  const { buildCmsSignedData } = await import('../shared/documents/cms');
  const { pemToDer } = await import('../shared/documents/x509');
  const { createPersonalSeal } = await import('../shared/documents/seal');
  const { signPdf } = await import('../shared/documents/sign');
  const { verifyPdf } = await import('../shared/documents/verify');
  const { addLongTermValidation } = await import('../shared/documents/long-term');
  const { LocalTsa } = await import('../shared/adapters/local/tsa');
  const { MovableClock } = await import('../shared/adapters/local/clock');

  const data = sampleIou();
  const N = Number(process.env.BENCH_DOCS_N ?? 25);

  // Warm: ours.
  await renderIou(data);
  const ours: number[] = [];
  let rendered = await renderIou(data);
  for (let i = 0; i < N; i++) {
    const [ms, r] = await time(() => renderIou(data));
    ours.push(ms);
    rendered = r;
  }

  // Bare pdf-lib (bench/bare-pdf.ts): the same strings, font and size.
  const { modelStrings, bareRender, bareSign } = await import('./bare-pdf');
  const strings = modelStrings(buildIouDocument(data));
  const bare = (parsePerRender: boolean) => bareRender(strings, parsePerRender ? fontkit : undefined);
  await bare(false);
  const bareCached: number[] = [];
  let bareBytes: Uint8Array = new Uint8Array();
  for (let i = 0; i < N; i++) {
    const [ms, b] = await time(() => bare(false));
    bareCached.push(ms);
    bareBytes = b;
  }
  const bareParsed: number[] = [];
  for (let i = 0; i < 5; i++) bareParsed.push((await time(() => bare(true)))[0]);

  // Signing.
  const ca = loadPlatformCa(generatePlatformCa());
  const lenderArea = rendered.signatureAreas[0]!;
  const borrowerArea = rendered.signatureAreas[1]!;
  const tsa = await LocalTsa.forPlatformCa(ca, new MovableClock());
  const signOnce = async (bytes: Uint8Array, area: typeof lenderArea, name: string, withTsa = false) => {
    const signingTime = new Date();
    const cert = await issueSignerCertificate(ca, { name, identifier: deriveSignerIdentifier('bench', name + 'id'), signingTime });
    return signPdf(bytes, {
      fieldName: area.fieldName,
      placement: area,
      signer: { certPem: cert.certPem, keyPem: cert.keyPem, chainPems: cert.chainPems },
      reason: '签署借条',
      signingTime,
      appearance: { kind: 'vector', drawing: createPersonalSeal(name) },
      caption: `${name} ${signingTime.toISOString().slice(0, 10)}`,
      ...(withTsa ? { tsa } : {}),
    });
  };
  await signOnce(rendered.bytes, lenderArea, '张三');
  const sign1: number[] = [];
  const sign2: number[] = [];
  let first = await signOnce(rendered.bytes, lenderArea, '张三');
  let second = await signOnce(first.bytes, borrowerArea, '李小明');
  for (let i = 0; i < N; i++) {
    const [a, r1] = await time(() => signOnce(rendered.bytes, lenderArea, '张三'));
    const [b, r2] = await time(() => signOnce(r1.bytes, borrowerArea, '李小明'));
    sign1.push(a);
    sign2.push(b);
    first = r1;
    second = r2;
  }
  // The whole of it, bare and ours: render + two signatures.
  const bareArea = { pageIndex: lenderArea.pageIndex, rect: lenderArea.rect };
  const bareArea2 = { pageIndex: borrowerArea.pageIndex, rect: borrowerArea.rect };
  await bareSign(await bare(false), bareArea, 'Sig_a');
  const bareStep: number[] = [];
  const bareWhole: number[] = [];
  const oursWhole: number[] = [];
  for (let i = 0; i < N; i++) {
    const [tw, r] = await time(async () => {
      const r0 = await renderIou(data);
      const a = await signOnce(r0.bytes, lenderArea, '张三');
      return signOnce(a.bytes, borrowerArea, '李小明');
    });
    oursWhole.push(tw);
    if (!r.bytes.length) throw new Error('nothing signed');
    const [tb] = await time(async () => {
      const b0 = await bare(false);
      const [s1, b1] = await time(() => bareSign(b0, bareArea, 'Sig_a'));
      const [s2] = await time(() => bareSign(b1, bareArea2, 'Sig_b'));
      bareStep.push(s1, s2);
    });
    bareWhole.push(tb);
  }
  const crypto: number[] = [];
  for (let i = 0; i < N; i++) {
    const [ms] = await time(async () => {
      const cert = await issueSignerCertificate(ca, { name: '张三', identifier: 'A'.repeat(32), signingTime: new Date() });
      return buildCmsSignedData({
        contentDigest: createHash('sha256').update(rendered.bytes).digest(),
        signerCertDer: pemToDer(cert.certPem),
        chainDers: cert.chainPems.map(pemToDer),
        privateKey: createPrivateKey(cert.keyPem),
        signingTime: new Date(),
        includeSigningTime: true,
      });
    });
    crypto.push(ms);
  }
  // PAdES B-T and B-LTA (E1).
  const signTs: number[] = [];
  const ltaMs: number[] = [];
  let bt = second;
  let lta = await addLongTermValidation(second.bytes, { ca, tsa, now: new Date() });
  for (let i = 0; i < N; i++) {
    const [a, r1] = await time(() => signOnce(rendered.bytes, lenderArea, '张三', true));
    const [b, r2] = await time(() => signOnce(r1.bytes, borrowerArea, '李小明', true));
    signTs.push(a, b);
    bt = r2;
    const [c, r3] = await time(() => addLongTermValidation(r2.bytes, { ca, tsa, now: new Date() }));
    ltaMs.push(c);
    lta = r3;
  }
  // Item 5: an ending (settle/rescind) — the requester's and the confirmer's act signatures and the
  // platform's stamp, each timestamped, in the blank band the layout leaves, then a second completion.
  const band = rendered.actsArea!;
  const actArea = (fieldName: string, k: number) => ({ fieldName, role: '', name: '', pageIndex: band.pageIndex, rect: { x: band.rect.x + k * 160, y: band.rect.y, width: 150, height: 76 } });
  const endingMs: number[] = [];
  let ended = lta;
  for (let i = 0; i < N; i++) {
    const [ms, r] = await time(async () => {
      const a = await signOnce(lta.bytes, actArea('Sig_settle_request_borrower', 0), '李小明', true);
      const b = await signOnce(a.bytes, actArea('Sig_settle_confirm_lender', 1), '张三', true);
      const c = await signOnce(b.bytes, actArea('Sig_platform_settled', 2), '电子签平台', true);
      return addLongTermValidation(c.bytes, { ca, tsa, now: new Date() });
    });
    endingMs.push(ms);
    ended = r;
  }
  const verifyLta: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [ms, rep] = await time(() => verifyPdf(lta.bytes, { trustedRootPem: ca.rootPem, requireLevel: 'B-LTA' }));
    if (!rep.valid) throw new Error('B-LTA benchmark document does not verify');
    verifyLta.push(ms);
  }
  const verifyMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const [ms, rep] = await time(() => verifyPdf(second.bytes, { trustedRootPem: ca.rootPem }));
    if (!rep.valid) throw new Error('benchmark document does not verify');
    verifyMs.push(ms);
  }

  const oursMs = median(ours);
  const bareMs = median(bareCached);
  const verdict = (ratio: number, goal: number) => `${ratio.toFixed(2)}× (goal ≤ ${goal}×) ${ratio <= goal ? 'PASS' : 'FAIL'}`;
  const oursStep = median([...sign1, ...sign2]);
  const goals: Array<[string, string, string]> = [
    ['GOAL IOU render + two signatures (ours)', median(oursWhole).toFixed(1), ''],
    ['     bare pdf-lib render + two bare signature steps', median(bareWhole).toFixed(1), verdict(median(oursWhole) / median(bareWhole), 1.25)],
    ['GOAL one signature step (ours: cert + seal + update + CMS)', oursStep.toFixed(1), ''],
    ['     bare: pdf-lib incremental update + node:crypto ECDSA', median(bareStep).toFixed(1), verdict(oursStep / median(bareStep), 1.5)],
  ];
  const rows: Array<[string, string, string]> = [
    ['cold: require documents modules (tsx, fresh process)', cold.requireMs.toFixed(1), `font files read at require: ${cold.fontReadsAtRequire}`],
    ['cold: first render incl. font read + parse', cold.firstRenderMs.toFixed(1), `${(cold.firstRenderMs / oursMs).toFixed(1)}× warm`],
    ['cold: second render in that process', cold.secondRenderMs.toFixed(1), ''],
    [`warm render, ${rendered.pageCount}-page IOU (ours, median of ${N})`, oursMs.toFixed(1), '1.00'],
    ['bare pdf-lib, same text/font, parsed font reused', bareMs.toFixed(1), `ours/bare = ${(oursMs / bareMs).toFixed(2)}`],
    ['bare pdf-lib, font parsed per render (naive)', median(bareParsed).toFixed(1), `ours/naive = ${(oursMs / median(bareParsed)).toFixed(2)}`],
    ['sign: 1st signature (cert + seal + update + CMS)', median(sign1).toFixed(1), `${(median(sign1) / oursMs).toFixed(2)}× render`],
    ['sign: 2nd signature', median(sign2).toFixed(1), `${(median(sign2) / oursMs).toFixed(2)}× render`],
    ['  of which crypto (key, cert, CMS)', median(crypto).toFixed(1), `${((median(crypto) / median(sign1)) * 100).toFixed(0)}% of a signature`],
    ['verify: 2 signatures incl. revision diff', median(verifyMs).toFixed(1), `${(median(verifyMs) / oursMs).toFixed(2)}× render`],
    ['E1 sign with signature timestamp (embedded TSA)', median(signTs).toFixed(1), `+${(median(signTs) - median([...sign1, ...sign2])).toFixed(1)} ms per signature (+ a real TSA's round trip)`],
    ['E1 completion: DSS + CRL + document timestamp', median(ltaMs).toFixed(1), `once per contract`],
    ['E1 verify at B-LTA (2 signatures + doc timestamp)', median(verifyLta).toFixed(1), `${(median(verifyLta) / median(verifyMs)).toFixed(2)}× B-B verify`],
    [
      'E1 per contract: 2 signature timestamps + completion',
      (2 * (median(signTs) - median([...sign1, ...sign2])) + median(ltaMs)).toFixed(1),
      `+${((lta.bytes.length - second.bytes.length) / 1024).toFixed(1)} KB (timestamps ${((bt.bytes.length - second.bytes.length) / 1024).toFixed(1)} KB, DSS + doc timestamp ${((lta.bytes.length - bt.bytes.length) / 1024).toFixed(1)} KB)`,
    ],
    ['item 5 ending: 2 act signatures + platform stamp (timestamped) + completion', median(endingMs).toFixed(1), `+${((ended.bytes.length - lta.bytes.length) / 1024).toFixed(1)} KB, once per settled/rescinded contract`],
  ];
  const sizes: Array<[string, number]> = [
    ['rendered IOU', rendered.bytes.length],
    ['after 1st signature', first.bytes.length],
    ['after 2nd signature', second.bytes.length],
    ['E1 after 2nd timestamped signature (B-T)', bt.bytes.length],
    ['E1 completed (DSS + document timestamp, B-LTA)', lta.bytes.length],
    ['item 5 settled (acts + stamp + 2nd completion)', ended.bytes.length],
    ['bare pdf-lib, same text', bareBytes.length],
  ];
  const w = Math.max(...rows.map((r) => r[0].length), ...goals.map((r) => r[0].length));
  console.log(`${'measure'.padEnd(w)}  ${'ms'.padStart(8)}  ratio / note`);
  for (const [k, v, n] of [...goals, ...rows]) console.log(`${k.padEnd(w)}  ${v.padStart(8)}  ${n}`);
  console.log('');
  console.log(`${'file'.padEnd(w)}  ${'KB'.padStart(8)}  ratio`);
  for (const [k, v] of sizes) {
    console.log(`${k.padEnd(w)}  ${(v / 1024).toFixed(1).padStart(8)}  ${(v / rendered.bytes.length).toFixed(2)}× rendered`);
  }
};

if (process.argv.includes(COLD_FLAG)) {
  coldChild().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
