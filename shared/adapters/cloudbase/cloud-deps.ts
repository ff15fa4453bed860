/**
 * The production composition (ESIGN_PROVIDER=cloud): CloudBase database and storage, FaceID, SMS,
 * SES, WeChat Pay and the configured RFC 3161 TSA, each behind its port. The container requires this module only in cloud mode.
 *
 * Every provider client is made on first use, and the Tencent Cloud service modules are required
 * only then: a function that never sends an SMS never loads the SMS client (and its bundle is
 * built without it, scripts/build.ts). A missing setting is reported when the service is first
 * used, as PROVIDER_ERROR naming the variable.
 */
import type { Clock, DocumentConverter, FaceVerifier, FileStorage, Ids, Mailer, Payments, Sms, TimestampAuthority } from '../../ports';
import { TsaFailure } from '../../ports/tsa';
import type { AppConfig, CloudSettings } from '../../ports/config';
import type { Wechat } from '../../ports/wechat';
import { ProviderFailure, type ProviderName } from '../tencentcloud/provider-error';
import type { Secrets } from '../../ports/secrets';
import type { IssuerSignerFactory } from '../../ports/issuer-signer';
import type { SoterVerifier } from '../../ports/soter';
import type { TencentApiSettings } from '../tencentcloud/client-options';
import { createCloudBaseApp, type CloudBaseApp } from './app';
import { CloudBaseFiles, type StorageApp } from './files';
import { lazy } from './lazy';
import { SsmSecrets } from '../tencentcloud/ssm-secrets';
import { CloudBaseStore, type Database } from './store';

export interface CloudDeps {
  store: CloudBaseStore;
  face: FaceVerifier;
  sms: Sms;
  mailer: Mailer;
  payments: Payments;
  files: FileStorage;
  converter: DocumentConverter;
  wechat: Wechat;
  tsa: TimestampAuthority;
  secrets: Secrets;
  /**
   * Reads, before a function's first call, the secrets that synchronous code needs: the
   * rate-limit key (into the configuration) and, for a function that takes payments, the WeChat
   * Pay keys. Everything else is read on first use.
   */
  prepare(ports: readonly string[]): Promise<{ rateLimitKey: string }>;
  soter: SoterVerifier;
  /** The issuing CA's key in KMS (ESIGN_CA_KMS_KEY_ID); absent without one (the key is then an SSM secret). */
  issuerSigner?: IssuerSignerFactory;
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
  // Tencent Cloud SSM, read once per cold start (each value on first use, then cached).
  const secrets = new SsmSecrets(api, cloud.ssm);
  let wechatPaySecrets: Record<string, string> | undefined;
  const wechat = lazy<Wechat>(() => {
    const { WechatApi, DEFAULT_WECHAT_BASE_URL } = require('../wechat') as typeof import('../wechat');
    return new WechatApi({
      baseUrl: cloud.wechat.apiBaseUrl ?? DEFAULT_WECHAT_BASE_URL,
      appId: need('wechat', cloud.wechat.appId, 'ESIGN_WX_APPID'),
      secret: () => secrets.get('wechat-app-secret'),
      timeoutMs: cloud.apiTimeoutSeconds * 1000,
      envVersion: cloud.wechat.envVersion,
    }, clock);
  });
  let db: Database | undefined;
  const store = new CloudBaseStore(() => (db ??= tcb().database() as unknown as Database));

