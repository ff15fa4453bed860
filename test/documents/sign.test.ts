/**
 * The two-signer flow checked by independent tools: poppler's pdfsig (NSS) must accept both
 * signatures and trust our chain, qpdf must find the file clean, and our verifier must agree.
 */
import { PDFDocument } from '@cantoo/pdf-lib';
import { generatePlatformCa, issueSignerCertificate, loadPlatformCa } from '../../shared/documents/ca';
import { A4 } from '../../shared/documents/layout';
import { createPersonalSeal } from '../../shared/documents/seal';
import { signPdf } from '../../shared/documents/sign';
import { verifyPdf } from '../../shared/documents/verify';
import { describeCertificate } from '../../shared/documents/x509';
import { isDark, isRed, pixelsIn } from './png';
import { BORROWER, LENDER, newCa, signAs, twoSignerIou, TestCa } from './signing-fixture';
import { nssDbTrusting, pdfsig, qpdfCheck, rasterize, tempDir, writeTemp } from './tools';

jest.setTimeout(60_000);

let ca: TestCa;
let flow: Awaited<ReturnType<typeof twoSignerIou>>;
let nss: string;
let dir: string;

beforeAll(async () => {
  ca = newCa();
  flow = await twoSignerIou(ca.ca);
  nss = nssDbTrusting(ca.pems.rootCertPem);
  dir = tempDir();
});

test('each signature is an append-only update: earlier bytes are untouched', () => {
  const { rendered, lender, borrower } = flow;
  expect(Buffer.from(lender.bytes.subarray(0, rendered.bytes.length)).equals(Buffer.from(rendered.bytes))).toBe(true);
  expect(Buffer.from(borrower.bytes.subarray(0, lender.bytes.length)).equals(Buffer.from(lender.bytes))).toBe(true);
  // The second update points back at the first one's cross-reference section.
  const tail = Buffer.from(borrower.bytes.subarray(lender.bytes.length)).toString('latin1');
  const prevStartxref = Buffer.from(lender.bytes).toString('latin1').match(/startxref\s+(\d+)\s+%%EOF\s*$/)?.[1];
  expect(prevStartxref).toBeDefined();
  expect(tail).toMatch(new RegExp(`/Prev ${prevStartxref}\\b`));
  expect(lender.byteRange[0]).toBe(0);
  expect(borrower.byteRange[2] + borrower.byteRange[3]).toBe(borrower.bytes.length);
});

test('pdfsig: two valid, trusted signatures with the signers’ names; the last covers the whole file', () => {
  const file = writeTemp(dir, 'signed.pdf', flow.borrower.bytes);
  const out = pdfsig(file, nss);
  expect(out.signatures).toHaveLength(2);
  const [first, second] = out.signatures;
  expect(first).toMatchObject({
    fieldName: 'Sig_lender',
    commonName: '张三',
    // E1: PAdES baseline by default.
    signatureType: 'ETSI.CAdES.detached',
    totalDocumentSigned: false,
    signatureValidation: 'Signature is Valid.',
    certificateValidation: 'Certificate is Trusted.',
  });
  expect(second).toMatchObject({
    fieldName: 'Sig_borrower',
    commonName: '李小明',
    totalDocumentSigned: true,
    signatureValidation: 'Signature is Valid.',
    certificateValidation: 'Certificate is Trusted.',
  });
  // The subject carries the HMAC identifier, never the ID number.
  expect(first!.distinguishedName).toMatch(/serialNumber=[0-9A-F]{32},CN=张三,C=CN/);
  expect(out.raw).not.toContain(LENDER.idNumber);
  expect(out.raw).not.toContain(BORROWER.idNumber);
});

test('pdfsig after the first signature alone: valid, trusted, total document signed', () => {
  const out = pdfsig(writeTemp(dir, 'lender.pdf', flow.lender.bytes), nss);
  expect(out.signatures).toHaveLength(1);
  expect(out.signatures[0]).toMatchObject({
    fieldName: 'Sig_lender',
    totalDocumentSigned: true,
    signatureValidation: 'Signature is Valid.',
    certificateValidation: 'Certificate is Trusted.',
  });
});

