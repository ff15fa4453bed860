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
import { certificateIssuerSerial, parseCertificate, signatureAlgorithmFor, wasBuiltHere } from './x509';

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

/**
 * CMS SignedData (RFC 5652) with one signer. The small values (attributes, algorithm identifiers,
 * OIDs) are encoded through the schema library; the structure around them is assembled here from
 * those encodings — the certificates as the DER they are — so nothing is encoded twice (the
 * schema encoder was most of a signature's time, issue 17). costs.test.ts checks the bytes
 * against the same SignedData encoded wholly through the schema.
 */
export const buildCmsSignedData = (req: CmsSignRequest): Buffer => {
  const hash = req.digestAlgorithm ?? 'sha256';
  if (hash !== 'sha256' && req.privateKey.asymmetricKeyType === 'ec') throw new Error('EC signatures here are ecdsa-with-SHA256 only');
  const cert = certificateIssuerSerial(req.signerCertDer);
  const contentType = req.eContent?.type ?? OID.data;
  // The signature covers the attributes encoded as a DER SET (tag 0x31, elements in DER order); in
  // the SignerInfo the same content sits under the [0] IMPLICIT tag.
  const attrs = [
    attribute(OID.contentType, oidDer(contentType)),
    ...(req.includeSigningTime ? [attribute(OID.signingTime, encodeTime(req.signingTime))] : []),
    attribute(OID.messageDigest, tlv(0x04, req.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(req.signerCertDer)),
  ]
    .map((a) => encode(a))
    .sort(Buffer.compare);
  const signature = cryptoSign(hash, tlv(0x31, ...attrs), req.privateKey);
  const digestAlgorithm = cached(`digest:${hash}`, () => encode(digestAlgorithmId(hash)));
  const signerInfo = tlv(
    0x30,
    integer(CMSVersion.v1),
    tlv(0x30, cert.issuerNameDer, tlv(0x02, cert.serialNumber)), // sid: issuerAndSerialNumber
    digestAlgorithm,
    tlv(0xa0, ...attrs),
    cached(`signature:${keyKind(req.privateKey)}`, () => encode(cmsSignatureAlgorithm(req.privateKey))),
    tlv(0x04, signature),
  );
  // The certificates as the DER they are; one made here (x509.ts buildCertificate) is known good,
  // any other is checked to be a certificate (memoized: the CA's are checked once).
  const certDers = [req.signerCertDer, ...req.chainDers].map((der) => {
    if (!wasBuiltHere(der)) parseShared(der, Certificate, 'certificate');
    return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  });
  const signedData = tlv(
    0x30,
    // RFC 5652 §5.1: version 3 when the content is not id-data (a TSTInfo), else 1.
    integer(contentType === OID.data ? CMSVersion.v1 : CMSVersion.v3),
    tlv(0x31, digestAlgorithm),
    tlv(0x30, oidDer(contentType), ...(req.eContent ? [tlv(0xa0, tlv(0x04, req.eContent.der))] : [])),
    tlv(0xa0, ...certDers.sort(Buffer.compare)),
    tlv(0x31, signerInfo),
  );
  return tlv(0x30, oidDer(OID.signedData), tlv(0xa0, signedData));
};

const derLength = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

/** One DER element: tag, definite length, the parts' bytes. */
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const content = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
};

/** A small non-negative INTEGER (a version). */
const integer = (n: number): Buffer => Buffer.from([0x02, 0x01, n]);

const constants = new Map<string, Buffer>();
const cached = (key: string, make: () => Buffer): Buffer => {
  let v = constants.get(key);
  if (!v) constants.set(key, (v = make()));
  return v;
};
const oidDer = (oid: string): Buffer => cached(`oid:${oid}`, () => encode(new ObjectIdentifierValue(oid)));
const keyKind = (key: KeyObject): string => `${key.asymmetricKeyType}:${key.asymmetricKeyDetails?.namedCurve ?? ''}`;


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
