/**
 * E2/E3 (issue 15 items 3 and 4) through the emulator: every commit stores its chain head signed
 * by the platform; the anchor timer puts the changed heads in a Merkle tree whose root the TSA
 * timestamps (a TSA failure fails the run and the next one takes the window up); a party gets a
 * short-lived link to the evidence bundle (a stranger NOT_FOUND, rate-limited); `esign-verify`
 * passes the real bundle offline — and for each tampering the issue names, says which check failed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { Contract } from '../../shared/domain/contract';
import { canonicalJson, type ContractEvent } from '../../shared/domain/events';
import { verifyPdf } from '../../shared/documents/verify';
import { fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { verifyChainHead } from '../../shared/evidence/chain-head-verify';
import { verifyBundle, type CheckId } from '../../shared/evidence/bundle-verify';
import type { BundleManifest } from '../../shared/evidence/bundle-format';
import type { Emulator } from '../../emulator/server';
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';
import { run, tempDir, writeTemp } from '../documents/tools';

const ROOT = path.resolve(__dirname, '..', '..');
let emu: Emulator;
let client: Client;
let dataDir: string;
let rootPem: string;
let rootFp: string;
const lender = person('o-el', '赵子龙', 40);
const borrower = person('o-eb', '孙小美', 29);
const stranger = person('o-es', '周路人', 33);
let id: string;
let bundle: Buffer;

const stored = async (cid = id) => (await emu.container.store.get<Contract>('contracts', cid))!;
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer());
const anchorRun = () => client.raw('POST', '/timers/timer-anchor');

beforeAll(async () => {
  ({ emu, client, dir: dataDir } = await startTestEmulator('evidence-bundle'));
  rootPem = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  rootFp = fingerprintHex(pemToDer(rootPem));
  for (const p of [lender, borrower, stranger]) await client.verify(p);
  const v = await client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone },
    form: iouForm(client.today()),
  });
  id = v.id;
  await client.pay(lender.openid, id);
  await client.ok('share-open', borrower.openid, { token: v.shareToken });
  await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: await client.face(lender, 'sign', id), signature: { type: 'seal' } });
  await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'sign', id), signature: { type: 'seal' } });
}, 120_000);
afterAll(() => emu.close());

describe('E2 signed chain heads and their anchors', () => {
  test('every commit stored its head signed by the platform: the head of the signed contract verifies against the root', async () => {
    const c = await stored();
    expect(c.state).toBe('signed');
    expect(c.signedHead).toMatchObject({ seq: c.eventHead.seq, hash: c.eventHead.hash });
    const r = verifyChainHead({ contractId: id, head: c.eventHead }, Buffer.from(c.signedHead!.signature, 'base64'), { trustedRootSha256: rootFp });
    expect(r).toMatchObject({ valid: true, signerName: '电子签平台', failures: [] });
  });

  test('before an anchor the bundle is not ready; a TSA failure fails the timer and stores nothing; the next run anchors the window', async () => {
    expect((await client.call('contract-evidence', lender.openid, { contractId: id })).error?.code).toBe('EVIDENCE_NOT_READY');
    await client.advanceMinutes(2);
    await client.raw('POST', '/_emulator/faults', { tsa: true });
    const failed = await anchorRun();
    expect(failed.json.ok).toBe(false);
    expect(failed.json.error).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'tsa' } });
    expect(await emu.container.store.find('anchor_proofs', { contractId: id })).toEqual([]);
    await client.raw('POST', '/_emulator/faults', { tsa: false });
    const ok = { json: await client.timer('timer-anchor') };
    expect(ok.json.ok).toBe(true);
    // Lender, borrower, stranger have no contracts; this one contract changed.
    expect(ok.json.data).toMatchObject({ anchored: 1, skipped: false });
    const proofs = await emu.container.store.find<any>('anchor_proofs', { contractId: id });
    expect(proofs.map((p) => p.seq)).toEqual([(await stored()).eventHead.seq]);
    // Nothing changed since: the next run anchors nothing.
    await client.advanceMinutes(2);
    expect((await client.timer('timer-anchor')).data).toEqual({ anchored: 0, anchorId: null, skipped: false });
  });

  test('a stranger gets NOT_FOUND; a party gets a short-lived link to the zip', async () => {
    expect((await client.call('contract-evidence', stranger.openid, { contractId: id })).error?.code).toBe('NOT_FOUND');
    const link = await client.ok('contract-evidence', borrower.openid, { contractId: id });
    expect(link.fileName).toBe(`${(await stored()).contractNo}-证据包.zip`);
    bundle = await fetchBytes(link.url);
    expect(createHash('sha256').update(bundle).digest('hex')).toBe(link.sha256);
    expect(Date.parse(link.expiresAt) - emu.container.clock.now().getTime()).toBeLessThanOrEqual(600_000);
    const names = Object.keys(unzipSync(bundle)).sort();
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'README.txt', 'contract.pdf', 'original.pdf', 'events.jsonl', 'chain-head.json', 'chain-head.p7s', 'inclusion-proof.json', 'anchor.json', 'anchor.tsr', 'platform-root.pem']));
    // Two party signatures with their B-T tokens, and the document timestamp.
    expect(names.filter((n) => n.startsWith('timestamps/'))).toEqual(['timestamps/1-signature-timestamp.tsr', 'timestamps/2-signature-timestamp.tsr', 'timestamps/3-document-timestamp.tsr']);
  });
});

// The tests that call the emulator come first: the offline checks below keep this process's event
// loop busy for seconds, and a keep-alive socket the server closed meanwhile resets the next call.
describe('E3 contract-evidence is rate-limited', () => {
  test('the 11th bundle of one party on one contract in a day is refused', async () => {
    // One bundle so far by the borrower; nine more are allowed, the eleventh is not.
    for (let i = 0; i < 9; i++) await client.ok('contract-evidence', borrower.openid, { contractId: id });
    const r = await client.call('contract-evidence', borrower.openid, { contractId: id });
    expect(r.error?.code).toBe('RATE_LIMITED');
    // The other party is counted apart.
    expect((await client.call('contract-evidence', lender.openid, { contractId: id })).ok).toBe(true);
  }, 60_000);
});

describe('E2/E3 after the contract moves on: a settled IOU', () => {
  test('the settlement moves the signed head; the old anchor no longer covers it; two overlapping anchor runs anchor it once; the settled bundle passes, and the signed-state PDF inside it is refused as an earlier revision', async () => {
    const before = await stored();
    await client.ok('settle-request', borrower.openid, { contractId: id, reason: '已还清', bizToken: await client.face(borrower, 'settle_request', id) });
    await client.ok('settle-confirm', lender.openid, { contractId: id, bizToken: await client.face(lender, 'settle_confirm', id) });
    const after = await stored();
    expect(after.state).toBe('settled');
    expect(after.signedHead!.seq).toBe(after.eventHead.seq);
    expect(after.eventHead.seq).toBeGreaterThan(before.eventHead.seq);
    expect(verifyChainHead({ contractId: id, head: after.eventHead }, Buffer.from(after.signedHead!.signature, 'base64'), { trustedRootSha256: rootFp }).valid).toBe(true);
    expect((await client.call('contract-evidence', lender.openid, { contractId: id })).error?.code).toBe('EVIDENCE_NOT_READY');

    await client.advanceMinutes(2);
    const [a, b] = await Promise.all([client.timer('timer-anchor'), client.timer('timer-anchor')]);
    // One run anchors the window; the other finds it taken (or, coming second, nothing left in it).
    expect([a.data.anchored, b.data.anchored].sort()).toEqual([0, 1]);
    expect((await emu.container.store.find<any>('anchor_proofs', { contractId: id })).map((p) => p.seq).sort((x: number, y: number) => x - y)).toEqual([before.eventHead.seq, after.eventHead.seq]);

    const settled = await fetchBytes((await client.ok('contract-evidence', lender.openid, { contractId: id })).url);
    const r = await verifyBundle(settled, { rootFingerprint: rootFp });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.valid).toBe(true);
    // The PDF of the earlier bundle (both signatures, B-LTA, valid on its own) in place of the settled one.
    const files = unpack(settled);
    const swapped = await verifyBundle(repack(withPdf(files, pdfOf(unpack(bundle)))), { rootFingerprint: rootFp });
    expect(swapped.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['final-document']);
    expect(swapped.checks.find((c) => c.id === 'final-document')!.details[0]).toMatch(/较早的版本.*earlier revision/);
  }, 120_000);
});

describe('E2 a contract stored before chain heads were signed', () => {
  test('its first bundle request signs the head in a commit with no event (EVIDENCE_NOT_READY); the next anchor covers it; then the bundle passes', async () => {
    // A fresh IOU whose head is stripped before any anchor run: as a contract signed before E2.
    const v = await client.ok('contract-create', lender.openid, {
      kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone },
      form: iouForm(client.today()),
    });
    const id = v.id;
    await client.pay(lender.openid, id);
    await client.ok('share-open', borrower.openid, { token: v.shareToken });
    await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: await client.face(lender, 'sign', id), signature: { type: 'seal' } });
    await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'sign', id), signature: { type: 'seal' } });
    const c = await stored(id);
    const { signedHead: _dropped, ...legacy } = c;
    expect((await emu.container.store.commit([{ collection: 'contracts', doc: legacy, expectedVersion: c.version ?? 0 }], [])).ok).toBe(true);
    expect((await client.call('contract-evidence', lender.openid, { contractId: id })).error?.code).toBe('EVIDENCE_NOT_READY');
    const signed = await stored(id);
    expect([signed.eventHead, signed.signedHead?.seq, signed.signedHead?.hash]).toEqual([c.eventHead, c.eventHead.seq, c.eventHead.hash]);
    expect(verifyChainHead({ contractId: id, head: signed.eventHead }, Buffer.from(signed.signedHead!.signature, 'base64'), { trustedRootSha256: rootFp }).valid).toBe(true);
    await client.advanceMinutes(2);
    expect((await client.timer('timer-anchor')).data).toMatchObject({ anchored: 1 });
    const zip = await fetchBytes((await client.ok('contract-evidence', lender.openid, { contractId: id })).url);
    expect((await verifyBundle(zip, { rootFingerprint: rootFp })).valid).toBe(true);
  }, 120_000);
});

// ── the offline verifier ────────────────────────────────────────────────────────────────────

type Files = Record<string, Uint8Array>;
const unpack = (zip: Uint8Array): Files => unzipSync(zip);
/** A careful forger's zip: the changed files, and a manifest re-hashed to match them. */
const repack = (files: Files): Buffer => {
  const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString()) as BundleManifest;
  manifest.files = Object.entries(files).filter(([n]) => n !== 'manifest.json' && n !== 'README.txt').map(([name, b]) => ({ name, sha256: createHash('sha256').update(b).digest('hex'), size: b.length }));
  return Buffer.from(zipSync({ ...files, 'manifest.json': Buffer.from(JSON.stringify(manifest)) }));
};
const failing = async (zip: Uint8Array): Promise<CheckId[]> => (await verifyBundle(zip, { rootFingerprint: rootFp })).checks.filter((c) => !c.ok).map((c) => c.id);
const pdfOf = (files: Files) => Buffer.from(files['contract.pdf']!);
const withPdf = (files: Files, pdf: Buffer): Files => ({ ...files, 'contract.pdf': pdf });
const events = (files: Files): ContractEvent[] => Buffer.from(files['events.jsonl']!).toString().trim().split('\n').map((l) => JSON.parse(l));
const jsonl = (es: ContractEvent[]) => Buffer.from(es.map((e) => JSON.stringify(e)).join('\n') + '\n');
const rehash = (es: ContractEvent[]): ContractEvent[] => {
  let prev = '0'.repeat(64);
  return es.map((e) => {
    const body = { contractId: e.contractId, seq: e.seq, type: e.type, at: e.at, actor: e.actor, faceCheckId: e.faceCheckId, data: e.data, prevHash: prev };
    const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    prev = hash;
    return { ...e, prevHash: body.prevHash, hash };
  });
};
const withHead = (files: Files, last: ContractEvent): Files => {
  const head = JSON.parse(Buffer.from(files['chain-head.json']!).toString());
  return { ...files, 'chain-head.json': Buffer.from(JSON.stringify({ ...head, seq: last.seq, hash: last.hash })) };
};
/** Each /Contents <…> of the PDF in file order — the two party signatures, then the document timestamp — where its hex starts. */
const partyContents = (pdf: Buffer): Array<{ at: number; hex: string }> => {
  const all = [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9A-F]+)>/g)].map((m) => ({ at: m.index! + m[0].indexOf('<') + 1, hex: m[1]! }));
  expect(all).toHaveLength(3);
  return all;
};
const flipHexDigit = (pdf: Buffer, at: number): Buffer => {
  const out = Buffer.from(pdf);
  out[at] = out[at] === 0x30 ? 0x31 : 0x30;
  return out;
};

describe('E3 esign-verify on the real bundle', () => {
  test('the untouched bundle passes every check, offline; the bin exits 0 and prints a verdict per check', async () => {
    const r = await verifyBundle(bundle, { rootFingerprint: rootFp });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.map((c) => c.id)).toEqual(['bundle', 'trust', 'signatures', 'timestamps', 'dss', 'pdf-integrity', 'events', 'chain-head', 'inclusion', 'anchor-time', 'final-document']);
    expect(r).toMatchObject({ valid: true, contractId: id, rootSha256: rootFp, rootFromCaller: true });
    const dir = tempDir('esign-bundle-');
    const file = writeTemp(dir, 'bundle.zip', bundle);
    const cli = run('node', [path.join(ROOT, 'bin', 'esign-verify.js'), file, '--root-fingerprint', rootFp.toUpperCase().match(/../g)!.join(':')]);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout.match(/^✔ 通过 PASS/gm)).toHaveLength(11);
    expect(cli.stdout).toContain('结论 Verdict: 全部检查通过 — VALID');
    // Another root: the bundle's root is not the one given, and nothing chains to the given one.
    const other = run('node', [path.join(ROOT, 'bin', 'esign-verify.js'), file, '--root-fingerprint', 'ab'.repeat(32)]);
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/✘ 失败 FAIL {2}信任根 Trust anchor/);
  }, 60_000);

  test('the single-file build (npm run build:verifier, esbuild) runs with plain node outside the repository: no TypeScript, no tsx, no node_modules', () => {
    const dir = tempDir('esign-verifier-build-');
    const out = path.join(dir, 'esign-verify.cjs');
    const build = run(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [path.join(ROOT, 'scripts', 'esign-verify.ts'), '--bundle', '--platform=node', '--target=node20', '--format=cjs', `--outfile=${out}`, '--log-level=error']);
    expect(build.status).toBe(0);
    const file = writeTemp(dir, 'bundle.zip', bundle);
    const r = spawnSync('node', [out, file, '--root-fingerprint', rootFp], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ESIGN_VERIFY_MAIN: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('结论 Verdict: 全部检查通过 — VALID');
  }, 60_000);

  test('the anchor token is a real RFC 3161 token over the Merkle root: openssl ts -verify accepts it', () => {
    const files = unpack(bundle);
    const anchor = JSON.parse(Buffer.from(files['anchor.json']!).toString());
    const dir = tempDir('esign-anchor-');
    const r = run('openssl', [
      'ts', '-verify', '-token_in', '-in', writeTemp(dir, 'anchor.tsr', files['anchor.tsr']!),
      '-digest', createHash('sha256').update(Buffer.from(anchor.root, 'hex')).digest('hex'),
      '-CAfile', writeTemp(dir, 'root.pem', rootPem),
      '-untrusted', writeTemp(dir, 'chain.pem', issuingPem()),
    ]);
    expect(r.stdout.trim()).toBe('Verification: OK');
  });

  test('one byte flipped inside the signed ranges: the signatures, the document timestamp and the final file fail', async () => {
    const files = unpack(bundle);
    const pdf = pdfOf(files);
    // A byte inside the first stream's data (the page content or a font): the PDF still parses, only its bytes differ.
    const at = pdf.indexOf(Buffer.from('stream\n')) + 7 + 10;
    const flipped = Buffer.from(pdf);
    flipped[at] = flipped[at]! ^ 0x01;
    const r = await verifyBundle(repack(withPdf(files, flipped)), { rootFingerprint: rootFp });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['signatures', 'timestamps', 'final-document']);
    expect(r.checks.find((c) => c.id === 'signatures')!.codes).toContain('DIGEST_MISMATCH');
  });

  test('bytes changed inside /Contents — the embedded root copy of the last party signature: ROOT_COPY_ALTERED', async () => {
    const files = unpack(bundle);
    const pdf = pdfOf(files);
    const rootDer = pemToDer(rootPem);
    const party = partyContents(pdf)[1]!;
    const copy = party.hex.indexOf(rootDer.toString('hex').toUpperCase());
    expect(copy).toBeGreaterThanOrEqual(0);
    // A digit inside the root's signature value, near the end of the copy.
    const tampered = flipHexDigit(pdf, party.at + copy + 2 * (rootDer.length - 20));
    const r = await verifyBundle(repack(withPdf(files, tampered)), { rootFingerprint: rootFp });
    const sig = r.checks.find((c) => c.id === 'signatures')!;
    expect(sig.ok).toBe(false);
    expect(sig.codes).toContain('ROOT_COPY_ALTERED');
    // The party /Contents lie inside the document timestamp's range: it fails too; and the file is not the one the events name.
    expect(await failing(repack(withPdf(files, tampered)))).toEqual(['signatures', 'timestamps', 'final-document']);
  });

  test('bytes changed inside /Contents — the issuing CA copy, or the signature value itself: CERTIFICATE_ALTERED, SIGNATURE_INVALID', async () => {
    const files = unpack(bundle);
    const pdf = pdfOf(files);
    const party = partyContents(pdf)[0]!;
    const issuing = pemToDer(issuingPem());
    const copy = party.hex.indexOf(issuing.toString('hex').toUpperCase());
    expect(copy).toBeGreaterThanOrEqual(0);
    const r1 = await verifyBundle(repack(withPdf(files, flipHexDigit(pdf, party.at + copy + 2 * (issuing.length - 20)))), { rootFingerprint: rootFp });
    expect(r1.checks.find((c) => c.id === 'signatures')!.codes).toContain('CERTIFICATE_ALTERED');
    // The ECDSA signature value: the OCTET STRING right after the SignerInfo's signatureAlgorithm.
    const alg = party.hex.indexOf('06082A8648CE3D04030204');
    expect(alg).toBeGreaterThan(0);
    const r2 = await verifyBundle(repack(withPdf(files, flipHexDigit(pdf, party.at + alg + 22 + 4 + 20))), { rootFingerprint: rootFp });
    const sig2 = r2.checks.find((c) => c.id === 'signatures')!;
    // The first signature's value no longer verifies; its /Contents lie inside the second's signed
    // range (and the document timestamp's): their digests no longer match; nor is the file the one the events name.
    expect(sig2.codes).toEqual(['SIGNATURE_INVALID', 'DIGEST_MISMATCH']);
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['signatures', 'timestamps', 'final-document']);
  });

  test('an algorithm OID flipped in a signature (ecdsa-with-SHA256 → SHA384): ALGORITHM_MISMATCH', async () => {
    const files = unpack(bundle);
    const pdf = pdfOf(files);
    const party = partyContents(pdf)[1]!;
    // Its SignerInfo's signatureAlgorithm: ecdsa-with-SHA256 followed by the signature OCTET STRING
    // (in certificates the OID is followed by a BIT STRING, 03) — the first such in the CMS.
    const at = party.at + party.hex.indexOf('06082A8648CE3D04030204');
    expect(at).toBeGreaterThan(party.at);
    const tampered = Buffer.from(pdf);
    tampered.write('3', at + 19, 'latin1'); // …0302 → …0303: ecdsa-with-SHA384
    const r = await verifyBundle(repack(withPdf(files, tampered)), { rootFingerprint: rootFp });
    const sig = r.checks.find((c) => c.id === 'signatures')!;
    expect(sig.ok).toBe(false);
    expect(sig.codes).toEqual(['ALGORITHM_MISMATCH']);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['signatures', 'timestamps', 'final-document']);
  });

  test('an event edited and the chain re-hashed (head rewritten to match): the platform signature over the head and the inclusion proof fail', async () => {
    const files = unpack(bundle);
    const es = events(files);
    const edited = rehash(es.map((e) => (e.type === 'created' ? { ...e, data: { ...e.data, amountFen: 1 } } : e)));
    const forged = withHead({ ...files, 'events.jsonl': jsonl(edited) }, edited.at(-1)!);
    const r = await verifyBundle(repack(forged), { rootFingerprint: rootFp });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['chain-head', 'inclusion']);
    expect(r.checks.find((c) => c.id === 'chain-head')!.details.join()).toMatch(/DIGEST_MISMATCH/);
    // Edited without re-hashing: the chain itself names the event.
    const naive = { ...files, 'events.jsonl': jsonl(es.map((e) => (e.type === 'created' ? { ...e, data: { ...e.data, amountFen: 1 } } : e))) };
    const r2 = await verifyBundle(repack(naive), { rootFingerprint: rootFp });
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['events']);
    expect(r2.checks.find((c) => c.id === 'events')!.details[0]).toMatch(/^第 1 个事件 at event 1: 事件内容被修改/);
  });

  test('an event deleted from the middle, or two events swapped: the chain names the event; re-numbered and re-hashed, the signed head and the proof fail', async () => {
    const files = unpack(bundle);
    const es = events(files);
    const deleted = es.filter((e) => e.seq !== 3);
    const r1 = await verifyBundle(repack({ ...files, 'events.jsonl': jsonl(deleted) }), { rootFingerprint: rootFp });
    expect(r1.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['events']);
    expect(r1.checks.find((c) => c.id === 'events')!.details[0]).toMatch(/^第 3 个事件 at event 3: 缺少事件/);
    const renumbered = rehash(deleted.map((e, i) => ({ ...e, seq: i + 1 })));
    expect(await failing(repack(withHead({ ...files, 'events.jsonl': jsonl(renumbered) }, renumbered.at(-1)!)))).toEqual(['chain-head', 'inclusion']);
    // Swapped: the 2nd and 3rd events trade places (their seqs kept in file order).
    const swapped = [es[0]!, { ...es[2]!, seq: 2 }, { ...es[1]!, seq: 3 }, ...es.slice(3)];
    const r2 = await verifyBundle(repack({ ...files, 'events.jsonl': jsonl(swapped) }), { rootFingerprint: rootFp });
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['events']);
    const swappedRehashed = rehash(swapped);
    expect(await failing(repack(withHead({ ...files, 'events.jsonl': jsonl(swappedRehashed) }, swappedRehashed.at(-1)!)))).toEqual(['chain-head', 'inclusion']);
  });

  test('without --root-fingerprint the trust check fails (the anchor never comes from the file), the other checks run against the bundle\'s root; usage and I/O errors exit 2', async () => {
    const dir = tempDir('esign-bundle-noroot-');
    const file = writeTemp(dir, 'bundle.zip', bundle);
    const cli = run('node', [path.join(ROOT, 'bin', 'esign-verify.js'), file]);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('未给定指纹：无法确认证据包自带的根证书');
    expect(cli.stdout).toContain('（取自证据包 taken from the bundle）');
    const r = await verifyBundle(bundle);
    expect(r).toMatchObject({ valid: false, rootFromCaller: false, rootSha256: rootFp });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['trust']);
    // Usage errors exit 2.
    expect(run('node', [path.join(ROOT, 'bin', 'esign-verify.js')]).status).toBe(2);
    expect(run('node', [path.join(ROOT, 'bin', 'esign-verify.js'), path.join(dir, 'missing.zip')]).status).toBe(2);
  }, 60_000);

  test('the last event dropped: the chain no longer ends at the signed head; with the head rewritten, its signature and proof fail, and the final PDF is not the one the events name', async () => {
    const files = unpack(bundle);
    const es = events(files);
    const cut = es.slice(0, -1);
    const r = await verifyBundle(repack({ ...files, 'events.jsonl': jsonl(cut) }), { rootFingerprint: rootFp });
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['events', 'final-document']);
    expect(r.checks.find((c) => c.id === 'events')!.details[0]).toContain('末尾事件缺失');
    const r2 = await verifyBundle(repack(withHead({ ...files, 'events.jsonl': jsonl(cut) }, cut.at(-1)!)), { rootFingerprint: rootFp });
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['chain-head', 'inclusion', 'final-document']);
  });

  test('the final PDF replaced by an earlier revision of itself: the final-document check names it (and it lacks the DSS and document timestamp)', async () => {
    const files = unpack(bundle);
    const pdf = pdfOf(files);
    const report = await verifyPdf(pdf, { trustedRootSha256: rootFp });
    const firstRevision = pdf.subarray(0, report.signatures[0]!.signedUpTo!);
    const r = await verifyBundle(repack(withPdf(files, Buffer.from(firstRevision))), { rootFingerprint: rootFp });
    const bad = r.checks.filter((c) => !c.ok).map((c) => c.id);
    expect(bad).toContain('final-document');
    expect(r.checks.find((c) => c.id === 'final-document')!.details[0]).toMatch(/较早的版本.*earlier revision/);
    expect(bad).toEqual(['timestamps', 'dss', 'final-document']);
    // Even the revision after both signatures (before the DSS and document timestamp) is refused by name.
    const beforeLta = pdf.subarray(0, report.signatures[1]!.signedUpTo!);
    expect(await failing(repack(withPdf(files, Buffer.from(beforeLta))))).toEqual(['timestamps', 'dss', 'final-document']);
  });

  test('a manifest that does not match its files fails the bundle check; a missing file fails it and what depends on it', async () => {
    const files = unpack(bundle);
    const rebuilt = Buffer.from(zipSync({ ...files, 'anchor.tsr': Buffer.concat([Buffer.from(files['anchor.tsr']!), Buffer.from([0])]) }));
    expect(await failing(rebuilt)).toEqual(['bundle', 'anchor-time']);
    const { ['anchor.tsr']: _gone, ...without } = files;
    expect(await failing(repack(without))).toEqual(['bundle', 'anchor-time']);
  });
});

const issuingPem = (): string => JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.issuingCertPem;
