/**
 * AEAD_AES_256_GCM decryption of WeChat Pay's encrypted resources — 《证书和回调报文解密》 /
 * 《如何解密回调报文和平台证书》 (pay.weixin.qq.com/wiki/doc/apiv3_partner/wechatpay/wechatpay4_2.shtml,
 * pay.weixin.qq.com/docs/partner/products/platform-certificate/decryption-certificate.html; wechatpay-go
 * utils.DecryptAES256GCM; wechatpay-java AeadAesCipher):
 *
 *   key       = the 32-byte APIv3 key
 *   nonce     = resource.nonce as UTF-8 bytes (12 characters)
 *   aad       = resource.associated_data as UTF-8 bytes (may be empty)
 *   ciphertext= base64(encrypted bytes ‖ 16-byte authentication tag)
 *
 * GCM authenticates: a wrong key, nonce, associated data or any changed byte fails `final()`, so
 * a tampered resource is refused rather than decrypted into garbage.
 */
import { createDecipheriv, type KeyObject } from 'node:crypto';

export const AEAD_ALGORITHM = 'AEAD_AES_256_GCM';
const TAG_LENGTH = 16;

export type DecryptOutcome = { ok: true; plaintext: string } | { ok: false; message: string };

export function decryptAeadAes256Gcm(
  apiV3Key: KeyObject,
  resource: { nonce: string; associatedData: string; ciphertext: string },
): DecryptOutcome {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(resource.ciphertext)) return { ok: false, message: 'ciphertext is not base64' };
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= TAG_LENGTH) return { ok: false, message: 'ciphertext shorter than the GCM tag' };
  const nonce = Buffer.from(resource.nonce, 'utf8');
  if (nonce.length === 0) return { ok: false, message: 'empty nonce' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', apiV3Key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
    decipher.setAAD(Buffer.from(resource.associatedData, 'utf8'));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_LENGTH)), decipher.final()]);
    return { ok: true, plaintext: plain.toString('utf8') };
  } catch {
    return { ok: false, message: 'authentication failed (wrong APIv3 key or tampered resource)' };
  }
}
