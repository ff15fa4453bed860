/**
 * CMS SignedData (RFC 5652) for detached PDF signatures: built by hand and signed with
 * node:crypto. The SignerInfo identifies the certificate by issuerAndSerialNumber whose bytes are
 * copied verbatim from the certificate — libraries that re-encode the issuer Name (e.g. from a
 * PKCS#12) turn UTF8String CA names into something else and every validator then fails to find
 * the signer.
 */
import { createHash, KeyObject, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import {
  child,
  decodeOid,
  decodeTime,
  DerNode,
  explicit,
  implicitConstructed,
  nullValue,
  octetString,
  oid,
  parseDerPrefix,
  sequence,
  setOf,
  smallInteger,
  TAG,
  time,
  tlv,
} from './der';
import { HASH_BY_OID, OID } from './oids';
import { parseCertificate, signatureAlgorithmFor } from './x509';

export interface CmsSignRequest {
  /** SHA-256 of the signed byte ranges. */
  contentDigest: Buffer;
  signerCertDer: Buffer;
  /** Further certificates to carry (issuing CA, root) so validators can build the chain. */
  chainDers: readonly Buffer[];
  privateKey: KeyObject;
  signingTime: Date;
  /**
   * PAdES (ETSI.CAdES.detached) forbids the signingTime attribute — the time is the /M entry
   * of the signature dictionary instead; adbe.pkcs7.detached carries it in the CMS.
   */
  includeSigningTime: boolean;
}

const attribute = (type: string, value: Buffer) => sequence(oid(type), setOf(value));

/** ESS signingCertificateV2: binds the signer certificate (hash + issuer/serial) into the signature. */
const signingCertificateV2 = (certDer: Buffer): Buffer => {
  const cert = parseCertificate(certDer);
  const hash = createHash('sha256').update(certDer).digest();
  // hashAlgorithm is omitted: SHA-256 is the DEFAULT, and DER forbids encoding defaults.
  const issuerSerial = sequence(sequence(explicit(4, cert.issuerNameDer)), cert.serialNumberDer);
  return sequence(sequence(sequence(octetString(hash), issuerSerial)));
};

export const buildCmsSignedData = (req: CmsSignRequest): Buffer => {
  const cert = parseCertificate(req.signerCertDer);
  const sha256 = sequence(oid(OID.sha256), nullValue());
  const attrs = [
    attribute(OID.contentType, oid(OID.data)),
    ...(req.includeSigningTime ? [attribute(OID.signingTime, time(req.signingTime))] : []),
    attribute(OID.messageDigest, octetString(req.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(req.signerCertDer)),
  ];
  // The signature covers the attributes encoded as a DER SET (tag 0x31); in the SignerInfo the
  // same content sits under the [0] IMPLICIT tag.
  const signedAttrsContent = Buffer.concat(attrs.sort(Buffer.compare));
  const signedAttrsSet = tlv(TAG.SET, signedAttrsContent);
  const signature = cryptoSign('sha256', signedAttrsSet, req.privateKey);
  const signerInfo = sequence(
    smallInteger(1),
    sequence(cert.issuerNameDer, cert.serialNumberDer),
    sha256,
    implicitConstructed(0, signedAttrsContent),
    cmsSignatureAlgorithm(req.privateKey),
    octetString(signature),
  );
  const certificates = [req.signerCertDer, ...req.chainDers];
  const signedData = sequence(
    smallInteger(1),
    setOf(sha256),
    sequence(oid(OID.data)),
    implicitConstructed(0, Buffer.concat([...certificates].sort(Buffer.compare))),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
};

/** RSA signatures use the plain rsaEncryption identifier, as most PDF signers do; EC uses ecdsa-with-SHA256. */
const cmsSignatureAlgorithm = (key: KeyObject): Buffer =>
  key.asymmetricKeyType === 'rsa' ? sequence(oid(OID.rsaEncryption), nullValue()) : signatureAlgorithmFor(key);

// ---------------------------------------------------------------------------------------------
// Parsing (verification side)

export interface ParsedCms {
  certificates: Buffer[];
  digestAlgorithm: 'sha256' | 'sha384' | 'sha512';
  /** issuerAndSerialNumber of the signer, verbatim. */
  signerIssuerDer: Buffer;
  signerSerialDer: Buffer;
  /** The signed attributes re-tagged as a SET: the exact bytes the signature covers. */
  signedAttrsDer: Buffer;
  contentType?: string;
  messageDigest?: Buffer;
  signingTime?: Date;
  /** certHash from signingCertificateV2 (SHA-256), if present. */
  signingCertificateHash?: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
}

export const parseCmsSignedData = (der: Buffer): ParsedCms => {
  const contentInfo = parseDerPrefix(der);
  if (decodeOid(child(contentInfo, 0, TAG.OID)) !== OID.signedData) throw new Error('CMS: not SignedData');
  const signedData = child(child(contentInfo, 1, 0xa0), 0, TAG.SEQUENCE);
  const digestAlgorithms = child(signedData, 1, TAG.SET);
  let i = 3;
  const certificates: Buffer[] = [];
  while (signedData.children[i] && signedData.children[i]!.tag !== TAG.SET) {
    const node = signedData.children[i]!;
    if (node.tag === 0xa0) certificates.push(...node.children.filter((c) => c.tag === TAG.SEQUENCE).map((c) => Buffer.from(c.raw)));
    i++;
  }
  const signerInfos = child(signedData, i, TAG.SET);
  if (signerInfos.children.length !== 1) throw new Error('CMS: expected exactly one SignerInfo');
  const si = child(signerInfos, 0, TAG.SEQUENCE);
  const sid = child(si, 1, TAG.SEQUENCE);
  const digestAlgOid = decodeOid(child(child(si, 2, TAG.SEQUENCE), 0, TAG.OID));
  const digestAlgorithm = HASH_BY_OID[digestAlgOid];
  if (!digestAlgorithm) throw new Error(`CMS: unsupported digest ${digestAlgOid}`);
  if (!digestAlgorithms.children.some((a) => decodeOid(child(a, 0)) === digestAlgOid)) {
    throw new Error('CMS: signer digest algorithm not listed in SignedData');
  }
  const attrsNode = child(si, 3);
  if (attrsNode.tag !== 0xa0) throw new Error('CMS: signed attributes are required');
  const signedAttrsDer = Buffer.concat([Buffer.from([TAG.SET]), attrsNode.raw.subarray(1)]);
  const result: ParsedCms = {
    certificates,
    digestAlgorithm,
    signerIssuerDer: Buffer.from(child(sid, 0, TAG.SEQUENCE).raw),
    signerSerialDer: Buffer.from(child(sid, 1, TAG.INTEGER).raw),
    signedAttrsDer,
    signatureAlgorithm: decodeOid(child(child(si, 4, TAG.SEQUENCE), 0, TAG.OID)),
    signature: Buffer.from(child(si, 5, TAG.OCTET_STRING).content),
  };
  const seen = new Set<string>();
  for (const attr of attrsNode.children) {
    const type = decodeOid(child(attr, 0, TAG.OID));
    // RFC 5652 §11: each of these attributes must appear once with one value.
    if (seen.has(type)) throw new Error(`CMS: duplicate attribute ${type}`);
    seen.add(type);
    const values = child(attr, 1, TAG.SET);
    const value: DerNode = child(values, 0);
    if (type === OID.contentType) result.contentType = decodeOid(value);
    else if (type === OID.messageDigest) result.messageDigest = Buffer.from(value.content);
    else if (type === OID.signingTime) result.signingTime = decodeTime(value);
    else if (type === OID.signingCertificateV2) {
      const essCertIdV2 = child(child(value, 0, TAG.SEQUENCE), 0, TAG.SEQUENCE);
      const first = child(essCertIdV2, 0);
      // A non-default hash algorithm would come first as an AlgorithmIdentifier SEQUENCE.
      if (first.tag === TAG.OCTET_STRING) result.signingCertificateHash = Buffer.from(first.content);
    }
  }
  return result;
};

/** Verifies the SignerInfo signature over the signed attributes with the given certificate's key. */
export const verifyCmsSignature = (cms: ParsedCms, cert: X509Certificate): boolean => {
  const hash = cms.digestAlgorithm;
  try {
    return cryptoVerify(hash, cms.signedAttrsDer, cert.publicKey, cms.signature);
  } catch {
    return false;
  }
};
