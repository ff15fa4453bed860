/**
 * KMS (密钥管理系统), API 2019-01-18 SignByAsymmetricKey (https://cloud.tencent.com/document/api/573/52065):
 * `{KeyId, Algorithm, Message (base64), MessageType RAW|DIGEST}` → `{Signature (base64)}`. The fake
 * holds real P-256 keys and signs with OpenSSL (`pkeyutl -sign` signs a given digest as KMS's
 * DIGEST mode does; node:crypto would hash it again), answering a DER ECDSA-Sig-Value as the API
 * page's example shows. Refusals use the API's codes: a missing or disabled key, a key of another
 * usage, a wrong algorithm, a digest that is not 32 bytes, a RAW message over 4096 bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, type ApiService, type Params } from './server';

interface FakeKey {
  keyFile: string;
  publicKey: KeyObject;
  usage: 'ASYMMETRIC_SIGN_VERIFY_ECC' | 'ENCRYPT_DECRYPT';
  enabled: boolean;
}

/** DER ECDSA-Sig-Value → r‖s, each 32 bytes (how some KMS answer; the adapter must take both). */
const derToP1363 = (der: Buffer): Buffer => {
  let i = 2;
  const int = (): Buffer => {
    if (der[i] !== 0x02) throw new Error('not an INTEGER');
    const len = der[i + 1]!;
    const v = der.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  return Buffer.concat([int(), int()]);
};

export class KmsFake {
  private readonly keys = new Map<string, FakeKey>();
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-fake-'));
  /** Every signing request that reached a key: key id, message type, and the bytes given. */
  readonly signed: Array<{ keyId: string; messageType: string; message: Buffer }> = [];
  /** 'p1363' answers r‖s instead of DER (to prove the adapter's conversion). */
  encoding: 'der' | 'p1363' = 'der';

  /** CreateKey with KeyUsage ASYMMETRIC_SIGN_VERIFY_ECC (or another usage); `pkcs8Pem` imports a given key. */
  createKey(opts: { usage?: FakeKey['usage']; pkcs8Pem?: string } = {}): { keyId: string; publicKey: KeyObject } {
    const keyId = randomUUID();
    const pem = opts.pkcs8Pem ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyFile = path.join(this.dir, `${keyId}.pem`);
    fs.writeFileSync(keyFile, pem, { mode: 0o600 });
    const publicKey = createPublicKey(pem);
    this.keys.set(keyId, { keyFile, publicKey, usage: opts.usage ?? 'ASYMMETRIC_SIGN_VERIFY_ECC', enabled: true });
    return { keyId, publicKey };
  }

  disable(keyId: string): void {
    const k = this.keys.get(keyId);
    if (k) k.enabled = false;
  }

  service(): ApiService {
    return { version: '2019-01-18', actions: { SignByAsymmetricKey: (p) => this.sign(p) } };
  }

  private sign(p: Params): Params {
    for (const name of ['KeyId', 'Algorithm', 'Message']) {
      if (typeof p[name] !== 'string' || !p[name]) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
    }
    const keyId = p.KeyId as string;
    const messageType = p.MessageType === undefined ? 'RAW' : String(p.MessageType);
    if (messageType !== 'RAW' && messageType !== 'DIGEST') throw new ApiError('InvalidParameterValue', `MessageType ${messageType} is not RAW or DIGEST.`);
    const key = this.keys.get(keyId);
    if (!key) throw new ApiError('ResourceUnavailable.CmkNotFound', `密钥 ${keyId} 不存在`);
    if (!key.enabled) throw new ApiError('ResourceUnavailable.CmkDisabled', `密钥 ${keyId} 已禁用`);
    if (key.usage !== 'ASYMMETRIC_SIGN_VERIFY_ECC') throw new ApiError('InvalidParameterValue.InvalidKeyUsage', `密钥 ${keyId} 不是签名密钥`);
    if (p.Algorithm !== 'ECC_P256_R1') throw new ApiError('UnsupportedOperation', `算法 ${String(p.Algorithm)} 不适用于密钥 ${keyId}`);
    const message = Buffer.from(p.Message as string, 'base64');
    if (messageType === 'DIGEST' && message.length !== 32) throw new ApiError('InvalidParameterValue', 'DIGEST must be 32 bytes before Base64 encoding.');
    if (messageType === 'RAW' && message.length > 4096) throw new ApiError('InvalidParameterValue', 'RAW messages are at most 4096 bytes before Base64 encoding.');
    this.signed.push({ keyId, messageType, message });
    const digest = messageType === 'DIGEST' ? message : createHash('sha256').update(message).digest();
    const der = execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', key.keyFile], { input: digest });
    return { Signature: (this.encoding === 'p1363' ? derToP1363(der) : der).toString('base64') };
  }

  close(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
