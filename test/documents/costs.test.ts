/**
 * The avoidable costs issue 17 removed stay removed, and what replaced them writes the same
 * documents: native compression (node:zlib, never fflate), seals drawn once per name, one hash
 * pass per signed file, a just-issued key and certificate used as they are.
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { PDFDocument, PDFRawStream, PDFName } from '@cantoo/pdf-lib';
import { renderIou } from '../../shared/documents/iou-document';
import { createPersonalSeal } from '../../shared/documents/seal';
import { deriveSignerIdentifier, issueSignerCertificate } from '../../shared/documents/ca';
import { signPdf } from '../../shared/documents/sign';
import { verifyPdf } from '../../shared/documents/verify';
import { sampleIou } from './fixtures';
import { newCa, twoSignerIou } from './signing-fixture';

jest.setTimeout(60_000);

const flateStreams = async (bytes: Uint8Array) => {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.context
    .enumerateIndirectObjects()
    .map(([, o]) => o)
    .filter((o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.get(PDFName.of('Filter'))?.toString() === '/FlateDecode');
};

test('issue 17: rendering and signing compress with node:zlib — fflate\'s deflate is never called — and every stream inflates', async () => {
  const fflate = require('fflate') as { zlibSync: (...a: unknown[]) => unknown };
  const spy = jest.spyOn(fflate, 'zlibSync');
  try {
    const { rendered, borrower } = await twoSignerIou(newCa().ca);
    expect(spy).not.toHaveBeenCalled();
    for (const bytes of [rendered.bytes, borrower.bytes]) {
      const streams = await flateStreams(bytes);
      expect(streams.length).toBeGreaterThan(3); // page contents, font files, appearances
      for (const s of streams) expect(inflateSync(s.contents).length).toBeGreaterThan(0);
    }
  } finally {
    spy.mockRestore();
  }
});

test('issue 17: the same render twice is byte for byte the same file (native compression is deterministic)', async () => {
  const a = await renderIou(sampleIou());
  const b = await renderIou(sampleIou());
  expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  expect(a.sha256).toBe(createHash('sha256').update(a.bytes).digest('hex'));
});

test('issue 17: a seal is drawn once per name and shape, and the drawing handed out cannot be changed', () => {
  const a = createPersonalSeal('张三');
  expect(createPersonalSeal('张三')).toBe(a);
  expect(createPersonalSeal('张三', 'round')).not.toBe(a);
  expect(createPersonalSeal('李四')).not.toBe(a);
  expect(Object.isFrozen(a) && Object.isFrozen(a.shapes) && Object.isFrozen(a.shapes[0]!.path)).toBe(true);
  expect(() => (a.shapes as unknown as unknown[]).push({})).toThrow(TypeError);
  // Refusals are not cached as seals.
  expect(() => createPersonalSeal('\u{30000}')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  expect(() => createPersonalSeal('\u{30000}')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
});

test('issue 17: a just-issued certificate signs with its own key object and DER; the one-pass hash is the file\'s SHA-256', async () => {
  const { ca, pems } = newCa();
  const rendered = await renderIou(sampleIou());
  const area = rendered.signatureAreas[0]!;
  const signingTime = new Date();
  const cert = await issueSignerCertificate(ca, { name: '张三', identifier: deriveSignerIdentifier('s', '11010519491231002X'), signingTime });
  expect(cert.certDer.equals(Buffer.from(cert.certPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))).toBe(true);
  expect(cert.privateKey.asymmetricKeyType).toBe('ec');
  const signed = await signPdf(rendered.bytes, {
    fieldName: area.fieldName, placement: area, signer: { certPem: cert.certPem, certDer: cert.certDer, keyPem: cert.privateKey, chainPems: cert.chainPems },
    reason: '签署借条', signingTime, appearance: { kind: 'vector', drawing: createPersonalSeal('张三') },
  });
  expect(signed.sha256).toBe(createHash('sha256').update(signed.bytes).digest('hex'));
  const report = await verifyPdf(signed.bytes, { trustedRootPem: pems.rootCertPem });
  expect(report.valid).toBe(true);
  // The PEM is still there for whoever needs it, and it is that same key.
  expect(cert.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  // A mismatched pair is still refused before anything is written.
  const other = await issueSignerCertificate(ca, { name: '李四', identifier: deriveSignerIdentifier('s', '310101199001011234'), signingTime });
  await expect(signPdf(rendered.bytes, {
    fieldName: area.fieldName, placement: area, signer: { certPem: cert.certPem, certDer: cert.certDer, keyPem: other.privateKey, chainPems: cert.chainPems },
    reason: '签署借条', signingTime, appearance: { kind: 'vector', drawing: createPersonalSeal('张三') },
  })).rejects.toThrow(/does not match/);
});

test('issue 17: the CMS carries the certificates as the DER they are, in DER SET order, and is strict DER throughout', async () => {
  const { ContentInfo, SignedData } = await import('@peculiar/asn1-cms');
  const { encode, parseStrict } = await import('../../shared/documents/asn1');
  const { buildCmsSignedData } = await import('../../shared/documents/cms');
  const { ca } = newCa();
  const cert = await issueSignerCertificate(ca, { name: '张三', identifier: deriveSignerIdentifier('s', '11010519491231002X'), signingTime: new Date() });
  const chain = cert.chainPems.map((p) => Buffer.from(p.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
  const cms = buildCmsSignedData({ contentDigest: createHash('sha256').update('x').digest(), signerCertDer: cert.certDer, chainDers: chain, privateKey: cert.privateKey, signingTime: new Date(), includeSigningTime: false });
  const info = parseStrict(cms, ContentInfo, 'ContentInfo'); // re-encodes and compares: strict DER
  const sd = parseStrict(Buffer.from(info.content), SignedData, 'SignedData');
  const embedded = (sd.certificates ?? []).map((c) => encode(c.certificate));
  expect(embedded).toEqual([cert.certDer, ...chain].sort(Buffer.compare));
  expect(sd.signerInfos).toHaveLength(1);
});

test('issue 17: a just-issued certificate\'s description, issuer and serial (kept from its build) are exactly what parsing it gives', async () => {
  const { describeCertificate, parseCertificate, certificateIssuerSerial } = await import('../../shared/documents/x509');
  const { ca } = newCa();
  for (const name of ['张三', '欧阳娜娜', 'Zhang San', '阿依古丽·买买提']) {
    const cert = await issueSignerCertificate(ca, { name, identifier: deriveSignerIdentifier('s', `${name}-id`), signingTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) });
    const copy = Buffer.from(cert.certDer); // another Buffer: nothing remembered, parsed afresh
    expect(cert.info).toEqual(describeCertificate(copy));
    expect(describeCertificate(cert.certDer)).toEqual(describeCertificate(copy));
    const parsed = parseCertificate(copy);
    expect(certificateIssuerSerial(cert.certDer)).toEqual({ issuerNameDer: parsed.issuerNameDer, serialNumber: parsed.serialNumber });
    expect(() => new (require('node:crypto').X509Certificate)(cert.certDer)).not.toThrow();
  }
});

test('issue 17: the assembled CMS is byte for byte the SignedData the schema library encodes (detached, with signingTime, and a timestamp token\'s eContent)', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const cms = await import('@peculiar/asn1-cms');
  const { Certificate, Name } = await import('@peculiar/asn1-x509');
  const { OctetString } = await import('@peculiar/asn1-schema');
  const { encode, parseStrict, sortForSet, toArrayBuffer, AnySet } = await import('../../shared/documents/asn1');
  const { buildCmsSignedData } = await import('../../shared/documents/cms');
  const { OID } = await import('../../shared/documents/oids');
  const { parseCertificate } = await import('../../shared/documents/x509');
  const { ca } = newCa();
  const cert = await issueSignerCertificate(ca, { name: '张三', identifier: deriveSignerIdentifier('s', '11010519491231002X'), signingTime: new Date() });
  const chain = cert.chainPems.map((p) => Buffer.from(p.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
  // RSA PKCS#1 v1.5 signatures are deterministic, so both encodings can be compared byte for byte.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const digest = createHash('sha256').update('content').digest();
  const signingTime = new Date(Date.UTC(2026, 2, 1, 2, 3, 4));
  for (const variant of [{ includeSigningTime: false }, { includeSigningTime: true }, { includeSigningTime: true, eContent: { type: OID.tstInfo ?? '1.2.840.113549.1.9.16.1.4', der: Buffer.from('3003020101', 'hex') } }]) {
    const ours = buildCmsSignedData({ contentDigest: digest, signerCertDer: cert.certDer, chainDers: chain, privateKey, signingTime, ...variant });
    // The reference: everything through the schema (the implementation before issue 17).
    const p = parseCertificate(Buffer.from(cert.certDer));
    const oid = (v: string) => {
      class V { value = v; }
      const { AsnType, AsnTypeTypes, AsnProp, AsnPropTypes } = require('@peculiar/asn1-schema');
      AsnType({ type: AsnTypeTypes.Choice })(V);
      AsnProp({ type: AsnPropTypes.ObjectIdentifier })(V.prototype, 'value');
      return encode(new V());
    };
    const attr = (type: string, value: Buffer) => new cms.Attribute({ attrType: type, attrValues: [toArrayBuffer(value)] });
    const ess = (await import('../../shared/documents/asn1'));
    const v2 = encode(new ess.SigningCertificateV2({ certs: [new ess.EssCertIdV2({ certHash: new OctetString(createHash('sha256').update(cert.certDer).digest()), issuerSerial: new ess.IssuerSerial({ issuer: new (require('@peculiar/asn1-x509').GeneralNames)([new (require('@peculiar/asn1-x509').GeneralName)({ directoryName: parseStrict(p.issuerNameDer, Name, 'issuer') })]), serialNumber: toArrayBuffer(p.serialNumber) }) })] }));
    const contentType = variant.eContent?.type ?? OID.data;
    const { Time } = require('@peculiar/asn1-x509');
    const attrs = sortForSet([
      attr(OID.contentType, oid(contentType)),
      ...(variant.includeSigningTime ? [attr(OID.signingTime, encode(new Time(signingTime)))] : []),
      attr(OID.messageDigest, encode(new OctetString(digest))),
      attr(OID.signingCertificateV2, v2),
    ]);
    const signature = require('node:crypto').sign('sha256', encode(new AnySet(attrs.map((a) => toArrayBuffer(encode(a))))), privateKey);
    const dig = new cms.DigestAlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1' });
    const signerInfo = new cms.SignerInfo({
      version: cms.CMSVersion.v1,
      sid: new cms.SignerIdentifier({ issuerAndSerialNumber: new cms.IssuerAndSerialNumber({ issuer: parseStrict(p.issuerNameDer, Name, 'issuer'), serialNumber: toArrayBuffer(p.serialNumber) }) }),
      digestAlgorithm: dig, signedAttrs: attrs,
      signatureAlgorithm: new cms.SignatureAlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: null }),
      signature: new OctetString(signature),
    });
    const sd = new cms.SignedData({
      version: contentType === OID.data ? cms.CMSVersion.v1 : cms.CMSVersion.v3,
      digestAlgorithms: new cms.DigestAlgorithmIdentifiers([dig]),
      encapContentInfo: new cms.EncapsulatedContentInfo({ eContentType: contentType, ...(variant.eContent ? { eContent: new cms.EncapsulatedContent({ single: new OctetString(variant.eContent.der) }) } : {}) }),
      certificates: new cms.CertificateSet(sortForSet([cert.certDer, ...chain].map((d) => new cms.CertificateChoices({ certificate: parseStrict(d, Certificate, 'certificate') })))),
      signerInfos: new cms.SignerInfos([signerInfo]),
    });
    const reference = encode(new cms.ContentInfo({ contentType: OID.signedData, content: toArrayBuffer(encode(sd)) }));
    expect(ours.toString('hex')).toBe(reference.toString('hex'));
  }
});

test('issue 17: downloading or emailing a contract loads no PDF code until a preview must be rendered', () => {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '../..');
  const loaded = (mod: string) =>
    Number(execFileSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e',
      `require(${JSON.stringify(path.join(root, mod))}); process.stdout.write(String(Object.keys(require.cache).filter((k) => /@cantoo[\\/\\\\](pdf-lib|fontkit)/.test(k)).length))`], { cwd: root, encoding: 'utf8' }));
  expect(loaded('shared/operations/contract-download')).toBe(0);
  expect(loaded('shared/operations/contract-email')).toBe(0);
  // The check can see pdf-lib: an operation that always renders loads it.
  expect(loaded('shared/operations/contract-sign')).toBeGreaterThan(0);
});
