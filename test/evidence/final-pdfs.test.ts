/**
 * Issue 15 "Done means", first line (E1): every kind of final PDF, made through the emulator as
 * the mini-program makes it — an IOU, a receipt (确认领取), a template contract (房屋租赁合同), an own
 * file, a settled IOU and a rescinded template contract (and a rescinded own file) — read by
 * independent tools with only the platform root trusted: pdfsig with a fresh NSS database
 * (certutil) says every party signature is ETSI.CAdES.detached, valid and trusted, the last field
 * is a document timestamp (ETSI.RFC3161) covering the whole file; `openssl ts -verify` accepts
 * every timestamp token (extracted here); `qpdf --json` shows the catalog's /DSS with the chain's
 * certificates and CRLs (OpenSSL checks each CRL against the CA that issued it).
 *
 * Item 5: a settled or rescinded file carries the requester's and the confirmer's own signatures
 * of their acts (their names in their one-time certificates) and the platform's stamp beside them,
 * in a band of the page with no text in it (pdftotext -bbox finds no word under any of them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber } from '@cantoo/pdf-lib';
import type { Contract } from '../../shared/domain/contract';
import { kindSpec } from '../../shared/kinds/registry';
import { fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { pdfText } from '../../shared/documents/pdf-signatures';
import { padesFindings, type PadesFindings } from '../documents/pades-checks';
import { nssDbTrusting, requireTools, run, tempDir, writeTemp } from '../documents/tools';
import { makePdf } from '../files/make-files';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

jest.setTimeout(180_000);

let emu: Emulator;
let client: Client;
let dataDir: string;
let pems: { rootCertPem: string; issuingCertPem: string };
let nss: string;

const lender = person('o-fp-lender', '王建国', 48);
const borrower = person('o-fp-borrower', '刘晓梅', 31);
const payee = person('o-fp-payee', '陈收款', 45);
const payer = person('o-fp-payer', '周付款', 38);
const landlord = person('o-fp-landlord', '赵建华', 52);
const tenant = person('o-fp-tenant', '孙丽娟', 29);
const alice = person('o-fp-alice', '林自有', 35);
const dave = person('o-fp-dave', '韩第四', 50);

const stored = async (id: string) => (await emu.container.store.get<Contract>('contracts', id))!;
const face = (p: Person, purpose: string, id: string) => client.face(p, purpose, id);
const sign = async (p: Person, id: string) => client.ok('contract-sign', p.openid, { contractId: id, bizToken: await face(p, 'sign', id), signature: { type: 'seal' } });
const me = (p: Person) => ({ fillMode: 'me', name: p.name, idNumber: p.idNumber, phone: p.phone });

/** The file a party downloads now, checked to be the stored current revision. */
const download = async (p: Person, id: string): Promise<Buffer> => {
  const dl = await client.ok('contract-download', p.openid, { contractId: id });
  expect(dl.preview).toBe(false);
  const bytes = Buffer.from(await (await fetch(`${emu.url}${dl.url}`)).arrayBuffer());
  expect(dl.sha256).toBe((await stored(id)).document!.currentSha256);
  return bytes;
};

