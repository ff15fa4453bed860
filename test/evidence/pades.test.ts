/**
 * E1 PAdES B-LTA on a two-signature IOU made by the documents code: each party signature
 * ETSI.CAdES.detached with an RFC 3161 signature timestamp (B-T), then at completion a DSS with
 * the chain's certificates and the CAs' CRLs, and a document timestamp (B-LTA). Checked by
 * independent tools — poppler's pdfsig against a fresh NSS database trusting only the platform
 * root, `openssl ts -verify` for every token, `openssl crl` for the DSS CRLs, `qpdf --json` for
 * the structure — and by our verifier, which must name the check each tampering breaks.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, rgb } from '@cantoo/pdf-lib';
import { ContentInfo, SignedData, Attribute } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { MovableClock } from '../../shared/adapters/local/clock';
import { LocalTsa } from '../../shared/adapters/local/tsa';
import { issueIssuingCrl } from '../../shared/documents/ca';
import { parseCmsSignedData } from '../../shared/documents/cms';
import { addLongTermValidation, LongTermResult } from '../../shared/documents/long-term';
import { OID } from '../../shared/documents/oids';
import { byteRangeOf, contentsDer, contentsOf, signatureFields } from '../../shared/documents/pdf-signatures';
import { failureCodes, verifyPdf, VerifyReport } from '../../shared/documents/verify';
import { derToPem, fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { newCa, TestCa, twoSignerIou } from '../documents/signing-fixture';
import { nssDbTrusting, pdfsig, qpdfCheck, run, tempDir, writeTemp } from '../documents/tools';

jest.setTimeout(90_000);

let ca: TestCa;
let tsa: LocalTsa;
let flow: Awaited<ReturnType<typeof twoSignerIou>>;
let lta: LongTermResult;
let final: Buffer;
let nss: string;
let dir: string;
let rootFp: string;
let files: { root: string; tsaChain: string };

interface SigInFile {
  name: string;
  byteRange: [number, number, number, number];
  der: Buffer;
}

/** The signatures of a file as a validator finds them: field name, byte range, /Contents DER. */
const signaturesIn = async (bytes: Uint8Array): Promise<SigInFile[]> => {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return signatureFields(doc).map((f) => ({
    name: f.name,
    byteRange: byteRangeOf(f.sig) as [number, number, number, number],
    der: contentsDer(contentsOf(f.sig)!)!,
  }));
};

const verify = (bytes: Uint8Array, fp = rootFp) => verifyPdf(bytes, { trustedRootSha256: fp, requireLevel: 'B-LTA' });

const codesOf = (r: VerifyReport, field: string) => r.signatures.find((s) => s.fieldName === field)!.failures.map((f) => f.code);

/** Replaces the DER in a signature's /Contents gap (same place, zero padding kept). */
const withContents = (bytes: Buffer, sig: SigInFile, der: Buffer): Buffer => {
  const [, gapStart, gapEnd] = sig.byteRange;
  const room = (gapEnd - gapStart - 2) / 2;
  if (der.length > room) throw new Error('does not fit');
  const out = Buffer.from(bytes);
  out.write(Buffer.concat([der, Buffer.alloc(room - der.length)]).toString('hex').toUpperCase(), gapStart + 1, 'latin1');
  return out;
};

beforeAll(async () => {
  ca = newCa();
  tsa = await LocalTsa.forPlatformCa(ca.ca, new MovableClock());
  flow = await twoSignerIou(ca.ca, { tsa });
  lta = await addLongTermValidation(flow.borrower.bytes, { ca: ca.ca, tsa, now: new Date() });
  final = Buffer.from(lta.bytes);
  nss = nssDbTrusting(ca.pems.rootCertPem);
  dir = tempDir('esign-pades-');
  rootFp = fingerprintHex(pemToDer(ca.pems.rootCertPem));
  files = {
    root: writeTemp(dir, 'root.pem', ca.pems.rootCertPem),
    tsaChain: writeTemp(dir, 'tsa.pem', tsa.certificatePem + ca.pems.issuingCertPem),
  };
});

