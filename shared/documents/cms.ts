/**
 * CMS SignedData (RFC 5652) on the @peculiar/asn1-cms schemas, signed with node:crypto: the
 * detached signatures of PDF revisions (PAdES, ETSI.CAdES.detached) and the encapsulated
 * signatures inside timestamp tokens (RFC 3161: eContent is the TSTInfo).
 *
 * The SignerInfo identifies the certificate by issuerAndSerialNumber; the issuer Name is parsed
 * from the certificate and re-encoded, which is byte-identical only because the certificate was
 * read strictly (asn1.ts) — a lax reader that turned UTF8String CA names into something else
 * would make every validator miss the signer.
 *
 * May import: ./asn1, ./oids, ./x509, @peculiar/asn1-*, node:crypto.
 */
import { createHash, KeyObject, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import {
  Attribute,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from '@peculiar/asn1-cms';
import { Certificate, GeneralName, GeneralNames, Name, Time } from '@peculiar/asn1-x509';
import { AnySet, encode, EssCertIdV2, IssuerSerial, parseShared, parseStrict, SigningCertificateV2, sortForSet, toArrayBuffer } from './asn1';
import { HASH_BY_OID, HASH_LENGTH, HashName, OID, OID_BY_HASH } from './oids';
import { certificateIssuerSerial, parseCertificate, signatureAlgorithmFor } from './x509';

export interface CmsSignRequest {
  /** Digest of the signed content: the PDF byte ranges (detached), or the eContent. */
  contentDigest: Buffer;
  signerCertDer: Buffer;
  /** Further certificates to carry (issuing CA, root) so validators can build the chain. */
  chainDers: readonly Buffer[];
  privateKey: KeyObject;
  signingTime: Date;
  /**
   * PAdES (ETSI.CAdES.detached) forbids the signingTime attribute — the trusted time comes from
   * the signature timestamp; adbe.pkcs7.detached and timestamp tokens may carry it.
   */
  includeSigningTime: boolean;
  /** Default SHA-256. */
  digestAlgorithm?: HashName;
  /** Encapsulated content (a timestamp token's TSTInfo); absent for a detached signature. */
  eContent?: { type: string; der: Buffer };
}

const attribute = (type: string, ...values: Buffer[]) =>
  new Attribute({ attrType: type, attrValues: values.map((v) => toArrayBuffer(v)) });

/** ESS signingCertificateV2: binds the signer certificate (hash + issuer/serial) into the signature. */
const signingCertificateV2 = (certDer: Buffer): Buffer => {
  const cert = certificateIssuerSerial(certDer);
  return encode(
    new SigningCertificateV2({
      certs: [
        new EssCertIdV2({
          certHash: new OctetString(createHash('sha256').update(certDer).digest()),
          issuerSerial: new IssuerSerial({
            issuer: new GeneralNames([new GeneralName({ directoryName: parseShared(cert.issuerNameDer, Name, 'issuer') })]),
            serialNumber: toArrayBuffer(cert.serialNumber),
          }),
        }),
      ],
    }),
  );
};

const digestAlgorithmId = (hash: HashName) => new DigestAlgorithmIdentifier({ algorithm: OID_BY_HASH[hash] });

/** RSA signatures use the plain rsaEncryption identifier, as most PDF signers do; EC uses ecdsa-with-SHA256. */
const cmsSignatureAlgorithm = (key: KeyObject): SignatureAlgorithmIdentifier =>
  new SignatureAlgorithmIdentifier(
    key.asymmetricKeyType === 'rsa' ? { algorithm: OID.rsaEncryption, parameters: null } : signatureAlgorithmFor(key),
  );

export const buildCmsSignedData = (req: CmsSignRequest): Buffer => {
  const hash = req.digestAlgorithm ?? 'sha256';
  if (hash !== 'sha256' && req.privateKey.asymmetricKeyType === 'ec') throw new Error('EC signatures here are ecdsa-with-SHA256 only');
  const cert = certificateIssuerSerial(req.signerCertDer);
  const contentType = req.eContent?.type ?? OID.data;
  const attrs = sortForSet([
    attribute(OID.contentType, encode(new ObjectIdentifierValue(contentType))),
    ...(req.includeSigningTime ? [attribute(OID.signingTime, encodeTime(req.signingTime))] : []),
    attribute(OID.messageDigest, encode(new OctetString(req.contentDigest))),
    attribute(OID.signingCertificateV2, signingCertificateV2(req.signerCertDer)),
  ]);
  // The signature covers the attributes encoded as a DER SET (tag 0x31); in the SignerInfo the
  // same content sits under the [0] IMPLICIT tag.
  const signedAttrsSet = encode(new AnySet(attrs.map((a) => toArrayBuffer(encode(a)))));
  const signature = cryptoSign(hash, signedAttrsSet, req.privateKey);
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: parseShared(cert.issuerNameDer, Name, 'issuer'),
        serialNumber: toArrayBuffer(cert.serialNumber),
      }),
    }),
    digestAlgorithm: digestAlgorithmId(hash),
    signedAttrs: attrs,
    signatureAlgorithm: cmsSignatureAlgorithm(req.privateKey),
    signature: new OctetString(signature),
  });
  const signedData = new SignedData({
    // RFC 5652 §5.1: version 3 when the content is not id-data (a TSTInfo), else 1.
    version: contentType === OID.data ? CMSVersion.v1 : CMSVersion.v3,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlgorithmId(hash)]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: contentType,
      ...(req.eContent ? { eContent: new EncapsulatedContent({ single: new OctetString(req.eContent.der) }) } : {}),
    }),
    signerInfos: new SignerInfos([signerInfo]),
  });
  // The certificates go in as the DER they are (checked here to be certificates), not parsed into
  // schema objects and encoded again, twice, on every signature (issue 17).
  const certDers = [req.signerCertDer, ...req.chainDers].map((der) => {
    parseShared(der, Certificate, 'certificate');
    return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  });
  const withCertificates = insertCertificateSet(encode(signedData), certDers);
  return encode(new ContentInfo({ contentType: OID.signedData, content: toArrayBuffer(withCertificates) }));
};

/** A DER header at `at`: where the content starts and how long it is (definite lengths only: this is our own DER). */
const derHeader = (b: Buffer, at: number): { contentAt: number; length: number } => {
  const first = b[at + 1]!;
  if (first < 0x80) return { contentAt: at + 2, length: first };
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + b[at + 2 + i]!;
  return { contentAt: at + 2 + n, length };
};

const derLength = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

/**
 * SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT
 * CertificateSet OPTIONAL, crls [1] OPTIONAL, signerInfos }: the certificate set, its elements in
 * DER order (a SET OF sorts by encoding), inserted after the third element of a SignedData
 * encoded without one.
 */
const insertCertificateSet = (signedData: Buffer, certDers: Buffer[]): Buffer => {
  const outer = derHeader(signedData, 0);
  let at = outer.contentAt;
  for (let i = 0; i < 3; i++) {
    const h = derHeader(signedData, at);
    at = h.contentAt + h.length;
  }
  const set = Buffer.concat([...certDers].sort(Buffer.compare));
  const content = Buffer.concat([signedData.subarray(outer.contentAt, at), Buffer.from([0xa0]), derLength(set.length), set, signedData.subarray(at, outer.contentAt + outer.length)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
};

/**
 * The same SignedData with one more unsigned attribute on its (only) signer: how the signature
 * timestamp (PAdES B-T) is attached once the signature value exists. Nothing signed changes.
 */
export const addUnsignedAttribute = (cmsDer: Buffer, type: string, valueDer: Buffer): Buffer => {
  const { signedData } = readSignedData(cmsDer);
  const si = signedData.signerInfos[0];
  if (!si || signedData.signerInfos.length !== 1) throw new Error('CMS: expected exactly one SignerInfo');
  si.unsignedAttrs = sortForSet([...(si.unsignedAttrs ?? []), attribute(type, valueDer)]);
  return encode(new ContentInfo({ contentType: OID.signedData, content: toArrayBuffer(encode(signedData)) }));
};

// ---------------------------------------------------------------------------------------------
// Small values the attributes hold, encoded through the schema library too.

/** A bare OBJECT IDENTIFIER value (the contentType attribute's value). */
class ObjectIdentifierValue {
  value = '';
  constructor(value = '') {
    this.value = value;
  }
}
AsnType({ type: AsnTypeTypes.Choice })(ObjectIdentifierValue);
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ObjectIdentifierValue.prototype, 'value');

const encodeTime = (d: Date): Buffer => encode(new Time(new Date(Math.floor(d.getTime() / 1000) * 1000)));

// ---------------------------------------------------------------------------------------------
// Parsing (verification side)

export interface ParsedCms {
  /** The certificate set, each exactly as carried. */
  certificates: Buffer[];
  digestAlgorithm: HashName;
  /** Digest algorithms listed in SignedData (they must include the signer's). */
  digestAlgorithmsListed: string[];
  /** issuerAndSerialNumber of the signer. */
  signerIssuerDer: Buffer;
  signerSerial: Buffer;
  /** The signed attributes re-tagged as a SET: the exact bytes the signature covers. */
  signedAttrsDer: Buffer;
  contentType?: string;
  messageDigest?: Buffer;
  signingTime?: Date;
  /** certHash from signingCertificateV2 (SHA-256), if present. */
  signingCertificateHash?: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  /** Unsigned attributes: type and each value's DER. */
  unsignedAttributes: Array<{ type: string; values: Buffer[] }>;
  /** eContentType and, when encapsulated, the eContent octets (a timestamp token's TSTInfo). */
  eContentType: string;
  eContent?: Buffer;
}

const readSignedData = (der: Buffer): { contentInfo: ContentInfo; signedData: SignedData } => {
  const contentInfo = parseStrict(der, ContentInfo, 'CMS ContentInfo');
  if (contentInfo.contentType !== OID.signedData) throw new Error('CMS: not SignedData');
  const signedData = parseStrict(Buffer.from(contentInfo.content), SignedData, 'CMS SignedData');
  return { contentInfo, signedData };
};

const single = (attr: Attribute): Buffer => {
  // RFC 5652 §11: contentType, messageDigest and signingTime have exactly one value.
  if (attr.attrValues.length !== 1) throw new Error(`CMS: attribute ${attr.attrType} must have one value`);
  return Buffer.from(attr.attrValues[0]!);
};

/** Parses a SignedData strictly (DER only, via asn1.ts); throws Asn1Error or Error with the cause. */
export const parseCmsSignedData = (der: Buffer): ParsedCms => {
  const { signedData } = readSignedData(der);
  if (signedData.signerInfos.length !== 1) throw new Error('CMS: expected exactly one SignerInfo');
  const si = signedData.signerInfos[0]!;
  const ias = si.sid.issuerAndSerialNumber;
  if (!ias) throw new Error('CMS: the signer must be identified by issuer and serial number');
  const digestAlgorithm = HASH_BY_OID[si.digestAlgorithm.algorithm];
  if (!digestAlgorithm) throw new Error(`CMS: unsupported digest algorithm ${si.digestAlgorithm.algorithm}`);
  const listed = signedData.digestAlgorithms.map((a) => a.algorithm);
  if (!listed.includes(si.digestAlgorithm.algorithm)) throw new Error('CMS: signer digest algorithm not listed in SignedData');
  if (!si.signedAttrs?.length) throw new Error('CMS: signed attributes are required');
  // The SignedData was read strictly, so re-encoding the attributes gives back their exact bytes;
  // as a SET they are what the signature covers.
  const signedAttrsDer = encode(new AnySet(si.signedAttrs.map((a) => toArrayBuffer(encode(a)))));
  const certificates = (signedData.certificates ?? []).flatMap((c) => (c.certificate ? [encode(c.certificate)] : []));
  const result: ParsedCms = {
    certificates,
    digestAlgorithm,
    digestAlgorithmsListed: listed,
    signerIssuerDer: encode(ias.issuer),
    signerSerial: Buffer.from(ias.serialNumber),
    signedAttrsDer,
    signatureAlgorithm: si.signatureAlgorithm.algorithm,
    signature: Buffer.from(si.signature.buffer),
    unsignedAttributes: (si.unsignedAttrs ?? []).map((a) => ({ type: a.attrType, values: a.attrValues.map((v) => Buffer.from(v)) })),
    eContentType: signedData.encapContentInfo.eContentType,
    ...(signedData.encapContentInfo.eContent?.single
      ? { eContent: Buffer.from(signedData.encapContentInfo.eContent.single.buffer) }
      : {}),
  };
  const seen = new Set<string>();
  for (const attr of si.signedAttrs) {
    const type = attr.attrType;
    if (seen.has(type)) throw new Error(`CMS: duplicate attribute ${type}`);
    seen.add(type);
    if (type === OID.contentType) result.contentType = parseStrict(single(attr), ObjectIdentifierValue, 'contentType').value;
    else if (type === OID.messageDigest) {
      result.messageDigest = Buffer.from(parseStrict(single(attr), OctetString, 'messageDigest').buffer);
      if (result.messageDigest.length !== HASH_LENGTH[digestAlgorithm]) throw new Error(`CMS: messageDigest is not a ${digestAlgorithm} digest`);
    } else if (type === OID.signingTime) result.signingTime = parseStrict(single(attr), Time, 'signingTime').getTime();
    else if (type === OID.signingCertificateV2) {
      const v2 = parseStrict(single(attr), SigningCertificateV2, 'signingCertificateV2');
      const first = v2.certs[0];
      // Only the SHA-256 form (hashAlgorithm absent = the DEFAULT) is ours to compare.
      if (first && !first.hashAlgorithm) result.signingCertificateHash = Buffer.from(first.certHash.buffer);
    }
  }
  return result;
};

/**
 * Signature algorithms a SignerInfo may name for a key and digest. A SignerInfo whose
 * signatureAlgorithm says something else (e.g. an OID flipped to ecdsa-with-SHA384 over a SHA-256
 * digest) is refused by name instead of verified as if it said SHA-256.
 */
const ALLOWED_SIGNATURE_ALGORITHMS: Record<string, Record<HashName, readonly string[]>> = {
  ec: { sha256: [OID.ecdsaWithSHA256], sha384: [OID.ecdsaWithSHA384], sha512: [OID.ecdsaWithSHA512] },
  rsa: {
    sha256: [OID.rsaEncryption, OID.sha256WithRSAEncryption],
    sha384: [OID.rsaEncryption, OID.sha384WithRSAEncryption],
    sha512: [OID.rsaEncryption, OID.sha512WithRSAEncryption],
  },
};

/** Why the SignerInfo's algorithms do not fit the certificate's key, or undefined when they do. */
export const signatureAlgorithmProblem = (cms: ParsedCms, cert: X509Certificate): string | undefined => {
  const keyType = cert.publicKey.asymmetricKeyType ?? '?';
  const allowed = ALLOWED_SIGNATURE_ALGORITHMS[keyType]?.[cms.digestAlgorithm];
  if (!allowed) return `证书密钥类型 ${keyType} 不受支持`;
  if (!allowed.includes(cms.signatureAlgorithm)) {
    return `签名算法 OID ${cms.signatureAlgorithm} 与摘要算法 ${cms.digestAlgorithm} 及 ${keyType.toUpperCase()} 密钥不符`;
  }
  return undefined;
};

/** Verifies the SignerInfo signature over the signed attributes with the given certificate's key. */
export const verifyCmsSignature = (cms: ParsedCms, cert: X509Certificate): boolean => {
  if (signatureAlgorithmProblem(cms, cert)) return false;
  try {
    return cryptoVerify(cms.digestAlgorithm, cms.signedAttrsDer, cert.publicKey, cms.signature);
  } catch {
    return false;
  }
};

/** Digest of the encapsulated content, to compare with messageDigest (timestamp tokens). */
export const eContentDigest = (cms: ParsedCms): Buffer | undefined =>
  cms.eContent ? createHash(cms.digestAlgorithm).update(cms.eContent).digest() : undefined;