test('pdfsig with an NSS database that does not trust our root: signature valid, certificate not trusted', () => {
  const other = nssDbTrusting(newCa().pems.rootCertPem);
  const out = pdfsig(writeTemp(dir, 'signed-untrusted.pdf', flow.borrower.bytes), other);
  expect(out.signatures.map((s) => s.signatureValidation)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
  for (const s of out.signatures) expect(s.certificateValidation).not.toBe('Certificate is Trusted.');
});

test('qpdf finds no structural problem in any revision', () => {
  for (const [name, bytes] of [
    ['lender', flow.lender.bytes],
    ['borrower', flow.borrower.bytes],
  ] as const) {
    const r = qpdfCheck(writeTemp(dir, `${name}-q.pdf`, bytes));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('No syntax or stream encoding errors found');
  }
});

test('our verifier agrees: both valid, chain trusted, names and identifiers, nothing after the last signature', async () => {
  const report = await verifyPdf(flow.borrower.bytes, { trustedRootPem: ca.pems.rootCertPem });
  expect(report.valid).toBe(true);
  expect(report.problems).toEqual([]);
  expect(report.modifiedAfterLastSignature).toBe(false);
  expect(report.revisions).toBe(3);
  expect(report.signatures.map((s) => [s.fieldName, s.signerName, s.valid, s.coversWholeFile])).toEqual([
    ['Sig_lender', '张三', true, false],
    ['Sig_borrower', '李小明', true, true],
  ]);
  for (const s of report.signatures) {
    expect(s.identifier).toMatch(/^[0-9A-F]{32}$/);
    expect(s.laterChanges).toEqual([]);
    expect(s.checks).toEqual({ byteRange: true, digest: true, signature: true, chain: true, validAtSigningTime: true, keyUsage: true, certificates: true });
  }
  expect(report.signatures[0]!.signedUpTo).toBe(flow.lender.bytes.length);
});

test('the seal and the handwritten signature are visible in their rectangles', () => {
  const [lenderArea, borrowerArea] = flow.rendered.signatureAreas;
  const page = flow.rendered.pageCount;
  const before = rasterize(writeTemp(dir, 'unsigned.pdf', flow.rendered.bytes), page, 96);
  const after = rasterize(writeTemp(dir, 'stamped.pdf', flow.borrower.bytes), page, 96);
  const redBefore = pixelsIn(before, lenderArea!.rect, A4.height, 96).filter(isRed).length;
  const red = pixelsIn(after, lenderArea!.rect, A4.height, 96).filter(isRed).length;
  expect(redBefore).toBe(0);
  expect(red).toBeGreaterThan(1500);
  const inkBefore = pixelsIn(before, borrowerArea!.rect, A4.height, 96).filter(isDark).length;
  const ink = pixelsIn(after, borrowerArea!.rect, A4.height, 96).filter(isDark).length;
  expect(inkBefore).toBe(0);
  expect(ink).toBeGreaterThan(800);
  // Nothing red leaks into the borrower's box: each stamp stays in its own rectangle.
  expect(pixelsIn(after, borrowerArea!.rect, A4.height, 96).filter(isRed).length).toBe(0);
});

test('the signature fields are named per party and carry the stamp as their appearance', async () => {
  const doc = await PDFDocument.load(flow.borrower.bytes, { updateMetadata: false });
  const fields = doc.getForm().getFields().map((f) => f.getName());
  expect(fields).toEqual(['Sig_lender', 'Sig_borrower']);
  const page = doc.getPage(flow.rendered.pageCount - 1);
  expect(page.node.Annots()?.size()).toBe(2);
});

test('a field cannot be signed twice; a bad page index or a rectangle off the page is refused', async () => {
  await expect(
    signAs(flow.lender.bytes, flow.rendered, ca.ca, {
      ...LENDER,
      signingTime: new Date(),
      appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) },
    }),
  ).rejects.toThrow(/already exists/);
  await expect(
    signAs(
      flow.rendered.bytes,
      { ...flow.rendered, signatureAreas: [{ ...flow.rendered.signatureAreas[0]!, pageIndex: 7 }] },
      ca.ca,
      { ...LENDER, signingTime: new Date(), appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) } },
    ),
  ).rejects.toThrow();
  const area = flow.rendered.signatureAreas[0]!;
  await expect(
    signAs(
      flow.rendered.bytes,
      { ...flow.rendered, signatureAreas: [{ ...area, rect: { ...area.rect, x: A4.width - 50 } }] },
      ca.ca,
      { ...LENDER, signingTime: new Date(), appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) } },
    ),
  ).rejects.toThrow(/not inside the page/);
});