describe('E1 the completed IOU, read by independent tools', () => {
  test('pdfsig (fresh NSS db trusting the platform root): both party signatures ETSI.CAdES.detached, valid, trusted; the last is the document timestamp', () => {
    const file = writeTemp(dir, 'final.pdf', final);
    expect(qpdfCheck(file).status).toBe(0);
    const out = pdfsig(file, nss);
    expect(out.signatures.map((s) => s.fieldName)).toEqual(['Sig_lender', 'Sig_borrower', 'DocTimeStamp_1']);
    for (const s of out.signatures.slice(0, 2)) {
      expect(s).toMatchObject({
        signatureType: 'ETSI.CAdES.detached',
        signatureValidation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
        totalDocumentSigned: false,
      });
    }
    const last = out.signatures[2]!;
    expect(last.commonName).toBe('个人电子签平台时间戳服务 TSA');
    expect(last.totalDocumentSigned).toBe(true);
    // poppler 22.12 lists ETSI.RFC3161 fields but cannot validate them ("Signature Type: unknown",
    // "Unable to validate this type of signature"); OpenSSL verifies the token below.
    expect(['ETSI.RFC3161', 'unknown']).toContain(last.signatureType);
  });

  test('openssl ts -verify accepts every timestamp token: each signature timestamp over its signature value, the document timestamp over the signed ranges', async () => {
    const sigs = await signaturesIn(final);
    expect(sigs).toHaveLength(3);
    for (const s of sigs.slice(0, 2)) {
      const cms = parseCmsSignedData(s.der);
      const token = cms.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)!.values[0]!;
      const tok = writeTemp(dir, `${s.name}.tst`, token);
      const digest = createHash('sha256').update(cms.signature).digest('hex');
      const r = run('openssl', ['ts', '-verify', '-in', tok, '-token_in', '-digest', digest, '-CAfile', files.root, '-untrusted', files.tsaChain]);
      expect(`${s.name}: ${r.stdout.trim()}`).toBe(`${s.name}: Verification: OK`);
    }
    const doc = sigs[2]!;
    const [a, b, c, d] = doc.byteRange;
    const data = writeTemp(dir, 'doc-ranges.bin', Buffer.concat([final.subarray(a, a + b), final.subarray(c, c + d)]));
    const tok = writeTemp(dir, 'doc.tst', doc.der);
    const r = run('openssl', ['ts', '-verify', '-in', tok, '-token_in', '-data', data, '-CAfile', files.root, '-untrusted', files.tsaChain]);
    expect(r.stdout.trim()).toBe('Verification: OK');
    expect(c + d).toBe(final.length);
  });

  test('qpdf --json: the catalog’s /DSS holds the chain’s certificates and the CRLs (which OpenSSL verifies), a VRI per signature; the timestamp is /DocTimeStamp ETSI.RFC3161', () => {
    const file = writeTemp(dir, 'final-json.pdf', final);
    const r = run('qpdf', ['--json', '--json-stream-data=inline', file]);
    expect(r.status).toBe(0);
    const objects = JSON.parse(r.stdout).qpdf[1] as Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown>; data: string } }>;
    const obj = (ref: string) => objects[`obj:${ref}`]!;
    const root = obj(String((objects.trailer!.value as { '/Root': string })['/Root'])).value!;
    const dss = obj(root['/DSS'] as string).value!;
    const certs = (dss['/Certs'] as string[]).map((ref) => Buffer.from(obj(ref).stream!.data, 'base64'));
    const crls = (dss['/CRLs'] as string[]).map((ref) => Buffer.from(obj(ref).stream!.data, 'base64'));
    const fps = certs.map(fingerprintHex);
    // Root, issuing CA, the two one-time signer certificates and the TSA's.
    expect(certs).toHaveLength(5);
    expect(fps).toContain(rootFp);
    expect(fps).toContain(fingerprintHex(pemToDer(ca.pems.issuingCertPem)));
    expect(fps).toContain(fingerprintHex(pemToDer(tsa.certificatePem)));
    expect(lta.dss).toEqual({ certificates: 5, crls: 2, vri: 2 });
    // The issuing CA's CRL (made at completion) and the root's (from the key ceremony).
    expect(crls).toHaveLength(2);
    const crlFile = writeTemp(dir, 'dss-crls.pem', crls.map((c) => derToPem(c, 'X509 CRL')).join(''));
    const leaf = writeTemp(dir, 'leaf.pem', derToPem(certs.find((c) => ![rootFp, fingerprintHex(pemToDer(ca.pems.issuingCertPem))].includes(fingerprintHex(c)))!));
    const ok = run('openssl', ['verify', '-crl_check_all', '-CRLfile', crlFile, '-CAfile', files.root, '-untrusted', writeTemp(dir, 'issuing.pem', ca.pems.issuingCertPem), '-purpose', 'any', leaf]);
    expect(ok.stdout.trim()).toBe(`${leaf}: OK`);
    const vri = obj(dss['/VRI'] as string).value!;
    expect(Object.keys(vri).filter((k) => /^\/[0-9A-F]{40}$/.test(k))).toHaveLength(2);
    const sigDicts = Object.values(objects).map((o) => o.value).filter((v) => v?.['/Type'] === '/DocTimeStamp');
    expect(sigDicts).toHaveLength(1);
    expect(sigDicts[0]!['/SubFilter']).toBe('/ETSI.RFC3161');
  });

  test('our verifier: valid at B-LTA with only the root fingerprint configured; signing times are the TSA’s', async () => {
    const report = await verify(final);
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.level).toBe('B-LTA');
    expect(report.trustedRoots).toEqual([rootFp]);
    expect(report.signatures.map((s) => [s.fieldName, s.kind, s.valid, s.signingTimeSource])).toEqual([
      ['Sig_lender', 'signature', true, 'timestamp'],
      ['Sig_borrower', 'signature', true, 'timestamp'],
      ['DocTimeStamp_1', 'document-timestamp', true, 'timestamp'],
    ]);
    for (const s of report.signatures) expect(s.timestamp).toMatchObject({ imprint: true, signature: true, chain: true, valid: true });
    expect(report.signatures[2]!.signingTime).toBe(lta.timestampTime);
    expect(report.dss).toEqual({ certificates: 5, crls: 2, vri: 2 });
    // The same file before completion is B-T: each signature timestamped, no DSS yet.
    const bt = await verifyPdf(flow.borrower.bytes, { trustedRootSha256: rootFp });
    expect([bt.valid, bt.level]).toEqual([true, 'B-T']);
    expect(codesOf(await verify(flow.borrower.bytes), 'Sig_lender')).toEqual([]);
    expect(failureCodes(await verify(flow.borrower.bytes))).toEqual(['LEVEL_NOT_REACHED']);
  });

  test('a later revision (a platform stamp after settling) and a second completion keep everything valid: DSS merged, second document timestamp', async () => {
    const { signAs } = await import('../documents/signing-fixture');
    const settled = await signAs(final, { ...flow.rendered, signatureAreas: [{ ...flow.rendered.signatureAreas[0]!, fieldName: 'Sig_platform_settled' }] }, ca.ca, {
      fieldName: 'Sig_platform_settled',
      name: '电子签平台',
      idNumber: 'PLATFORM',
      signingTime: new Date(),
      appearance: { kind: 'vector', drawing: (await import('../../shared/documents/seal')).createPersonalSeal('双方结清', 'round') },
    }, { tsa });
    const again = await addLongTermValidation(settled.bytes, { ca: ca.ca, tsa, now: new Date() });
    expect(again.fieldName).toBe('DocTimeStamp_2');
    const report = await verify(again.bytes);
    expect(report.problems).toEqual([]);
    expect([report.valid, report.level]).toEqual([true, 'B-LTA']);
    expect(report.dss).toEqual({ certificates: 6, crls: 3, vri: 4 });
    const out = pdfsig(writeTemp(dir, 'settled.pdf', again.bytes), nss);
    expect(out.signatures.filter((s) => s.signatureType === 'ETSI.CAdES.detached').map((s) => [s.signatureValidation, s.certificateValidation])).toEqual(
      Array(3).fill(['Signature is Valid.', 'Certificate is Trusted.']),
    );
  });

  test('a TSA that fails makes the signature and the completion fail (typed provider error), never a signature without its timestamp', async () => {
    const down = await LocalTsa.forPlatformCa(ca.ca, new MovableClock());
    down.unavailable = true;
    await expect(twoSignerIou(ca.ca, { tsa: down })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'tsa', providerCode: 'UNREACHABLE' } });
    await expect(addLongTermValidation(flow.borrower.bytes, { ca: ca.ca, tsa: down, now: new Date() })).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  test('the root CRL is optional: without it the DSS has the issuing CA’s CRL and the file stops at B-T (revocation of the issuing CA unknown)', async () => {
    const noRootCrl = { ...ca.ca, rootCrlDer: undefined };
    const r = await addLongTermValidation(flow.borrower.bytes, { ca: noRootCrl, tsa, now: new Date() });
    expect(r.dss.crls).toBe(1);
    const report = await verifyPdf(r.bytes, { trustedRootSha256: rootFp });
    expect([report.valid, report.level]).toEqual([true, 'B-T']);
  });
});

