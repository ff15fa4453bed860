/**
 * The issuing CA's signer on Tencent KMS (密钥管理系统), API 2019-01-18 SignByAsymmetricKey
 * (https://cloud.tencent.com/document/api/573/52065): a customer key of usage
 * ASYMMETRIC_SIGN_VERIFY_ECC (P-256) signs the SHA-256 digest of each TBSCertificate / TBSCertList
 * (`Algorithm: ECC_P256_R1`, `MessageType: DIGEST` — a digest is always 32 bytes, where RAW
 * messages stop at 4 KB and a CRL can outgrow that). The private key never leaves KMS: no function
 * reads it, holds it in memory or has it in its configuration (C10, issue 16).
 *
 * The key id (ESIGN_CA_KMS_KEY_ID) is configuration, not a secret: only the function role may use
 * it (CAM `kms:SignByAsymmetricKey` on that key alone, docs/DEPLOY.md), with the role's temporary
 * keys like every Tencent Cloud client here (client-options.ts).
 *
 * KMS answers the signature base64-encoded; its documented example is a DER ECDSA-Sig-Value
 * (SEQUENCE { r, s }), which is what X.509 carries; a bare r‖s (64 bytes) is turned into DER.
 * Every signature is verified against the issuing certificate's public key before it is used: a
 * key id pointing at another key (or a rotated one) fails here, by name, instead of issuing
 * certificates that chain to nothing.
 *
 * Only the KMS client of the SDK is imported (the whole SDK takes ~0.8 s to require).
 */
import { createHash, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { Client as KmsClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/v20190118/kms_client';
import type { IssuerSigner } from '../../ports/issuer-signer';
import { providerFailure } from './api-errors';
import { sdkClientConfig, type TencentApiSettings } from './client-options';
import { isThrottled, ProviderFailure } from './provider-error';

/** The KMS algorithm for a P-256 key: ECDSA with SHA-256 (over the digest we send). */
export const KMS_ALGORITHM = 'ECC_P256_R1';

/**
 * The codes after which the same call may succeed later: KMS's InternalError, throttling
 * (100 calls/s per the API page), and failures that never reached KMS. Everything else — a
 * disabled or missing key, a refused permission, a wrong key id, a signature that does not match
 * the certificate — needs an operator, so retrying it only repeats the failure.
 */
export const kmsRetryable = (code: string): boolean =>
  code === 'InternalError' || code.startsWith('InternalError.') || isThrottled(code) || code === 'NetworkError' || /^HTTP5\d\d$/.test(code);

/** An INTEGER's DER for an unsigned big-endian magnitude. */
const derInteger = (magnitude: Buffer): Buffer => {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let body = magnitude.subarray(start);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
};

/** r‖s (IEEE P1363, 2 × 32 bytes) → ECDSA-Sig-Value DER. */
export const p1363ToDer = (sig: Buffer): Buffer => {
  const body = Buffer.concat([derInteger(sig.subarray(0, 32)), derInteger(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
};

export interface KmsSignerSettings {
  /** The KMS key's id (CreateKey's KeyId), ESIGN_CA_KMS_KEY_ID. */
  keyId: string;
}

export class KmsIssuerSigner implements IssuerSigner {
  readonly keyType = 'ec' as const;
  private client: KmsClient | undefined;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly api: TencentApiSettings,
    private readonly settings: KmsSignerSettings,
    issuingCertPem: string,
  ) {
    if (!/^[A-Za-z0-9-]{1,128}$/.test(settings.keyId)) throw new Error('ESIGN_CA_KMS_KEY_ID is not a KMS key id');
    this.publicKey = new X509Certificate(issuingCertPem).publicKey;
    if (this.publicKey.asymmetricKeyType !== 'ec' || this.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('the issuing CA certificate must hold a P-256 key to be signed for by KMS (ECC_P256_R1)');
    }
  }

  private get kms(): KmsClient {
    return (this.client ??= new KmsClient(sdkClientConfig('kms', this.api)));
  }

  async sign(tbsDer: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(tbsDer).digest();
    let answer: { Signature?: string; RequestId?: string };
    try {
      answer = await this.kms.SignByAsymmetricKey({ KeyId: this.settings.keyId, Algorithm: KMS_ALGORITHM, Message: digest.toString('base64'), MessageType: 'DIGEST' });
    } catch (e) {
      const f = providerFailure('kms', e);
      throw new ProviderFailure('kms', f.providerCode, f.providerMessage, f.requestId, kmsRetryable(f.providerCode));
    }
    const answered = Buffer.from(answer.Signature ?? '', 'base64');
    // DER as documented; 64 bytes may also be r‖s (a DER signature is 64 bytes only by rare chance,
    // so each reading is tried against the public key rather than guessed from the bytes).
    const signature = [answered, ...(answered.length === 64 ? [p1363ToDer(answered)] : [])].find((s) => this.verifies(tbsDer, s));
    if (!signature) {
      throw new ProviderFailure('kms', 'SignatureMismatch', `KMS key ${this.settings.keyId} signed with a key that is not the issuing CA certificate's`, answer.RequestId, false);
    }
    return signature;
  }

  private verifies(tbsDer: Buffer, signature: Buffer): boolean {
    try {
      return signature.length > 0 && cryptoVerify('sha256', tbsDer, this.publicKey, signature);
    } catch {
      return false;
    }
  }
}
