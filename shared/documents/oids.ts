/** Object identifiers used by our certificates, CRLs, CMS signatures and timestamps (one place, named). */
export const OID = {
  // Name attributes (X.520)
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',

  // Key and signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // Extensions (RFC 5280)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  /** RFC 3161 §2.3: a TSA certificate carries only this extended key usage, marked critical. */
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  /** RFC 9336 id-kp-documentSigning. */
  kpDocumentSigning: '1.3.6.1.5.5.7.3.36',

  // CMS (RFC 5652), ESS (RFC 5035) and timestamps (RFC 3161)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** id-ct-TSTInfo: the encapsulated content of a timestamp token. */
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  /** id-aa-signatureTimeStampToken: unsigned attribute holding a timestamp over the signature value (PAdES B-T). */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  /**
   * The policy our embedded (local, development) TSA stamps under: an arc of IANA's example
   * enterprise number 32473 (RFC 5612), since that TSA is no one's production service; a
   * production TSA states its own policy. (A UUID arc, 2.25.<128-bit>, would not do: asn1js reads
   * arcs beyond 2^53 wrongly — the strict re-encoding check caught it.)
   */
  localTsaPolicy: '1.3.6.1.4.1.32473.3161.1',
} as const;

export type HashName = 'sha256' | 'sha384' | 'sha512';

export const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const OID_BY_HASH: Readonly<Record<HashName, string>> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** Byte length of each digest: a messageDigest or imprint of another length is malformed. */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };
