import { createHash, X509Certificate } from 'node:crypto';
import {
  deriveSignerIdentifier,
  generatePlatformCa,
  issueIssuingCrl,
  issueSignerCertificate,
  type SignerCertificate,
  issueTsaCertificate,
  loadPlatformCa,
} from '../../shared/documents/ca';
import { parseCrl, verifyCrl } from '../../shared/documents/crl';
import { buildCmsSignedData, parseCmsSignedData, verifyCmsSignature } from '../../shared/documents/cms';
import { Certificate } from '@peculiar/asn1-x509';
import { AnySet, parseStrict } from '../../shared/documents/asn1';
import { OID } from '../../shared/documents/oids';
import { derToPem, describeCertificate, parseCertificate, pemToDer } from '../../shared/documents/x509';
import { run, tempDir, writeTemp } from './tools';
import { createPrivateKey } from 'node:crypto';

const pems = generatePlatformCa({ organization: '测试电子签平台', rootCommonName: '测试根证书', issuingCommonName: '测试签名证书' });
const ca = loadPlatformCa(pems);
const signingTime = new Date('2026-03-01T08:00:00Z');
let signer: SignerCertificate;
beforeAll(async () => {
  signer = await issueSignerCertificate(ca, {
    name: '欧阳娜娜',
    identifier: deriveSignerIdentifier('platform-secret', '11010519491231002x'),
    signingTime,
  });
});

/** The string type of every subject attribute value, by OID (read from the DER, not from Node's display). */
const subjectTags = (pem: string): Record<string, string> => {
  const cert = parseStrict(pemToDer(pem), Certificate, 'certificate');
  return Object.fromEntries(
    cert.tbsCertificate.subject.map((rdn) => {
      const v = rdn[0]!.value;
      return [rdn[0]!.type, v.utf8String !== undefined ? 'UTF8String' : v.printableString !== undefined ? 'PrintableString' : 'other'];
    }),
  );
};

