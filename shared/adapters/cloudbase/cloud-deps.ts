/**
 * The production composition (ESIGN_PROVIDER=cloud): CloudBase database and storage, FaceID, SMS,
 * SES and WeChat Pay, each behind its port. The container requires this module only in cloud mode.
 *
 * Every provider client is made on first use, and the Tencent Cloud service modules are required
 * only then: a function that never sends an SMS never loads the SMS client (and its bundle is
 * built without it, scripts/build.ts). A missing setting is reported when the service is first
 * used, as PROVIDER_ERROR naming the variable.
 */
import type { Clock, FaceVerifier, FileStorage, Ids, Mailer, Payments, Sms } from '../../ports';
import type { AppConfig, CloudSettings } from '../../ports/config';
import { ProviderFailure, type ProviderName } from '../tencentcloud/provider-error';
import type { Secrets } from '../../ports/secrets';
import type { TencentApiSettings } from '../tencentcloud/client-options';
import { createCloudBaseApp, type CloudBaseApp } from './app';
import { CloudBaseFiles, type StorageApp } from './files';
import { lazy } from './lazy';
import { CloudBaseStore, type Database } from './store';

export interface CloudDeps {
  store: CloudBaseStore;
  face: FaceVerifier;
  sms: Sms;
  mailer: Mailer;
  payments: Payments;
  files: FileStorage;
  secrets: Secrets;
}

const need = <T>(provider: ProviderName, value: T | undefined, variable: string): T => {
  if (value === undefined || value === '') throw new ProviderFailure(provider, 'NotConfigured', `${variable} is not set`);
  return value;
};

export const cloudDeps = (
  config: AppConfig,
  env: Record<string, string | undefined>,
  clock: Clock,
  ids: Ids,
): CloudDeps => {
  const cloud = config.cloud as CloudSettings;
  let app: CloudBaseApp | undefined;
  const tcb = (): CloudBaseApp =>
    (app ??= createCloudBaseApp({
      envId: cloud.envId,
      timeoutMs: cloud.apiTimeoutSeconds * 1000,
      ...(cloud.serviceUrl ? { serviceUrl: cloud.serviceUrl } : {}),
      credentials: cloud.explicitKeys,
    }));
  const api: TencentApiSettings = {
    region: cloud.region,
    credentials: cloud.apiCredentials,
    timeoutSeconds: cloud.apiTimeoutSeconds,
    ...(cloud.apiGateway ? { gateway: cloud.apiGateway } : {}),
  };
  let db: Database | undefined;
  const store = new CloudBaseStore(() => (db ??= tcb().database() as unknown as Database));

  return {
    store,
    // Production secrets come from Tencent Cloud SSM, whose adapter is issue 16's: until it lands a
    // cloud call that needs a secret fails loudly rather than falling back to a local key.
    secrets: { get: (name) => Promise.reject(new Error(`secrets: the SSM adapter is not built yet (issue 16); cannot read ${name}`)) },
    files: lazy<FileStorage>(
      () => new CloudBaseFiles(() => tcb() as unknown as StorageApp, { envId: cloud.envId, bucket: need('cloudbase-storage', cloud.storageBucket, 'ESIGN_TCB_STORAGE_BUCKET') }),
    ),
    face: lazy<FaceVerifier>(() => {
      const { FaceIdVerifier } = require('../tencentcloud/faceid') as typeof import('../tencentcloud/faceid');
      return new FaceIdVerifier(api, { ruleId: need('faceid', cloud.faceRuleId, 'ESIGN_FACEID_RULE_ID') });
    }),
    sms: lazy<Sms>(() => {
      const { TencentSms } = require('../tencentcloud/sms') as typeof import('../tencentcloud/sms');
      const settings = {
        sdkAppId: need('sms', cloud.sms.sdkAppId, 'ESIGN_SMS_SDK_APP_ID'),
        signName: need('sms', cloud.sms.signName, 'ESIGN_SMS_SIGN_NAME'),
        templateIds: cloud.sms.templateIds,
      };
      return new TencentSms(api, settings, store, clock, ids);
    }),
    mailer: lazy<Mailer>(() => {
      const { SesMailer } = require('../tencentcloud/ses') as typeof import('../tencentcloud/ses');
      return new SesMailer(api, {
        from: need('ses', cloud.ses.from, 'ESIGN_SES_FROM'),
        templateId: need('ses', cloud.ses.templateId, 'ESIGN_SES_TEMPLATE_ID'),
        region: cloud.ses.region,
        ...(cloud.ses.replyTo ? { replyTo: cloud.ses.replyTo } : {}),
      });
    }),
    payments: lazy<Payments>(() => {
      const { loadWechatPayConfig } = require('../wechatpay/config') as typeof import('../wechatpay/config');
      const { WechatPayPayments } = require('../wechatpay/payments') as typeof import('../wechatpay/payments');
      return new WechatPayPayments(loadWechatPayConfig(env), { clock });
    }),
  };
};
