/**
 * The local WeChat Pay's keys: the merchant's API key pair (our side signs requests and
 * wx.requestPayment with it), the simulator's own signing key (the "微信支付公钥" pair our side
 * verifies with) and the APIv3 key (notification resources). Generated on first use and kept under
 * the data dir, so a restarted emulator — or a second emulator process on the same data dir —
 * verifies what the first one signed. Local test keys only: never used outside the emulator.
 *
 * Written once, atomically: the complete file is written under a temporary name and linked into
 * place; when two processes race, link() lets one win and the other reads the winner's keys.
 */
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { readOrCreateKeyFileSync } from './atomic-file';
import { generateMerchantKeys, randomAlnum, randomDigits } from './payment-simulator';

/** The local merchant and mini-program identity (not secrets: WeChat prints both on every bill). */
export const LOCAL_MCHID = '1900000109';
export const LOCAL_APPID = 'wx00000000emulator';

export interface LocalWechatPayKeys {
  mchid: string;
  appid: string;
  merchant: { privateKeyPem: string; publicKeyPem: string; serialNo: string };
  platform: { privateKeyPem: string; publicKeyId: string };
  apiV3Key: string;
}

/** The merchant's keys as the simulator's own generator makes them; the platform's and the APIv3 key in its formats. */
const generate = (): LocalWechatPayKeys => {
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    mchid: LOCAL_MCHID,
    appid: LOCAL_APPID,
    merchant: generateMerchantKeys(),
    platform: {
      privateKeyPem: platform.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyId: `PUB_KEY_ID_${randomDigits(34)}`,
    },
    apiV3Key: randomAlnum(32),
  };
};

export const loadOrCreateLocalKeys = (dataDir: string): LocalWechatPayKeys =>
  // An empty file is an interrupted first write of an older version: nothing used it, make it again.
  JSON.parse(readOrCreateKeyFileSync(path.join(dataDir, 'wechatpay', 'local-keys.json'), () => JSON.stringify(generate(), null, 2))) as LocalWechatPayKeys;