describe('platform CA', () => {
  test('root → issuing → signer chain verifies with Node and OpenSSL semantics', () => {
    const root = new X509Certificate(pems.rootCertPem);
    const issuing = new X509Certificate(pems.issuingCertPem);
    const leaf = new X509Certificate(signer.certPem);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(issuing.checkIssued(root) && issuing.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(issuing) && leaf.verify(issuing.publicKey)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(false);
    expect([root.ca, issuing.ca, leaf.ca]).toEqual([true, true, false]);
    expect(signer.chainPems).toEqual([ca.issuingPem, ca.rootPem]);
  });

  test('Chinese names are UTF8String; country and identifier PrintableString', () => {
    expect(subjectTags(signer.certPem)).toEqual({
      [OID.country]: 'PrintableString',
      [OID.commonName]: 'UTF8String',
      [OID.serialNumber]: 'PrintableString',
    });
    expect(subjectTags(pems.issuingCertPem)[OID.organization]).toBe('UTF8String');
    const info = describeCertificate(signer.certPem);
    expect(info.subject.commonName).toBe('欧阳娜娜');
    expect(info.issuer).toEqual({ commonName: '测试签名证书', organization: '测试电子签平台', country: 'CN' });
  });

  test('the signer certificate is short-lived, for signing only, and its issuer name is the CA subject verbatim', () => {
    const p = parseCertificate(pemToDer(signer.certPem));
    expect(p.notBefore.getTime()).toBeLessThanOrEqual(signingTime.getTime());
    expect(p.notBefore.getTime()).toBeGreaterThan(signingTime.getTime() - 3600_000);
    expect(p.notAfter.getTime() - signingTime.getTime()).toBeLessThanOrEqual(366 * 24 * 3600_000);
    expect(p.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(p.extKeyUsage).toEqual([OID.kpEmailProtection, OID.kpDocumentSigning]);
    expect(p.isCa).toBe(false);
    expect(p.issuerNameDer.equals(parseCertificate(pemToDer(pems.issuingCertPem)).subjectNameDer)).toBe(true);
    expect(describeCertificate(signer.certPem).keyAlgorithm).toBe('ECDSA P-256');
  });

  test('each signing event gets its own key and serial number', async () => {
    const again = await issueSignerCertificate(ca, { name: '欧阳娜娜', identifier: 'A'.repeat(32), signingTime });
    expect(again.keyPem).not.toBe(signer.keyPem);
    expect(describeCertificate(again.certPem).serialNumberHex).not.toBe(describeCertificate(signer.certPem).serialNumberHex);
  });

  test('the identifier is a keyed hash of the ID number: stable, case-insensitive, not the number', () => {
    const id = deriveSignerIdentifier('platform-secret', '11010519491231002X');
    expect(id).toBe(describeCertificate(signer.certPem).subject.identifier);
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(deriveSignerIdentifier('other-secret', '11010519491231002X')).not.toBe(id);
    expect(signer.certPem).not.toContain('11010519491231002X');
    expect(pemToDer(signer.certPem).includes(Buffer.from('11010519491231002'))).toBe(false);
  });

  test('an ID number (or anything short) is refused as identifier', async () => {
    await expect(issueSignerCertificate(ca, { name: '张三', identifier: '11010519491231002X', signingTime })).rejects.toThrow(/identifier/);
    await expect(issueSignerCertificate(ca, { name: '张三', identifier: 'abc', signingTime })).rejects.toThrow(/identifier/);
    await expect(issueSignerCertificate(ca, { name: ' ', identifier: 'A'.repeat(32), signingTime })).rejects.toThrow(/name/);
  });

  test('inconsistent configuration is refused at load', () => {
    const other = generatePlatformCa();
    expect(() => loadPlatformCa({ ...pems, issuingKeyPem: other.issuingKeyPem })).toThrow(/does not match/);
    expect(() => loadPlatformCa({ ...pems, rootCertPem: other.rootCertPem })).toThrow(/not signed by the root/);
  });

  test('generated PEMs round-trip through configuration', () => {
    const reloaded = loadPlatformCa({ rootCertPem: pems.rootCertPem, issuingCertPem: pems.issuingCertPem, issuingKeyPem: pems.issuingKeyPem });
    expect(reloaded.issuing.fingerprint256).toBe(ca.issuing.fingerprint256);
    expect(pems.rootKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });
});

describe('CMS SignedData', () => {
  const digest = createHash('sha256').update('contract bytes').digest();
  const build = (includeSigningTime: boolean) =>
    buildCmsSignedData({
      contentDigest: digest,
      signerCertDer: pemToDer(signer.certPem),
      chainDers: signer.chainPems.map(pemToDer),
      privateKey: createPrivateKey(signer.keyPem),
      signingTime,
      includeSigningTime,
    });

  test('round-trips: attributes, certificates, issuer and serial copied verbatim, signature verifies', () => {
    const cms = parseCmsSignedData(build(true));
    const cert = parseCertificate(pemToDer(signer.certPem));
    expect(cms.signerIssuerDer.equals(cert.issuerNameDer)).toBe(true);
    expect(cms.signerSerial.equals(cert.serialNumber)).toBe(true);
    expect(cms.messageDigest?.equals(digest)).toBe(true);
    expect(cms.contentType).toBe(OID.data);
    expect(cms.signingTime?.toISOString()).toBe(signingTime.toISOString());
    expect(cms.signingCertificateHash?.equals(createHash('sha256').update(pemToDer(signer.certPem)).digest())).toBe(true);
    expect(cms.certificates).toHaveLength(3);
    expect(cms.signatureAlgorithm).toBe(OID.ecdsaWithSHA256);
    expect(verifyCmsSignature(cms, new X509Certificate(signer.certPem))).toBe(true);
    expect(verifyCmsSignature(cms, new X509Certificate(pems.issuingCertPem))).toBe(false);
  });

  test('PAdES mode leaves the signingTime attribute out', () => {
    expect(parseCmsSignedData(build(false)).signingTime).toBeUndefined();
  });

  test('signed attributes are a DER SET: sorted, so re-encoding verifiers compute the same bytes', () => {
    const attrs = parseStrict(parseCmsSignedData(build(true)).signedAttrsDer, AnySet, 'signed attributes');
    const encodings = attrs.map((c) => Buffer.from(c));
    expect([...encodings].sort(Buffer.compare)).toEqual(encodings);
  });
});

describe('E1 revocation data and the TSA certificate, checked by OpenSSL', () => {
  const dir = tempDir('esign-ca-');
  const rootFile = writeTemp(dir, 'root.pem', pems.rootCertPem);
  const issuingFile = writeTemp(dir, 'issuing.pem', pems.issuingCertPem);
  let leafFile: string;
  beforeAll(() => {
    leafFile = writeTemp(dir, 'leaf.pem', signer.certPem);
  });

  test('the root CRL (offline ceremony) and the issuing CA CRL verify and let OpenSSL check the whole chain', async () => {
    expect(pems.rootCrlPem).toMatch(/BEGIN X509 CRL/);
    const issuingCrl = await issueIssuingCrl(ca, new Date());
    const crlFile = writeTemp(dir, 'crls.pem', pems.rootCrlPem! + derToPem(issuingCrl, 'X509 CRL'));
    const ok = run('openssl', ['verify', '-crl_check_all', '-CRLfile', crlFile, '-CAfile', rootFile, '-untrusted', issuingFile, leafFile]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(`${leafFile}: OK`);
    const parsed = parseCrl(issuingCrl);
    expect(verifyCrl(parsed, ca.issuing, ca.issuingSubjectDer)).toBe(true);
    expect(verifyCrl(parsed, ca.root, parseCertificate(ca.rootDer).subjectNameDer)).toBe(false);
    expect(parsed.revokedSerials).toEqual([]);
  });

  test('a revoked signer certificate is listed and OpenSSL refuses it', async () => {
    const serial = describeCertificate(signer.certPem).serialNumberHex;
    const crl = await issueIssuingCrl(ca, new Date(), [{ serialNumberHex: serial, revokedAt: new Date(), reason: 'keyCompromise' }]);
    expect(parseCrl(crl).revokedSerials).toEqual([serial]);
    const crlFile = writeTemp(dir, 'revoked.pem', pems.rootCrlPem! + derToPem(crl, 'X509 CRL'));
    const r = run('openssl', ['verify', '-crl_check_all', '-CRLfile', crlFile, '-CAfile', rootFile, '-untrusted', issuingFile, leafFile]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('certificate revoked');
  });

  test('the TSA certificate: timeStamping only, critical, under the issuing CA — OpenSSL accepts it for purpose timestampsign', async () => {
    const tsa = await issueTsaCertificate(ca, { now: new Date() });
    const p = parseCertificate(pemToDer(tsa.certPem));
    expect(p.extKeyUsage).toEqual([OID.kpTimeStamping]);
    expect(p.extKeyUsageCritical).toBe(true);
    expect(p.isCa).toBe(false);
    const tsaFile = writeTemp(dir, 'tsa.pem', tsa.certPem);
    const r = run('openssl', ['verify', '-purpose', 'timestampsign', '-CAfile', rootFile, '-untrusted', issuingFile, tsaFile]);
    expect(r.stdout.trim()).toBe(`${tsaFile}: OK`);
    // A document signer certificate is no TSA certificate.
    expect(run('openssl', ['verify', '-purpose', 'timestampsign', '-CAfile', rootFile, '-untrusted', issuingFile, leafFile]).status).not.toBe(0);
  });

  test('certificates are strict DER: a BER long-form length is refused by name', () => {
    const der = pemToDer(signer.certPem);
    // Re-encode the outer SEQUENCE length with one more length octet: same meaning, not DER.
    const n = der[1]! & 0x7f;
    const len = der.readUIntBE(2, n);
    const ber = Buffer.concat([Buffer.from([0x30, 0x80 | (n + 1), 0]), Buffer.from(der.subarray(2, 2 + n)), der.subarray(2 + n)]);
    expect(ber.readUIntBE(3, n)).toBe(len);
    expect(() => parseCertificate(ber)).toThrow(/not the DER encoding/);
  });
});
