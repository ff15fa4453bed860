/**
 * Certificate revocation lists (RFC 5280 §5) on the @peculiar/asn1-x509 schemas: the platform's
 * CAs issue them (the issuing CA for signer and TSA certificates, the offline root for the
 * issuing CA), and the completed contract carries them in its DSS, so a validator years later
 * can see the certificates were not revoked without asking us.
 *
 * May import: ./asn1, ./oids, ./x509, ../ports/issuer-signer (a type), @peculiar/asn1-*, node:crypto.
 */
import { KeyObject, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLNumber,
  CRLReason,
  CRLReasons,
  Extension,
  KeyIdentifier,
  Name,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from '@peculiar/asn1-x509';
import { OctetString } from '@peculiar/asn1-schema';
import type { IssuerSigner } from '../ports/issuer-signer';
import { encode, parseStrict, toArrayBuffer } from './asn1';
import { HashName, OID } from './oids';
import { signatureAlgorithmFor, wholeSeconds } from './x509';

export interface RevokedEntry {
  /** Serial number as upper-case hex (as CertificateInfo.serialNumberHex shows it). */
  serialNumberHex: string;
  revokedAt: Date;
  reason?: 'keyCompromise' | 'cACompromise' | 'superseded' | 'cessationOfOperation';
}

export interface CrlRequest {
  /** The issuer's subject Name, verbatim from its certificate. */
  issuerNameDer: Buffer;
  /** A key in memory (the offline root ceremony) or the issuing CA's signer (KMS in the cloud). */
  issuerKey: KeyObject | IssuerSigner;
  issuerKeyId: Buffer;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing per issuer (RFC 5280 §5.2.3); seconds since the epoch serve. */
  crlNumber: number;
  revoked?: readonly RevokedEntry[];
}

const serialBytes = (hex: string): Buffer => {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) throw new Error(`bad serial number ${hex}`);
  const b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
};

/** A CRL signed with a key in memory (the offline root's, at the key ceremony). */
export const issueCrl = (req: CrlRequest & { issuerKey: KeyObject }): Buffer => {
  const c = prepareCrl(req);
  return c.finish(cryptoSign('sha256', c.tbsDer, req.issuerKey));
};

/** A CRL signed by the issuing CA's signer, wherever its key is. */
export const signCrl = async (req: CrlRequest): Promise<Buffer> => {
  const c = prepareCrl(req);
  return c.finish(req.issuerKey instanceof KeyObject ? cryptoSign('sha256', c.tbsDer, req.issuerKey) : await req.issuerKey.sign(c.tbsDer));
};

const prepareCrl = (req: CrlRequest): { tbsDer: Buffer; finish(signature: Buffer): Buffer } => {
  const sigAlg = signatureAlgorithmFor(req.issuerKey);
  const revoked = (req.revoked ?? []).map(
    (r) =>
      new RevokedCertificate({
        userCertificate: toArrayBuffer(serialBytes(r.serialNumberHex)),
        revocationDate: new Time(wholeSeconds(r.revokedAt)),
        ...(r.reason
          ? { crlEntryExtensions: [new Extension({ extnID: '2.5.29.21', critical: false, extnValue: new OctetString(encode(new CRLReason(CRLReasons[r.reason]))) })] }
          : {}),
      }),
  );
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: sigAlg,
    issuer: parseStrict(req.issuerNameDer, Name, 'CRL issuer'),
    thisUpdate: new Time(wholeSeconds(req.thisUpdate)),
    nextUpdate: new Time(wholeSeconds(req.nextUpdate)),
    ...(revoked.length ? { revokedCertificates: revoked } : {}),
    crlExtensions: [
      new Extension({
        extnID: OID.authorityKeyIdentifier,
        critical: false,
        extnValue: new OctetString(encode(new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(req.issuerKeyId) }))),
      }),
      new Extension({ extnID: OID.cRLNumber, critical: false, extnValue: new OctetString(encode(new CRLNumber(req.crlNumber))) }),
    ],
  });
  return {
    tbsDer: encode(tbs),
    finish: (signature) => encode(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: sigAlg, signature: toArrayBuffer(signature) })),
  };
};

export interface ParsedCrl {
  der: Buffer;
  tbsDer: Buffer;
  issuerNameDer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Upper-case hex serials, leading zero bytes dropped. */
  revokedSerials: string[];
  signatureAlgorithm: string;
  signature: Buffer;
}

export const parseCrl = (der: Buffer): ParsedCrl => {
  const crl = parseStrict(der, CertificateList, 'CRL');
  const tbs = crl.tbsCertList;
  return {
    der,
    tbsDer: encode(tbs),
    issuerNameDer: encode(tbs.issuer),
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate?.getTime(),
    revokedSerials: (tbs.revokedCertificates ?? []).map((r) => {
      let b = Buffer.from(r.userCertificate);
      while (b.length > 1 && b[0] === 0) b = b.subarray(1);
      return b.toString('hex').toUpperCase();
    }),
    signatureAlgorithm: crl.signatureAlgorithm.algorithm,
    signature: Buffer.from(crl.signature),
  };
};

const HASH_OF_SIGNATURE_ALG: Readonly<Record<string, HashName>> = {
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

/** The hash behind an X.509 signature algorithm, or undefined for one we do not accept. */
export const hashOfSignatureAlgorithm = (oid: string): HashName | undefined => HASH_OF_SIGNATURE_ALG[oid];

/** The CRL was signed by `issuer` (same Name, signature verifies). */
export const verifyCrl = (crl: ParsedCrl, issuer: X509Certificate, issuerSubjectDer: Buffer): boolean => {
  const hash = hashOfSignatureAlgorithm(crl.signatureAlgorithm);
  if (!hash || !crl.issuerNameDer.equals(issuerSubjectDer)) return false;
  try {
    return cryptoVerify(hash, crl.tbsDer, issuer.publicKey, crl.signature);
  } catch {
    return false;
  }
};