test('the legacy adbe.pkcs7.detached form (signingTime in the CMS) stays available and verifies', async () => {
  const signed = await signAs(
    flow.rendered.bytes,
    flow.rendered,
    ca.ca,
    { ...LENDER, signingTime: new Date(), appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name, 'round') } },
    { subFilter: 'adbe.pkcs7.detached' },
  );
  const out = pdfsig(writeTemp(dir, 'pkcs7.pdf', signed.bytes), nss);
  expect(out.signatures[0]).toMatchObject({
    signatureType: 'adbe.pkcs7.detached',
    signatureValidation: 'Signature is Valid.',
    certificateValidation: 'Certificate is Trusted.',
    totalDocumentSigned: true,
  });
  const report = await verifyPdf(signed.bytes, { trustedRootPem: ca.pems.rootCertPem });
  expect(report.valid).toBe(true);
  expect(report.signatures[0]!.signingTime).toBeDefined();
});

test('a document from another writer (xref stream, object streams) can be signed twice', async () => {
  const doc = await PDFDocument.create();
  doc.addPage([A4.width, A4.height]).drawText('Plain contract', { x: 72, y: 700, size: 20 });
  const original = await doc.save({ useObjectStreams: true });
  expect(Buffer.from(original).toString('latin1')).toContain('/Type /XRef');
  const rendered = {
    ...flow.rendered,
    bytes: original,
    pageCount: 1,
    signatureAreas: flow.rendered.signatureAreas.map((a) => ({ ...a, pageIndex: 0 })),
  };
  const one = await signAs(original, rendered, ca.ca, {
    ...LENDER,
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) },
  });
  const two = await signAs(one.bytes, rendered, ca.ca, {
    ...BORROWER,
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(BORROWER.name, 'round') },
  });
  const file = writeTemp(dir, 'xrefstream.pdf', two.bytes);
  expect(qpdfCheck(file).status).toBe(0);
  const out = pdfsig(file, nss);
  expect(out.signatures.map((s) => [s.signatureValidation, s.certificateValidation])).toEqual([
    ['Signature is Valid.', 'Certificate is Trusted.'],
    ['Signature is Valid.', 'Certificate is Trusted.'],
  ]);
  expect((await verifyPdf(two.bytes, { trustedRootPem: ca.pems.rootCertPem })).valid).toBe(true);
});

test('an RSA platform CA (from configuration) issues P-256 signers that pdfsig trusts', async () => {
  const pems = generatePlatformCa({ keyAlgorithm: 'rsa-2048' });
  expect(describeCertificate(pems.issuingCertPem).keyAlgorithm).toBe('RSA 2048');
  const rsaCa = loadPlatformCa(pems);
  const signed = await signAs(flow.rendered.bytes, flow.rendered, rsaCa, {
    ...LENDER,
    signingTime: new Date(),
    appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) },
  });
  const out = pdfsig(writeTemp(dir, 'rsa-ca.pdf', signed.bytes), nssDbTrusting(pems.rootCertPem));
  expect(out.signatures[0]).toMatchObject({ signatureValidation: 'Signature is Valid.', certificateValidation: 'Certificate is Trusted.' });
  expect((await verifyPdf(signed.bytes, { trustedRootPem: pems.rootCertPem })).valid).toBe(true);
});

test('a key that does not belong to the certificate is refused before anything is written', async () => {
  const a = await issueSignerCertificate(ca.ca, { name: '张三', identifier: 'A'.repeat(32), signingTime: new Date() });
  const b = await issueSignerCertificate(ca.ca, { name: '张三', identifier: 'A'.repeat(32), signingTime: new Date() });
  await expect(
    signPdf(flow.rendered.bytes, {
      fieldName: 'Sig_lender',
      placement: flow.rendered.signatureAreas[0]!,
      signer: { certPem: a.certPem, keyPem: b.keyPem, chainPems: a.chainPems },
      reason: '签署',
      signingTime: new Date(),
      appearance: { kind: 'vector', drawing: createPersonalSeal('张三') },
    }),
  ).rejects.toThrow(/does not match/);
});
