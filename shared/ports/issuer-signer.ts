/**
 * The issuing CA's signing key as the certificate and CRL code sees it: something that signs a
 * to-be-signed structure, wherever the key is. Locally (and in the cloud without KMS) it wraps a
 * node:crypto key object read from configuration or SSM (documents/x509.ts keyObjectSigner); in
 * the cloud with ESIGN_CA_KMS_KEY_ID it is Tencent KMS's SignByAsymmetricKey
 * (shared/adapters/tencentcloud/kms-signer.ts), so the private key never enters a function's
 * memory, environment or package (C10).
 *
 * May import: nothing.
 */

export interface IssuerSigner {
  /**
   * The key's type, which fixes the signature algorithm of what it signs: 'ec' (P-256,
   * ecdsa-with-SHA256) or 'rsa' (sha256WithRSAEncryption).
   */
  readonly keyType: 'ec' | 'rsa';
  /** The signature over `tbsDer` with SHA-256, DER-encoded as X.509 carries it (ECDSA: SEQUENCE { r, s }). */
  sign(tbsDer: Buffer): Promise<Buffer>;
}

/**
 * Makes the issuing CA's signer once its certificate is known (the adapter checks every signature
 * against the certificate's public key before it is used).
 */
export type IssuerSignerFactory = (issuingCertPem: string) => IssuerSigner;