const upload = async (p: Person, name: string, bytes: Uint8Array): Promise<string> => {
  const res = await fetch(`${emu.url}/_emulator/storage/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-openid': p.openid, 'content-type': 'application/octet-stream' }, body: bytes });
  expect(res.status).toBe(200);
  return ((await res.json()) as { fileID: string }).fileID;
};

/** What the independent tools found in each final file, by kind. */
const finals: Record<string, { bytes: Buffer; contract: Contract; pades: PadesFindings }> = {};
let settledVerified: any;
const keep = async (label: string, p: Person, id: string) => {
  const bytes = await download(p, id);
  finals[label] = { bytes, contract: await stored(id), pades: await padesFindings(bytes, pems.rootCertPem, nss) };
};

/** Each visible signature widget: its field name, page (0-based) and /Rect, read from the file. */
const widgets = async (bytes: Uint8Array) => {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.getPages().flatMap((page, pageIndex) => {
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    if (!annots) return [];
    return annots.asArray().flatMap((ref) => {
      const a = doc.context.lookup(ref);
      if (!(a instanceof PDFDict) || String(a.get(PDFName.of('FT'))) !== '/Sig') return [];
      const r = a.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());
      return [{ name: pdfText(a.lookup(PDFName.of('T')))!, pageIndex, rect: { x: r[0]!, y: r[1]!, width: r[2]! - r[0]!, height: r[3]! - r[1]! } }];
    });
  });
};

/** Words on a page with their boxes in PDF points (origin bottom left), from pdftotext -bbox. */
const wordsOn = (bytes: Uint8Array, pageIndex: number) => {
  const file = writeTemp(tempDir('esign-bbox-'), 'f.pdf', bytes);
  const r = run('pdftotext', ['-bbox', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1), file, '-']);
  expect(r.status).toBe(0);
  const height = Number(/<page width="[\d.]+" height="([\d.]+)"/.exec(r.stdout)![1]);
  return [...r.stdout.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    text: m[5]!, x: Number(m[1]), y: height - Number(m[4]), width: Number(m[3]) - Number(m[1]), height: Number(m[4]) - Number(m[2]),
  }));
};
type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('final-pdfs'));
  await client.advanceToChinaHour(10);
  for (const p of [lender, borrower, payee, payer, landlord, tenant, alice, dave]) await client.verify(p);

  // An IOU (借条): the lender creates and pays, the borrower opens the link; the lender signs first.
  const iou = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: me(borrower), form: iouForm(client.today()) });
  await client.pay(lender.openid, iou.id);
  await client.ok('share-open', borrower.openid, { token: iou.shareToken });
  await sign(lender, iou.id);
  expect((await sign(borrower, iou.id)).state).toBe('signed');
  pems = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems;
  nss = nssDbTrusting(pems.rootCertPem);
  await keep('IOU', borrower, iou.id);

  // A receipt (收据): the payee signs and pays, the payer 确认领取 — the platform witnesses it in the file.
  const receipt = await client.ok('contract-create', payee.openid, { kind: 'receipt', myRole: 'payee', counterparty: me(payer), form: { amountFen: 1_280_050, reason: '二手钢琴货款', receivedDate: client.today(), paymentMethod: '银行转账', note: '钢琴已当面交付。' } });
  await sign(payee, receipt.id);
  await client.pay(payee.openid, receipt.id);
  await client.ok('share-open', payer.openid, { token: receipt.shareToken });
  expect((await client.ok('contract-accept', payer.openid, { contractId: receipt.id, bizToken: await face(payer, 'accept', receipt.id) })).state).toBe('signed');
  await keep('receipt', payer, receipt.id);

  // A template contract (房屋租赁合同): the tenant (counterparty) signs first, then the landlord.
  const spec = kindSpec('house_rental');
  const lease = await client.ok('contract-create', landlord.openid, { kind: 'house_rental', myRole: 'landlord', counterparty: me(tenant), form: structuredClone(spec.example) });
  await client.pay(landlord.openid, lease.id);
  await client.ok('share-open', tenant.openid, { token: lease.shareToken });
  await sign(tenant, lease.id);
  expect((await sign(landlord, lease.id)).state).toBe('signed');
  await keep('template', tenant, lease.id);

  // An own file (自有文件), two signers, each on the field the initiator placed.
  const imported = await client.ok('file-import', alice.openid, { fileID: await upload(alice, '合作协议.pdf', await makePdf(2)), name: '合作协议.pdf' });
  const field = (k: number) => [{ page: 1, x: 60 + k * 170, y: 120, width: 120, height: 120 }];
  const own = await client.ok('contract-create', alice.openid, {
    kind: 'own_file', fileId: imported.fileId, title: '两方合作协议', noticeAccepted: true,
    deadline: new Date(emu.container.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    signers: [{ fillMode: 'self', fields: field(0) }, { ...me(dave), fields: field(1) }],
  });
  await client.pay(alice.openid, own.id);
  await sign(alice, own.id);
  await client.ok('share-open', dave.openid, { token: (await stored(own.id)).shareToken });
  expect((await sign(dave, own.id)).state).toBe('signed');
  await keep('own file', dave, own.id);

  // Settled (已结清): the borrower asks, the lender confirms, each after a face check.
  await client.ok('settle-request', borrower.openid, { contractId: iou.id, reason: '已还清', bizToken: await face(borrower, 'settle_request', iou.id) });
  expect((await client.ok('settle-confirm', lender.openid, { contractId: iou.id, bizToken: await face(lender, 'settle_confirm', iou.id) })).state).toBe('settled');
  await keep('settled', lender, iou.id);
  // Asked here, while the emulator's connection is in use (the checks below run long without it).
  settledVerified = await client.ok('contract-verify', lender.openid, { contractId: iou.id });

  // Rescinded (已解除): the landlord asks, the tenant confirms.
  await client.ok('rescind-request', landlord.openid, { contractId: lease.id, reason: '协商一致提前退租', bizToken: await face(landlord, 'rescind_request', lease.id) });
  expect((await client.ok('rescind-confirm', tenant.openid, { contractId: lease.id, bizToken: await face(tenant, 'rescind_confirm', lease.id) })).state).toBe('rescinded');
  await keep('rescinded', landlord, lease.id);

  // A rescinded own file: not laid out by us, so the acts' fields are invisible (nothing drawn over its text).
  await client.ok('rescind-request', dave.openid, { contractId: own.id, reason: '协商一致', bizToken: await face(dave, 'rescind_request', own.id) });
  expect((await client.ok('rescind-confirm', alice.openid, { contractId: own.id, bizToken: await face(alice, 'rescind_confirm', own.id) })).state).toBe('rescinded');
  await keep('rescinded own file', alice, own.id);
}, 300_000);
afterAll(() => emu?.close());

/** Per kind: the signers (certificate CNs, in file order) and the signature fields, document timestamps included. */
const EXPECTED: Array<[string, string[], string[]]> = [
  ['IOU', ['王建国', '刘晓梅'], ['Sig_lender', 'Sig_borrower', 'DocTimeStamp_1']],
  ['receipt', ['陈收款', '电子签平台'], ['Sig_payee', 'Sig_platform_accepted', 'DocTimeStamp_1']],
  ['template', ['孙丽娟', '赵建华'], ['Sig_tenant', 'Sig_landlord', 'DocTimeStamp_1']],
  ['own file', ['林自有', '韩第四'], ['Sig_signer1', 'Sig_signer2', 'DocTimeStamp_1']],
  ['settled', ['王建国', '刘晓梅', '刘晓梅', '王建国', '电子签平台'], ['Sig_lender', 'Sig_borrower', 'DocTimeStamp_1', 'Sig_settle_request_borrower', 'Sig_settle_confirm_lender', 'Sig_platform_settled', 'DocTimeStamp_2']],
  ['rescinded', ['孙丽娟', '赵建华', '赵建华', '孙丽娟', '电子签平台'], ['Sig_tenant', 'Sig_landlord', 'DocTimeStamp_1', 'Sig_rescind_request_landlord', 'Sig_rescind_confirm_tenant', 'Sig_platform_rescinded', 'DocTimeStamp_2']],
  ['rescinded own file', ['林自有', '韩第四', '韩第四', '林自有', '电子签平台'], ['Sig_signer1', 'Sig_signer2', 'DocTimeStamp_1', 'Sig_rescind_request_signer2', 'Sig_rescind_confirm_signer1', 'Sig_platform_rescinded', 'DocTimeStamp_2']],
];

describe.each(EXPECTED)('E1 the final PDF of %s, read with only the platform root trusted', (label, signers, fields) => {
  test('pdfsig (fresh NSS db): each party signature ETSI.CAdES.detached, valid, trusted; the last field a document timestamp (ETSI.RFC3161) covering the whole file', () => {
    const { pades } = finals[label]!;
    expect(pades.signers).toEqual(signers);
    expect(pades.signatureTypes).toEqual(signers.map(() => 'ETSI.CAdES.detached'));
    expect(pades.allValidAndTrusted).toBe(true);
    expect(pades.lastType).toBe('ETSI.RFC3161');
    expect(pades.lastCoversAll).toBe(true);
    expect(pades.qpdfOk).toBe(true);
  });

  test('openssl ts -verify accepts every timestamp token: one per signature, one per completion', () => {
    const { pades } = finals[label]!;
    expect(pades.tokens.map((t) => [t.field, t.kind, t.status])).toEqual(fields.map((f) => [f, f.startsWith('DocTimeStamp') ? 'document' : 'signature', 0]));
    for (const t of pades.tokens) expect(t.out).toContain('Verification: OK');
  });

  test('qpdf --json: the /DSS holds the root, the issuing CA, every signer’s certificate and the TSA’s, and CRLs each CA signed', () => {
    const { pades, contract } = finals[label]!;
    const fps = pades.dss!.certificateSha256;
    expect(fps).toContain(fingerprintHex(pemToDer(pems.rootCertPem)));
    expect(fps).toContain(fingerprintHex(pemToDer(pems.issuingCertPem)));
    for (const s of contract.document!.signatures) expect(fps).toContain(s.certificate.fingerprintSha256.replace(/:/g, '').toLowerCase());
    // Root, issuing CA, the TSA and one certificate per signature, none twice.
    expect(new Set(fps).size).toBe(fps.length);
    expect(fps.length).toBe(3 + contract.document!.signatures.length);
    expect(pades.dss!.crls).toBeGreaterThanOrEqual(1);
    const dir = tempDir('esign-crl-');
    const cas = writeTemp(dir, 'cas.pem', pems.rootCertPem + pems.issuingCertPem);
    for (const [i, der] of pades.dss!.crlDers.entries()) {
      const r = run('openssl', ['crl', '-inform', 'DER', '-in', writeTemp(dir, `${i}.crl`, der), '-CAfile', cas, '-noout']);
      expect(`${i}: ${(r.stdout + r.stderr).trim()}`).toBe(`${i}: verify OK`);
    }
  });
});

describe('item 5: the parties sign their own rescind/settle acts, the platform’s stamp beside them, never over text', () => {
  test.each([
    ['settled', ['Sig_settle_request_borrower', 'Sig_settle_confirm_lender', 'Sig_platform_settled']],
    ['rescinded', ['Sig_rescind_request_landlord', 'Sig_rescind_confirm_tenant', 'Sig_platform_rescinded']],
  ])('%s: the three stamps sit side by side in the blank band under the text; no word of the page lies under any of them', async (label, names) => {
    const { bytes, contract } = finals[label]!;
    const band = contract.document!.actsArea!;
    expect(band).toBeDefined();
    const all = await widgets(bytes);
    const acts = names.map((n) => all.find((w) => w.name === n)!);
    for (const w of acts) {
      expect(w.pageIndex).toBe(band.pageIndex);
      expect(w.rect.x).toBeGreaterThanOrEqual(band.rect.x - 0.01);
      expect(w.rect.y).toBeGreaterThanOrEqual(band.rect.y - 0.01);
      expect(w.rect.x + w.rect.width).toBeLessThanOrEqual(band.rect.x + band.rect.width + 0.01);
      expect(w.rect.y + w.rect.height).toBeLessThanOrEqual(band.rect.y + band.rect.height + 0.01);
    }
    // Side by side, left to right, none over another or over a party's contract signature.
    for (let i = 1; i < acts.length; i++) expect(acts[i]!.rect.x).toBeGreaterThanOrEqual(acts[i - 1]!.rect.x + acts[i - 1]!.rect.width);
    for (const w of all.filter((x) => !names.includes(x.name))) for (const a of acts) expect(overlaps(w.rect, a.rect)).toBe(false);
    const words = wordsOn(bytes, band.pageIndex);
    expect(words.length).toBeGreaterThan(10);
    expect(words.filter((w) => acts.some((a) => overlaps(w, a.rect)))).toEqual([]);
  });

  test('the receipt’s 确认领取 stamp (beside the payee’s signature) covers no word either', async () => {
    const { bytes } = finals.receipt!;
    const all = await widgets(bytes);
    const stamp = all.find((w) => w.name === 'Sig_platform_accepted')!;
    expect(overlaps(stamp.rect, all.find((w) => w.name === 'Sig_payee')!.rect)).toBe(false);
    const words = wordsOn(bytes, stamp.pageIndex);
    expect(words.length).toBeGreaterThan(10);
    expect(words.filter((w) => overlaps(w, stamp.rect))).toEqual([]);
  });

  test('each act’s signature is its party’s own one-time certificate, recorded with its side and index, after its face check', () => {
    const { contract } = finals.settled!;
    const acts = contract.document!.signatures.filter((s) => s.fieldName.startsWith('Sig_settle_'));
    expect(acts.map((s) => [s.by, s.party, s.certificate.subject.match(/CN=([^,]+)/)?.[1]])).toEqual([['counterparty', 1, '刘晓梅'], ['initiator', 0, '王建国']]);
    // Not the contract signatures' certificates: one-time, one per act.
    const serials = contract.document!.signatures.map((s) => s.certificate.serialNumber);
    expect(new Set(serials).size).toBe(serials.length);
  });

  test('a document signed before the band was recorded: the contract is laid out again to find it, the stamps land in it, no word under them', async () => {
    const a = person('o-fp-old-lender', '钱国庆', 44);
    const b = person('o-fp-old-borrower', '吴春梅', 36);
    for (const p of [a, b]) await client.verify(p);
    const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: me(b), form: iouForm(client.today()) });
    await client.pay(a.openid, v.id);
    await client.ok('share-open', b.openid, { token: v.shareToken });
    await sign(a, v.id);
    await sign(b, v.id);
    const c = await stored(v.id);
    const recorded = c.document!.actsArea!;
    // As a document stored before actsArea existed reads.
    const { actsArea: _dropped, ...older } = c.document!;
    expect(await emu.container.store.compareAndSet('contracts', { ...c, document: older }, c.version!)).toBe(true);
    await client.ok('settle-request', a.openid, { contractId: v.id, reason: '已还清', bizToken: await face(a, 'settle_request', v.id) });
    await client.ok('settle-confirm', b.openid, { contractId: v.id, bizToken: await face(b, 'settle_confirm', v.id) });
    const bytes = await download(a, v.id);
    const acts = (await widgets(bytes)).filter((w) => ['Sig_settle_request_lender', 'Sig_settle_confirm_borrower', 'Sig_platform_settled'].includes(w.name));
    expect(acts).toHaveLength(3);
    for (const w of acts) {
      expect(w.pageIndex).toBe(recorded.pageIndex);
      expect(w.rect.y).toBeGreaterThanOrEqual(recorded.rect.y - 0.01);
      expect(w.rect.y + w.rect.height).toBeLessThanOrEqual(recorded.rect.y + recorded.rect.height + 0.01);
    }
    expect(wordsOn(bytes, recorded.pageIndex).filter((w) => acts.some((x) => overlaps(w, x.rect)))).toEqual([]);
    expect((await padesFindings(bytes, pems.rootCertPem, nss)).allValidAndTrusted).toBe(true);
  });

  test('an own file (not laid out by us): the acts are invisible fields, the page gains no widget over its text', async () => {
    const { bytes } = finals['rescinded own file']!;
    const visible = (await widgets(bytes)).filter((w) => w.rect.width > 0 && w.rect.height > 0).map((w) => w.name);
    expect(visible).toEqual(['Sig_signer1', 'Sig_signer2']);
  });

  test('contract-verify agrees: valid at B-LTA, every field valid with the TSA’s time', () => {
    const v = settledVerified;
    expect([v.valid, v.level, v.document.matchesRecord]).toEqual([true, 'B-LTA', true]);
    expect(v.document.signatures.map((s: { fieldName: string; kind: string; valid: boolean; signingTimeSource: string }) => [s.fieldName, s.kind, s.valid, s.signingTimeSource])).toEqual(
      EXPECTED.find(([l]) => l === 'settled')![2].map((f) => [f, f.startsWith('DocTimeStamp') ? 'document-timestamp' : 'signature', true, 'timestamp']),
    );
  });
});