describe('E1 npm run verify (offline CLI) with the published root fingerprint', () => {
  const tsx = `${__dirname}/../../node_modules/.bin/tsx`;
  const cli = `${__dirname}/../../scripts/verify-pdf.ts`;

  test('exit 0 at B-LTA with --root-sha256; 1 with another fingerprint or when the level is not reached; the cause is printed', async () => {
    const good = writeTemp(dir, 'cli-final.pdf', final);
    const colonFp = rootFp.toUpperCase().match(/../g)!.join(':');
    const ok = run(tsx, [cli, good, '--root-sha256', colonFp, '--require', 'B-LTA']);
    expect(ok.stdout).toContain('PAdES: B-LTA');
    expect(ok.stdout).toContain('文档时间戳 Document timestamp #3: DocTimeStamp_1  有效 VALID');
    expect(ok.stdout).toContain('（时间戳 RFC 3161 timestamp）');
    expect(ok.stdout).toContain(`受信任根证书 Trusted root (SHA-256): ${rootFp}`);
    expect(ok.status).toBe(0);
    const bt = run(tsx, [cli, writeTemp(dir, 'cli-bt.pdf', flow.borrower.bytes), '--root-sha256', rootFp, '--require', 'B-LTA']);
    expect(bt.status).toBe(1);
    expect(bt.stdout).toContain('[LEVEL_NOT_REACHED]');
    const other = run(tsx, [cli, good, '--root-sha256', fingerprintHex(pemToDer(newCa().pems.rootCertPem))]);
    expect(other.status).toBe(1);
    expect(other.stdout).toContain('[UNTRUSTED_CHAIN]');
    expect(run(tsx, [cli, good, '--require', 'B-X']).status).toBe(2);
  });
});

