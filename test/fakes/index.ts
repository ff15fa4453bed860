/**
 * Every provider protocol server the production adapters talk to, started together on 127.0.0.1:
 * the CloudBase API (database + storage) and one Tencent Cloud API 3.0 endpoint serving FaceID,
 * SMS, SES and the TCB management API (for the setup command). `env` is what a container needs to
 * run ESIGN_PROVIDER=cloud against them; `setup()` creates the collections and indexes through the
 * real setup command. Keys are random per run.
 */
import { randomBytes } from 'node:crypto';
import { setupCloudBase, type SetupReport } from '../../scripts/setup-cloudbase';
import { SMS_TEXTS } from '../../shared/messages/sms-texts';
import { FakeDatabase } from './cloudbase/database';
import { startCloudBaseFake, type CloudBaseFake } from './cloudbase/server';
import { FaceIdFake } from './tencentcloud/faceid';
import { SesFake } from './tencentcloud/ses';
import { startTencentApiFake, type TencentApiFake } from './tencentcloud/server';
import { SmsFake } from './tencentcloud/sms';
import { TcbManageFake } from './tencentcloud/tcb-manage';
import { SsmFake } from './tencentcloud/ssm';
import { KmsFake } from './tencentcloud/kms';

export const FACE_RULE_ID = '1';
export const SMS_APP_ID = '1400000001';
export const SMS_SIGN = '电子签';
export const SES_TEMPLATE_ID = 31;
export const SES_FROM = '电子签 <noreply@mail.esign.example>';
/** Where the deployment's secrets are in SSM (ESIGN_SSM_PREFIX, ESIGN_SSM_VERSION). */
export const SSM_PREFIX = 'esign-test-';
export const SSM_VERSION = 'v1';
/** Template ids as the SMS console would have numbered them. */
export const SMS_TEMPLATE_IDS: Record<string, string> = Object.fromEntries(Object.keys(SMS_TEXTS).map((k, i) => [k, String(2_000_001 + i)]));

export interface CloudFakes {
  envId: string;
  secretId: string;
  secretKey: string;
  cloudbase: CloudBaseFake;
  api: TencentApiFake;
  faceid: FaceIdFake;
  sms: SmsFake;
  ses: SesFake;
  ssm: SsmFake;
  /** KMS: the issuing CA's key when a test gives one (ESIGN_CA_KMS_KEY_ID). */
  kms: KmsFake;
  /** The TCB management API (collections, indexes, security rules). */
  tcb: TcbManageFake;
  db: FakeDatabase;
  /** The settings of a cloud container pointed at these servers. */
  env: Record<string, string>;
  setup(): Promise<SetupReport>;
  close(): Promise<void>;
}

export const startCloudFakes = async (): Promise<CloudFakes> => {
  // The SDK probes metadata.tencentyun.com on every request outside Tencent Cloud to learn where it
  // runs (inside SCF the platform's TENCENTCLOUD_RUNENV answers); nothing here can reach it.
  process.env.TENCENTCLOUD ??= 'true';
  const envId = `esign-test-${randomBytes(3).toString('hex')}`;
  const secretId = `AKID${randomBytes(12).toString('hex')}`;
  const secretKey = randomBytes(24).toString('base64url');
  const bucket = `7465-${envId}-1250000000`;
  const db = new FakeDatabase();
  const cloudbase = await startCloudBaseFake({ envId, keys: new Map([[secretId, secretKey]]), db, bucket });
  const faceid = new FaceIdFake(new Set([FACE_RULE_ID]));
  const sms = new SmsFake(SMS_APP_ID, new Set([SMS_SIGN]), new Map(Object.entries(SMS_TEMPLATE_IDS).map(([kind, id]) => [id, SMS_TEXTS[kind as keyof typeof SMS_TEXTS]])));
  const ses = new SesFake(new Set(['mail.esign.example']), new Map([[SES_TEMPLATE_ID, '您好：\n\n{{text}}\n\n——电子签']]));
  // The secrets every function reads at its cold start, as the operator put them into SSM; the
  // signing and payment ones are the cloud emulation's (test/support/emulator.ts).
  const ssm = new SsmFake();
  for (const name of ['rate-limit-key', 'verification-code-hmac', 'signing-password-pepper']) ssm.put(`${SSM_PREFIX}${name}`, SSM_VERSION, randomBytes(32).toString('hex'));
  const kms = new KmsFake();
  const tcb = new TcbManageFake(envId, db, bucket);
  const api = await startTencentApiFake(new Map([[secretId, { secretId, secretKey }]]), {
    faceid: faceid.service(),
    sms: sms.service(),
    ses: ses.service(),
    ssm: ssm.service(),
    kms: kms.service(),
    tcb: tcb.service(),
  });
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    ESIGN_LOG_LEVEL: 'silent',
    ESIGN_PROVIDER: 'cloud',
    ESIGN_TCB_ENV: envId,
    ESIGN_TCB_SERVICE_URL: cloudbase.serviceUrl,
    ESIGN_TCB_STORAGE_BUCKET: bucket,
    ESIGN_TC_SECRET_ID: secretId,
    ESIGN_TC_SECRET_KEY: secretKey,
    ESIGN_TC_API_GATEWAY: api.url,
    ESIGN_FACEID_RULE_ID: FACE_RULE_ID,
    ESIGN_SMS_SDK_APP_ID: SMS_APP_ID,
    ESIGN_SMS_SIGN_NAME: SMS_SIGN,
    ESIGN_SMS_TEMPLATE_IDS: JSON.stringify(SMS_TEMPLATE_IDS),
    ESIGN_SES_FROM: SES_FROM,
    ESIGN_SES_TEMPLATE_ID: String(SES_TEMPLATE_ID),
    ESIGN_SES_REGION: 'ap-guangzhou',
    ESIGN_SSM_PREFIX: SSM_PREFIX,
    ESIGN_SSM_VERSION: SSM_VERSION,
  };
  return {
    envId, secretId, secretKey, cloudbase, api, faceid, sms, ses, ssm, kms, tcb, db, env,
    setup: async () => {
      // manager-node's own endpoint setting, read on each request.
      const before = process.env.TCB_BASE_URL;
      process.env.TCB_BASE_URL = api.url;
      try {
        return await setupCloudBase({ envId, secretId, secretKey });
      } finally {
        if (before === undefined) delete process.env.TCB_BASE_URL;
        else process.env.TCB_BASE_URL = before;
      }
    },
    close: async () => {
      await Promise.all([cloudbase.close(), api.close()]);
      kms.close();
    },
  };
};
