/**
 * Every change to a signed contract must be detectable — by pdfsig and by our verifier.
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, rgb } from '@cantoo/pdf-lib';
import { issueSignerCertificate, deriveSignerIdentifier } from '../../shared/documents/ca';
import { elementLength } from '../../shared/documents/asn1';
import { createPersonalSeal } from '../../shared/documents/seal';
import { signPdf } from '../../shared/documents/sign';
import { verifyPdf } from '../../shared/documents/verify';
import { handwrittenPng, isRed, pixelsIn } from './png';
import { BORROWER, LENDER, newCa, signAs, twoSignerIou, TestCa } from './signing-fixture';
import { nssDbTrusting, pdfsig, qpdfCheck, rasterize, tempDir, writeTemp } from './tools';

jest.setTimeout(60_000);

let ca: TestCa;
let flow: Awaited<ReturnType<typeof twoSignerIou>>;
let signed: Buffer;
let nss: string;
let dir: string;

beforeAll(async () => {
  ca = newCa();
  flow = await twoSignerIou(ca.ca);
  signed = Buffer.from(flow.borrower.bytes);
  nss = nssDbTrusting(ca.pems.rootCertPem);
  dir = tempDir();
});

const verify = (bytes: Uint8Array) => verifyPdf(bytes, { trustedRootPem: ca.pems.rootCertPem });

/** Appends an incremental update by hand: new versions of objects, an xref section and a trailer. */
const appendUpdate = (base: Buffer, objects: Array<{ num: number; body: string }>, root: string): Buffer => {
  const prev = base.toString('latin1').match(/startxref\s+(\d+)\s+%%EOF\s*$/)![1];
  const size = Number(base.toString('latin1').match(/\/Size (\d+)(?![\s\S]*\/Size)/)![1]);
  let text = '\n';
  const offsets: Array<[number, number]> = [];
  for (const o of objects) {
    offsets.push([o.num, base.length + Buffer.byteLength(text, 'latin1')]);
    text += `${o.num} 0 obj\n${o.body}\nendobj\n`;
  }
  const xrefAt = base.length + Buffer.byteLength(text, 'latin1');
  text += 'xref\n';
  for (const [num, off] of offsets) text += `${num} 1\n${String(off).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<< /Size ${size} /Root ${root} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([base, Buffer.from(text, 'latin1')]);
};

test('one byte changed in the original content: both signatures fail in pdfsig and in our verifier', async () => {
  const at = signed.indexOf('841.89');
  expect(at).toBeGreaterThan(0);
  expect(at).toBeLessThan(flow.rendered.bytes.length);
  const tampered = Buffer.from(signed);
  tampered[at + 1] = '5'.charCodeAt(0); // 841.89 → 851.89: the page grows, nothing else moves

  const out = pdfsig(writeTemp(dir, 'byte.pdf', tampered), nss);
  expect(out.signatures.map((s) => s.signatureValidation)).toEqual(['Digest Mismatch.', 'Digest Mismatch.']);

  const report = await verify(tampered);
  expect(report.valid).toBe(false);
  expect(report.signatures.map((s) => [s.checks.digest, s.valid])).toEqual([
    [false, false],
    [false, false],
  ]);
});

test('one byte changed inside the signature value in /Contents: that signature fails', async () => {
  const [, gapStart, gapEnd] = flow.borrower.byteRange;
  const cms = Buffer.from(signed.toString('latin1', gapStart + 1, gapEnd - 1), 'hex');
  const cmsEnd = elementLength(cms)!;
  const tampered = Buffer.from(signed);
  const hexPos = gapStart + 1 + (cmsEnd - 8) * 2; // inside the ECDSA signature, the last element
  tampered[hexPos] = tampered[hexPos] === 0x30 ? 0x31 : 0x30;

  const out = pdfsig(writeTemp(dir, 'contents.pdf', tampered), nss);
  expect(out.signatures[0]!.signatureValidation).toBe('Signature is Valid.');
  expect(out.signatures[1]!.signatureValidation).not.toBe('Signature is Valid.');

  const report = await verify(tampered);
  expect(report.valid).toBe(false);
  expect(report.signatures[0]!.valid).toBe(true);
  expect(report.signatures[1]!.checks.digest).toBe(true);
  expect(report.signatures[1]!.checks.signature).toBe(false);
});

test('zero padding after the CMS is part of the signature too: changing it is reported', async () => {
  const [, , gapEnd] = flow.borrower.byteRange;
  const tampered = Buffer.from(signed);
  tampered[gapEnd - 3] = 0x37;
  const report = await verify(tampered);
  expect(report.valid).toBe(false);
  expect(report.signatures[1]!.problems.join()).toContain('多余数据');
});

test('an unsigned incremental update that draws on a page (pdf-lib): no longer totally signed, flagged as modified', async () => {
  const doc = await PDFDocument.load(signed, { forIncrementalUpdate: true, updateMetadata: false });
  doc.getPage(0).drawText('PAID 0.00', { x: 300, y: 600, size: 30, color: rgb(1, 0, 0) });
  const tampered = Buffer.from(await doc.save({ useObjectStreams: false }));
  expect(tampered.subarray(0, signed.length).equals(signed)).toBe(true);

  const file = writeTemp(dir, 'appended.pdf', tampered);
  expect(qpdfCheck(file).status).toBe(0);
  const out = pdfsig(file, nss);
  expect(out.signatures).toHaveLength(2);
  expect(out.signatures.some((s) => s.totalDocumentSigned)).toBe(false);

  const report = await verify(tampered);
  expect(report.valid).toBe(false);
  expect(report.modifiedAfterLastSignature).toBe(true);
  expect(report.unsignedBytes).toBe(tampered.length - signed.length);
  expect(report.revisions).toBe(4);
  // Each signature is still intact for what it covered; the report says what changed since.
  expect(report.signatures.map((s) => s.checks.digest && s.checks.signature)).toEqual([true, true]);
  expect(report.signatures[1]!.laterChanges.join('\n')).toMatch(/Page .* \/Contents/);
});

test('a hand-appended update replacing a page content stream: visible, and caught by both tools', async () => {
  const doc = await PDFDocument.load(signed, { updateMetadata: false });
  const contents = doc.getPage(0).node.get(PDFName.of('Contents'));
  const candidates = contents instanceof PDFArray ? contents.asArray() : [contents];
  // The page's main content stream: the biggest one (pdf-lib may list small q/Q wrappers too).
  const ref = candidates
    .filter((c): c is PDFRef => c instanceof PDFRef)
    .sort((a, b) => doc.context.lookup(b)!.sizeInBytes() - doc.context.lookup(a)!.sizeInBytes())[0]!;
  expect(ref).toBeInstanceOf(PDFRef);
  const drawing = '1 0 0 rg 100 500 300 200 re f';
  const root = (doc.context.trailerInfo.Root as PDFRef).toString();
  const tampered = appendUpdate(signed, [{ num: ref.objectNumber, body: `<< /Length ${drawing.length} >>\nstream\n${drawing}\nendstream` }], root);

  const file = writeTemp(dir, 'hand.pdf', tampered);
  expect(qpdfCheck(file).status).toBe(0);
  const page = rasterize(file, 1);
  expect(pixelsIn(page, { x: 100, y: 500, width: 300, height: 200 }, 841.89).filter(isRed).length).toBeGreaterThan(10_000);

  const out = pdfsig(file, nss);
  expect(out.signatures.some((s) => s.totalDocumentSigned)).toBe(false);

  const report = await verify(tampered);
  expect(report.valid).toBe(false);
  expect(report.modifiedAfterLastSignature).toBe(true);
  expect(report.signatures[1]!.laterChanges.join('\n')).toContain(`对象 ${ref.objectNumber} 0 R`);
});

test('a signer who also changes the content in their own signing update is caught (pdfsig cannot tell)', async () => {
  // The lender signs; then someone edits page 1 and the borrower's signature is appended on top.
  const doc = await PDFDocument.load(flow.lender.bytes, { forIncrementalUpdate: true, updateMetadata: false });
  doc.getPage(0).drawText('¥1,200,000.00', { x: 300, y: 600, size: 20 });
  const edited = await doc.save({ useObjectStreams: false });
  const resigned = await signAs(edited, flow.rendered, ca.ca, {
    ...BORROWER,
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(BORROWER.name) },
  });

  const report = await verify(resigned.bytes);
  expect(report.modifiedAfterLastSignature).toBe(false);
  expect(report.signatures.map((s) => s.checks.digest && s.checks.signature && s.checks.chain)).toEqual([true, true]);
  expect(report.signatures[0]!.laterChanges.join('\n')).toMatch(/Page .* \/Contents/);
  expect(report.signatures[1]!.laterChanges).toEqual([]);
  expect(report.valid).toBe(false);
});

test('an update that drops an earlier signer’s field is reported, though pdfsig no longer sees that signature', async () => {
  const doc = await PDFDocument.load(flow.lender.bytes, { forIncrementalUpdate: true, updateMetadata: false });
  doc.catalog.lookup(PDFName.of('AcroForm'), PDFDict).set(PDFName.of('Fields'), doc.context.obj([]));
  doc.getPage(flow.rendered.pageCount - 1).node.set(PDFName.of('Annots'), doc.context.obj([]));
  const stripped = await doc.save({ useObjectStreams: false });
  const resigned = await signAs(stripped, flow.rendered, ca.ca, {
    ...BORROWER,
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(BORROWER.name) },
  });

  const out = pdfsig(writeTemp(dir, 'stripped.pdf', resigned.bytes), nss);
  expect(out.signatures.map((s) => s.fieldName)).toEqual(['Sig_borrower']);

  const report = await verify(resigned.bytes);
  expect(report.valid).toBe(false);
  expect(report.signatures.map((s) => s.fieldName)).toEqual(['Sig_lender', 'Sig_borrower']);
  expect(report.signatures[0]!.checks.digest).toBe(true);
  expect(report.signatures[0]!.laterChanges.join('\n')).toContain('Sig_lender 在后续修订中被移除');
});

test('a chain to another root is not trusted', async () => {
  const report = await verifyPdf(signed, { trustedRootPem: newCa().pems.rootCertPem });
  expect(report.valid).toBe(false);
  expect(report.signatures.map((s) => [s.checks.digest, s.checks.signature, s.checks.chain])).toEqual([
    [true, true, false],
    [true, true, false],
  ]);
});

test('a certificate that was not valid at the signing time is refused', async () => {
  const longAgo = new Date(Date.now() - 3 * 365 * 24 * 3600 * 1000);
  const cert = await issueSignerCertificate(ca.ca, {
    name: LENDER.name,
    identifier: deriveSignerIdentifier('s', LENDER.idNumber),
    signingTime: longAgo,
    validityMs: 24 * 3600 * 1000,
  });
  const area = flow.rendered.signatureAreas[0]!;
  const late = await signPdf(flow.rendered.bytes, {
    fieldName: LENDER.fieldName,
    placement: area,
    signer: { certPem: cert.certPem, keyPem: cert.keyPem, chainPems: cert.chainPems },
    reason: '签署',
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) },
  });
  const report = await verify(late.bytes);
  expect(report.signatures[0]!.checks.validAtSigningTime).toBe(false);
  expect(report.valid).toBe(false);
  const out = pdfsig(writeTemp(dir, 'expired.pdf', late.bytes), nss);
  expect(out.signatures[0]!.certificateValidation).not.toBe('Certificate is Trusted.');
});

test('garbage, truncation and unsigned PDFs give an invalid report, never an exception', async () => {
  const garbage = await verify(Buffer.from('not a pdf at all'));
  expect(garbage.valid).toBe(false);
  expect(garbage.problems.length).toBeGreaterThan(0);

  const truncated = await verify(signed.subarray(0, signed.length - 3000));
  expect(truncated.valid).toBe(false);

  const unsigned = await verify(flow.rendered.bytes);
  expect(unsigned.valid).toBe(false);
  expect(unsigned.signatures).toEqual([]);
  expect(unsigned.problems).toContain('文档没有签名');
});

describe('U3 a signer with several fields: the stamp at each, covered by that one signature', () => {
  let several: Buffer;
  beforeAll(async () => {
    const area = flow.rendered.signatureAreas.find((a) => a.fieldName === LENDER.fieldName)!;
    const alsoAt = [{ pageIndex: area.pageIndex, rect: { ...area.rect, y: area.rect.y + 200 } }];
    const first = await signAs(flow.rendered.bytes, flow.rendered, ca.ca, { ...LENDER, signingTime: new Date(), appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) } }, { alsoAt });
    several = Buffer.from((await signAs(first.bytes, flow.rendered, ca.ca, { ...BORROWER, signingTime: new Date(), appearance: { kind: 'png', png: handwrittenPng() } })).bytes);
  });

  test('both signatures valid in pdfsig and our verifier; the extra stamp is drawn', async () => {
    const file = writeTemp(dir, 'several.pdf', several);
    expect(pdfsig(file, nss).signatures.map((s) => s.signatureValidation)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    const report = await verify(several);
    expect([report.valid, report.signatures.map((s) => s.laterChanges)]).toEqual([true, [[], []]]);
    const area = flow.rendered.signatureAreas.find((a) => a.fieldName === LENDER.fieldName)!;
    const page = rasterize(file, area.pageIndex + 1, 72);
    const redIn = (r: typeof area.rect) => pixelsIn(page, r, 841.89).filter(isRed).length;
    // The same seal, drawn again (pixel rounding differs a little between the two places).
    expect(redIn({ ...area.rect, y: area.rect.y + 200 })).toBeGreaterThan(0.8 * redIn(area.rect));
    expect(redIn(area.rect)).toBeGreaterThan(200);
  });

  test('a later update that adds a stamp showing an earlier signature’s appearance is a change', async () => {
    const doc = await PDFDocument.load(several, { forIncrementalUpdate: true, updateMetadata: false });
    const pageIndex = flow.rendered.signatureAreas.find((a) => a.fieldName === LENDER.fieldName)!.pageIndex;
    const widget = doc.getPage(pageIndex).node.lookup(PDFName.of('Annots'), PDFArray).asArray().map((r) => doc.context.lookup(r as PDFRef, PDFDict)).find((d) => d.get(PDFName.of('FT')))!;
    const stamp = doc.context.register(doc.context.obj({ Type: 'Annot', Subtype: 'Stamp', Rect: [20, 20, 120, 120], F: 132, AP: widget.get(PDFName.of('AP'))! } as never));
    doc.getPage(pageIndex).node.lookup(PDFName.of('Annots'), PDFArray).push(stamp);
    doc.context.snapshot?.markRefForSave(doc.getPage(pageIndex).ref);
    const tampered = Buffer.from(await doc.save({ useObjectStreams: false }));
    const report = await verify(tampered);
    expect(report.valid).toBe(false);
    expect(report.signatures[1]!.laterChanges.join('\n')).toMatch(/新增了非签名条目|数组/);
  });
});