describe('E1 tampering: the verifier names the check that failed', () => {
  test('one byte flipped in a signed range: every digest and the document timestamp imprint fail; pdfsig agrees', async () => {
    const at = final.indexOf('841.89');
    expect(at).toBeLessThan(flow.rendered.bytes.length);
    const tampered = Buffer.from(final);
    tampered[at + 1] = '5'.charCodeAt(0);
    const report = await verify(tampered);
    expect(report.valid).toBe(false);
    expect(codesOf(report, 'Sig_lender')).toContain('DIGEST_MISMATCH');
    expect(codesOf(report, 'Sig_borrower')).toContain('DIGEST_MISMATCH');
    expect(codesOf(report, 'DocTimeStamp_1')).toContain('TIMESTAMP_IMPRINT_MISMATCH');
    // The timestamps over the signature values still hold: they never covered the page.
    expect(report.signatures[0]!.timestamp?.valid).toBe(true);
    const out = pdfsig(writeTemp(dir, 't-byte.pdf', tampered), nss);
    expect(out.signatures.slice(0, 2).map((s) => s.signatureValidation)).toEqual(['Digest Mismatch.', 'Digest Mismatch.']);
  });

  test('bytes changed inside /Contents, in the embedded root copy (no digest covers it): ROOT_COPY_ALTERED', async () => {
    const sig = (await signaturesIn(final)).find((s) => s.name === 'Sig_borrower')!;
    const rootDer = pemToDer(ca.pems.rootCertPem);
    const at = sig.der.indexOf(rootDer);
    expect(at).toBeGreaterThan(0);
    const cn = rootDer.indexOf(Buffer.from('Root CA'));
    const der = Buffer.from(sig.der);
    der[at + cn] = 'X'.charCodeAt(0); // the root's issuer "…Root CA" → "…Xoot CA": still DER, no longer the root
    const tampered = withContents(final, sig, der);
    const report = await verify(tampered);
    expect(report.valid).toBe(false);
    expect(codesOf(report, 'Sig_borrower')).toContain('ROOT_COPY_ALTERED');
    expect(report.signatures.find((s) => s.fieldName === 'Sig_borrower')!.checks.certificates).toBe(false);
    expect(report.signatures.find((s) => s.fieldName === 'Sig_borrower')!.problems.join()).toContain('根证书副本');
    expect(codesOf(report, 'Sig_lender')).toEqual([]);
    // (pdfsig still says "Trusted" here: NSS builds the chain from its own database copy of the
    // root and ignores the altered one in the file — the file has been changed all the same.)
  });

  test('bytes changed inside /Contents, in the embedded issuing CA certificate: CERTIFICATE_ALTERED', async () => {
    const sig = (await signaturesIn(final)).find((s) => s.name === 'Sig_lender')!;
    const issuingDer = pemToDer(ca.pems.issuingCertPem);
    const at = sig.der.indexOf(issuingDer);
    const der = Buffer.from(sig.der);
    const last = at + issuingDer.length - 3; // inside the issuing certificate's signature value
    der[last] = der[last]! ^ 0x01;
    const report = await verify(withContents(final, sig, der));
    expect(codesOf(report, 'Sig_lender')).toContain('CERTIFICATE_ALTERED');
    expect(report.valid).toBe(false);
  });

  test('an OID flipped (SignerInfo signatureAlgorithm ecdsa-with-SHA256 → SHA384): ALGORITHM_MISMATCH, not a "valid" signature', async () => {
    const sig = (await signaturesIn(final)).find((s) => s.name === 'Sig_lender')!;
    const sha256Oid = Buffer.from('06082a8648ce3d040302', 'hex');
    // The last ecdsa-with-SHA256 in the SignerInfo part (after the certificates): the signer's.
    const signerInfoAt = sig.der.lastIndexOf(sha256Oid, sig.der.length - 1);
    const cms = parseCmsSignedData(sig.der);
    expect(cms.signatureAlgorithm).toBe(OID.ecdsaWithSHA256);
    const der = Buffer.from(sig.der);
    // Find the occurrence that parses back as the SignerInfo's algorithm.
    let flipped: Buffer | undefined;
    for (let i = signerInfoAt; i >= 0 && !flipped; i = sig.der.lastIndexOf(sha256Oid, i - 1)) {
      const candidate = Buffer.from(der);
      candidate[i + sha256Oid.length - 1] = 0x03;
      try {
        if (parseCmsSignedData(candidate).signatureAlgorithm === OID.ecdsaWithSHA384) flipped = candidate;
      } catch {
        // that occurrence was elsewhere (inside a certificate)
      }
    }
    expect(flipped).toBeDefined();
    const report = await verify(withContents(final, sig, flipped!));
    expect(codesOf(report, 'Sig_lender')).toContain('ALGORITHM_MISMATCH');
    expect(report.signatures[0]!.checks.signature).toBe(false);
    expect(report.signatures[0]!.problems.join()).toContain('1.2.840.10045.4.3.3');
  });

  test('a BER re-encoding of the CMS (same meaning, not DER) in /Contents: NOT_DER', async () => {
    const sig = (await signaturesIn(final)).find((s) => s.name === 'Sig_borrower')!;
    const der = sig.der;
    expect(der[1]).toBe(0x82);
    // Outer length in three length octets instead of two: valid BER, refused as DER.
    const ber = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)]);
    const report = await verify(withContents(final, sig, ber));
    expect(codesOf(report, 'Sig_borrower')).toContain('NOT_DER');
    expect(report.valid).toBe(false);
  });

  test('a signature timestamp transplanted from other data (a valid token of the same TSA): TIMESTAMP_IMPRINT_MISMATCH', async () => {
    const sig = (await signaturesIn(final)).find((s) => s.name === 'Sig_borrower')!;
    const ci = AsnConvert.parse(sig.der, ContentInfo);
    const sd = AsnConvert.parse(ci.content, SignedData);
    const other = Buffer.from(await tsa.timestamp(createHash('sha256').update('something else').digest(), 'sha256'));
    sd.signerInfos[0]!.unsignedAttrs = [new Attribute({ attrType: OID.signatureTimeStampToken, attrValues: [new Uint8Array(other).buffer] })];
    const der = Buffer.from(AsnConvert.serialize(new ContentInfo({ contentType: OID.signedData, content: AsnConvert.serialize(sd) })));
    const report = await verify(withContents(final, sig, der));
    expect(codesOf(report, 'Sig_borrower')).toContain('TIMESTAMP_IMPRINT_MISMATCH');
    expect(report.signatures[1]!.checks.digest).toBe(true);
    expect(report.signatures[1]!.signingTimeSource).toBe('claimed');
  });

  test('bytes appended after the last revision: APPENDED_BYTES (not mistaken for an unsigned revision)', async () => {
    const report = await verify(Buffer.concat([final, Buffer.from('\n% unsigned note\n')]));
    expect(report.valid).toBe(false);
    expect(failureCodes(report)).toContain('APPENDED_BYTES');
    expect(failureCodes(report)).not.toContain('UNSIGNED_REVISION');
    expect(report.signatures.every((s) => s.failures.length === 0)).toBe(true);
  });

  test('an unsigned incremental update after the document timestamp: UNSIGNED_REVISION, with what it changed', async () => {
    const doc = await PDFDocument.load(final, { forIncrementalUpdate: true, updateMetadata: false });
    doc.getPage(0).drawText('PAID', { x: 300, y: 600, size: 30, color: rgb(1, 0, 0) });
    const tampered = await doc.save({ useObjectStreams: false });
    const report = await verify(tampered);
    expect(failureCodes(report)).toContain('UNSIGNED_REVISION');
    expect(failureCodes(report)).not.toContain('APPENDED_BYTES');
    expect(report.signatures[2]!.laterChanges.join('\n')).toMatch(/Page .* \/Contents/);
  });

  test('the trust anchor is the configured fingerprint, never the file: another fingerprint → UNTRUSTED_CHAIN naming the file’s root', async () => {
    const other = fingerprintHex(pemToDer(newCa().pems.rootCertPem));
    const report = await verify(final, other);
    expect(report.valid).toBe(false);
    expect(codesOf(report, 'Sig_lender')).toContain('UNTRUSTED_CHAIN');
    expect(report.signatures[0]!.problems.join()).toContain(`不是配置的根证书`);
    expect(report.signatures[0]!.checks).toMatchObject({ digest: true, signature: true, chain: false });
  });

  test('a certificate revoked in the DSS CRL: REVOKED', async () => {
    const serial = (await verifyPdf(final, { trustedRootSha256: rootFp })).signatures[0]!.certificate!.serialNumberHex;
    const crl = await issueIssuingCrl(ca.ca, new Date(), [{ serialNumberHex: serial, revokedAt: new Date(), reason: 'keyCompromise' }]);
    const r = await addLongTermValidation(flow.borrower.bytes, { ca: ca.ca, tsa, now: new Date(), extraCrls: [crl] });
    const report = await verifyPdf(r.bytes, { trustedRootSha256: rootFp });
    expect(codesOf(report, 'Sig_lender')).toContain('REVOKED');
    expect(codesOf(report, 'Sig_borrower')).toEqual([]);
  });
});