  return {
    store,
    // The configured TSA URL, never a local clock: without one, signing fails (PROVIDER_ERROR/tsa) and is retried.
    tsa: ((): TimestampAuthority => {
      let client: TimestampAuthority | undefined;
      return {
        // Async all through: a missing setting is a rejected promise like any TSA failure (retryable), made on first use.
        timestamp: async (digest, hashAlg) => {
          if (!cloud.tsa.url) throw new TsaFailure('NOT_CONFIGURED', 'ESIGN_TSA_URL is not set');
          const { Rfc3161Tsa } = require('../rfc3161/client') as typeof import('../rfc3161/client');
          client ??= new Rfc3161Tsa({ url: cloud.tsa.url, timeoutMs: cloud.tsa.timeoutMs, ...(cloud.tsa.policy ? { policy: cloud.tsa.policy } : {}) });
          return client.timestamp(digest, hashAlg);
        },
      };
    })(),
    secrets,
    ...(cloud.caKmsKeyId
      ? {
          issuerSigner: (issuingCertPem: string) => {
            const { KmsIssuerSigner } = require('../tencentcloud/kms-signer') as typeof import('../tencentcloud/kms-signer');
            return new KmsIssuerSigner(api, { keyId: cloud.caKmsKeyId! }, issuingCertPem);
          },
        }
      : {}),
    files: lazy<FileStorage>(
      () => new CloudBaseFiles(() => tcb() as unknown as StorageApp, { envId: cloud.envId, bucket: need('cloudbase-storage', cloud.storageBucket, 'ESIGN_TCB_STORAGE_BUCKET') }),
    ),
    // 数据万象 reads the original where file-import put it: the environment's storage bucket.
    converter: lazy<DocumentConverter>(() => {
      const { CiDocumentConverter } = require('../tencentcloud/ci-convert') as typeof import('../tencentcloud/ci-convert');
      return new CiDocumentConverter({
        bucket: need('cloudbase-storage', cloud.storageBucket, 'ESIGN_TCB_STORAGE_BUCKET'), region: cloud.region, credentials: cloud.apiCredentials,
        timeoutMs: cloud.apiTimeoutSeconds * 1000,
        ...(cloud.ciEndpoint ? { endpoint: cloud.ciEndpoint } : {}),
      }, clock);
    }),
    face: lazy<FaceVerifier>(() => {
      const { FaceIdVerifier } = require('../tencentcloud/faceid') as typeof import('../tencentcloud/faceid');
      return new FaceIdVerifier(api, { ruleId: need('faceid', cloud.faceRuleId, 'ESIGN_FACEID_RULE_ID') });
    }),
    // P3/N1: WeChat's server APIs with a cached stable access token (adapters/wechat). The
    // AppSecret is read through the secrets adapter (SSM), never from the environment.
    wechat,
    // V2: WeChat's soter/verify_signature with the same cached access token as the other WeChat APIs.
    soter: lazy<SoterVerifier>(() => {
      const { WechatSoterVerifier } = require('../wechat/soter-verifier') as typeof import('../wechat/soter-verifier');
      const api = wechat as unknown as { tokens: { get(): Promise<string>; invalidate(token: string): void } };
      return new WechatSoterVerifier({ token: () => api.tokens.get(), invalidate: (t) => api.tokens.invalidate(t) }, { baseUrl: cloud.wechat.apiBaseUrl ?? 'https://api.weixin.qq.com', timeoutMs: cloud.apiTimeoutSeconds * 1000 });
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
      // The merchant key and the APIv3 key are secrets (SSM), read before the function's first call
      // (prepare below); the rest of the settings are the environment's.
      if (!wechatPaySecrets) throw new ProviderFailure('wechatpay', 'NotPrepared', 'the WeChat Pay secrets were not read before first use');
      return new WechatPayPayments(loadWechatPayConfig({ ...env, ...wechatPaySecrets }), { clock });
    }),
    prepare: async (ports) => {
      const [rateLimitKey, pay] = await Promise.all([
        secrets.get('rate-limit-key'),
        ports.includes('payments') ? Promise.all([secrets.get('wechatpay-merchant-private-key'), secrets.get('wechatpay-apiv3-key')]) : null,
      ]);
      if (pay) wechatPaySecrets = { WECHATPAY_MERCHANT_PRIVATE_KEY: pay[0], WECHATPAY_APIV3_KEY: pay[1] };
      return { rateLimitKey };
    },
  };
};
