import { createHash, X509Certificate } from 'node:crypto';
import {
  deriveSignerIdentifier,
  generatePlatformCa,
  issueSignerCertificate,
  loadPlatformCa,
} from '../../shared/documents/ca';
import { buildCmsSignedData, parseCmsSignedData, verifyCmsSignature } from '../../shared/documents/cms';
import { child, decodeOid, parseDer, TAG } from '../../shared/documents/der';
import { OID } from '../../shared/documents/oids';
import { describeCertificate, parseCertificate, pemToDer } from '../../shared/documents/x509';
import { createPrivateKey } from 'node:crypto';

const pems = generatePlatformCa({ organization: '测试电子签平台', rootCommonName: '测试根证书', issuingCommonName: '测试签名证书' });
const ca = loadPlatformCa(pems);
const signingTime = new Date('2026-03-01T08:00:00Z');
const signer = issueSignerCertificate(ca, {
  name: '欧阳娜娜',
  identifier: deriveSignerIdentifier('platform-secret', '11010519491231002x'),
  signingTime,
});

/** The string type of every subject attribute value, by OID. */
const subjectTags = (pem: string): Record<string, number> => {
  const tbs = child(parseDer(pemToDer(pem)), 0);
  const subject = child(tbs, 5, TAG.SEQUENCE);
  return Object.fromEntries(subject.children.map((rdn) => [decodeOid(child(child(rdn, 0), 0)), child(child(rdn, 0), 1).tag]));
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
      [OID.country]: TAG.PRINTABLE_STRING,
      [OID.commonName]: TAG.UTF8_STRING,
      [OID.serialNumber]: TAG.PRINTABLE_STRING,
    });
    expect(subjectTags(pems.issuingCertPem)[OID.organization]).toBe(TAG.UTF8_STRING);
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

  test('each signing event gets its own key and serial number', () => {
    const again = issueSignerCertificate(ca, { name: '欧阳娜娜', identifier: 'A'.repeat(32), signingTime });
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

  test('an ID number (or anything short) is refused as identifier', () => {
    expect(() => issueSignerCertificate(ca, { name: '张三', identifier: '11010519491231002X', signingTime })).toThrow(/identifier/);
    expect(() => issueSignerCertificate(ca, { name: '张三', identifier: 'abc', signingTime })).toThrow(/identifier/);
    expect(() => issueSignerCertificate(ca, { name: ' ', identifier: 'A'.repeat(32), signingTime })).toThrow(/name/);
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
    expect(cms.signerSerialDer.equals(cert.serialNumberDer)).toBe(true);
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
    const attrs = parseDer(parseCmsSignedData(build(true)).signedAttrsDer);
    const encodings = attrs.children.map((c) => Buffer.from(c.raw));
    expect([...encodings].sort(Buffer.compare)).toEqual(encodings);
  });
});
