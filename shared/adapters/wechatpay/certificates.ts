/**
 * WeChat Pay platform certificates (《下载平台证书》 GET /v3/certificates; 《平台证书更新指引》): the
 * answer lists every certificate in force — during a rotation the old and the new one — each
 * encrypted with the APIv3 key (AEAD_AES_256_GCM, associated_data "certificate"), which is what
 * makes a downloaded certificate authentic; the answer itself is signed by one of them.
 *
 * PlatformKeyRing is the client's and the notification check's verification keys by
 * Wechatpay-Serial: the configured ones (the 微信支付公钥 `PUB_KEY_ID_…` and/or certificates from
 * the settings, kept for good), plus the downloaded certificates, kept old+new until each expires —
 * so a notification signed by the new certificate verifies as soon as WeChat switches, and one
 * signed by the old still does until it lapses.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { AEAD_ALGORITHM, decryptAeadAes256Gcm } from './aead';

export interface PlatformCertificate {
  serialNo: string;
  effectiveTime: string;
  expireTime: string;
  publicKey: KeyObject;
  certificatePem: string;
}

export type CertificatesParse = { ok: true; certificates: PlatformCertificate[] } | { ok: false; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decrypts and checks each entry of a /v3/certificates answer: its serial is its certificate's, RSA, in force by its dates. */
export function parseCertificates(value: unknown, apiV3Key: KeyObject): CertificatesParse {
  if (!isRecord(value) || !Array.isArray(value.data)) return { ok: false, message: 'answer lacks data[]' };
  const out: PlatformCertificate[] = [];
  for (const entry of value.data) {
    if (!isRecord(entry) || !isRecord(entry.encrypt_certificate)) return { ok: false, message: 'entry lacks encrypt_certificate' };
    const { serial_no, effective_time, expire_time } = entry;
    const { algorithm, nonce, associated_data, ciphertext } = entry.encrypt_certificate;
    if (typeof serial_no !== 'string' || typeof effective_time !== 'string' || typeof expire_time !== 'string') return { ok: false, message: 'entry lacks serial_no/effective_time/expire_time' };
    if (algorithm !== AEAD_ALGORITHM || typeof nonce !== 'string' || typeof ciphertext !== 'string') return { ok: false, message: 'unsupported encrypt_certificate' };
    const plain = decryptAeadAes256Gcm(apiV3Key, { nonce, associatedData: typeof associated_data === 'string' ? associated_data : '', ciphertext });
    if (!plain.ok) return { ok: false, message: `certificate ${serial_no} does not decrypt: ${plain.message}` };
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(plain.plaintext);
    } catch {
      return { ok: false, message: `certificate ${serial_no} is not a PEM certificate` };
    }
    if (cert.serialNumber.toUpperCase() !== serial_no.toUpperCase()) return { ok: false, message: `certificate ${serial_no} carries another serial` };
    if (cert.publicKey.asymmetricKeyType !== 'rsa') return { ok: false, message: `certificate ${serial_no} is not RSA` };
    out.push({ serialNo: serial_no.toUpperCase(), effectiveTime: effective_time, expireTime: expire_time, publicKey: cert.publicKey, certificatePem: plain.plaintext });
  }
  return { ok: true, certificates: out };
}

export class PlatformKeyRing extends Map<string, KeyObject> {
  /** Downloaded certificates' expiry, by serial (configured keys have none: they stay). */
  readonly #expires = new Map<string, number>();

  constructor(configured: ReadonlyMap<string, KeyObject>) {
    super(configured);
  }

  /** Adds the certificates in force, drops downloaded ones that expired; old and new stay side by side. */
  merge(certificates: readonly PlatformCertificate[], now: Date): { added: string[]; dropped: string[] } {
    const added: string[] = [];
    for (const c of certificates) {
      const expires = Date.parse(c.expireTime);
      if (!(expires > now.getTime())) continue;
      if (!this.has(c.serialNo)) added.push(c.serialNo);
      this.set(c.serialNo, c.publicKey);
      this.#expires.set(c.serialNo, expires);
    }
    const dropped: string[] = [];
    for (const [serial, expires] of this.#expires) {
      if (expires <= now.getTime()) {
        this.delete(serial);
        this.#expires.delete(serial);
        dropped.push(serial);
      }
    }
    return { added, dropped };
  }
}
