/**
 * The SOTER simulator (local adapter of shared/ports/soter.ts), beside the face-check simulator:
 * each user's "phone" gets an RSA-2048 SOTER key pair on first use, `sign` does what
 * `wx.startSoterAuthentication` does on the phone (a resultJSON holding the challenge in `raw`,
 * signed with SHA256 with RSA/PSS, saltlen=20, base64), and `verifySignature` does what WeChat's
 * soter/verify_signature does (checks the signature with the device's public key). Keys live in
 * memory: a restarted emulator has new "phones", as after a re-install.
 */
import { constants, createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { SoterMode, SoterSignatureInput, SoterVerifier } from '../../ports/soter';

export interface SoterResult {
  authMode: SoterMode;
  resultJSON: string;
  resultJSONSignature: string;
}

interface Device {
  publicKey: KeyObject;
  privateKey: KeyObject;
  counter: number;
}

/** RSASSA-PSS with SHA-256 and a 20-byte salt, as wx.startSoterAuthentication documents. */
export const SOTER_PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 } as const;

export class SoterSimulator implements SoterVerifier {
  private readonly devices = new Map<string, Device>();

  /** The user's phone (created on first use). */
  private device(openid: string): Device {
    let d = this.devices.get(openid);
    if (!d) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      d = { publicKey, privateKey, counter: 0 };
      this.devices.set(openid, d);
    }
    return d;
  }

  /** The phone signs `challenge` after the user touched the sensor / looked at the camera. */
  sign(openid: string, challenge: string, authMode: SoterMode = 'fingerPrint'): SoterResult {
    const d = this.device(openid);
    d.counter += 1;
    const resultJSON = JSON.stringify({
      raw: challenge,
      fid: authMode === 'fingerPrint' ? '1' : '0',
      counter: d.counter,
      tee_n: 'SIMULATOR',
      tee_v: '1.0',
      fp_n: 'SIMULATOR',
      fp_v: '1.0',
      cpu_id: createHash('sha256').update(openid).digest('hex').slice(0, 16),
      uid: '10086',
    });
    const resultJSONSignature = sign('sha256', Buffer.from(resultJSON, 'utf8'), { key: d.privateKey, ...SOTER_PSS }).toString('base64');
    return { authMode, resultJSON, resultJSONSignature };
  }

  async verifySignature(input: SoterSignatureInput): Promise<boolean> {
    const d = this.devices.get(input.openid);
    if (!d) return false;
    const signature = Buffer.from(input.jsonSignature, 'base64');
    if (signature.length === 0) return false;
    return verify('sha256', Buffer.from(input.jsonString, 'utf8'), { key: d.publicKey, ...SOTER_PSS }, signature);
  }
}
