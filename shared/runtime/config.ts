/**
 * Settings, read from an env-like record by the composition root only (nothing else reads env).
 * Numbers that are rules of the product live in config/*.json, not in code.
 */
import path from 'node:path';
import lprTable from '../../config/lpr.json';
import fees from '../../config/fees.json';
import messages from '../../config/messages.json';
import identity from '../../config/identity.json';
import { parseIdentityConfig } from '../rules/identity-config';
import { parseLprTable } from '../rules/lpr';
import { parseFeeConfig } from '../rules/fees';
import type { AppConfig, CloudSettings } from '../ports/config';

/**
 * The environment with empty values read as unset: a deployment that leaves an optional setting
 * blank must get the default, not `Number('')` = 0. Reads stay live (a function role's keys are
 * replaced while a warm instance runs).
 */
const unsetWhenEmpty = (env: Record<string, string | undefined>): Record<string, string | undefined> =>
  new Proxy(env, { get: (t, k) => { const v: unknown = Reflect.get(t, k); return typeof v === 'string' && v.trim() === '' ? undefined : v; } });

export const loadConfig = (rawEnv: Record<string, string | undefined>): AppConfig => {
  const env = unsetWhenEmpty(rawEnv);
  const provider = env.ESIGN_PROVIDER === 'cloud' ? 'cloud' : 'local';
  return {
    provider,
    dataDir: path.resolve(env.ESIGN_DATA_DIR ?? '.data'),
    lprTable: parseLprTable(lprTable),
    fees: parseFeeConfig(fees),
    payments: { reconcileAfterMinutes: Number(env.ESIGN_PAYMENT_RECONCILE_MINUTES ?? 15) },
    contractTtlDays: 30,
    faceCheckTtlMinutes: 120,
    // Checked by shared/messages/limits.ts on first use (parseRateLimitConfig) and by test/messages/rate-limits.test.ts.
    rateLimits: messages.rateLimits as unknown as AppConfig['rateLimits'],
    // The cloud container replaces it with the 'rate-limit-key' secret (SSM) before the first call;
    // the local emulator's fixed key hides nothing worth hiding.
    rateLimitKey: 'local-rate-limit-key',
    smsBrand: { ...messages.sms },
    subscribeTemplates: { ...messages.subscribeTemplates, ...jsonObject('ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS', env.ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS) },
    timerBatch: Number(env.ESIGN_TIMER_BATCH ?? 200),
    shareLinkBase: env.ESIGN_SHARE_LINK_BASE ?? 'pages/share/index?token=',
    logLevel: env.ESIGN_LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    // Never from the environment: locally the data directory's CA (container.ts), in the cloud the
    // secrets port (contracts/signing-keys.ts reads SSM).
    signing: { rootCertPem: null, issuingCertPem: null, issuingKeyPem: null, rootCrlPem: null, signerIdSecret: null },
    identity: parseIdentityConfig(identity),
    cloud: provider === 'cloud' ? loadCloudSettings(env) : null,
  };
};

const jsonObject = (name: string, raw: string | undefined): Record<string, string> => {
  if (!raw) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new Error(`${name} is not JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${name} must be a JSON object`);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
};

export const loadCloudSettings = (rawEnv: Record<string, string | undefined>): CloudSettings => {
  const env = unsetWhenEmpty(rawEnv);
  const envId = env.ESIGN_TCB_ENV ?? env.TCB_ENV ?? env.SCF_NAMESPACE;
  if (!envId) throw new Error('ESIGN_PROVIDER=cloud needs the CloudBase environment id: set ESIGN_TCB_ENV');
  const explicitKeys =
    env.ESIGN_TC_SECRET_ID && env.ESIGN_TC_SECRET_KEY
      ? { secretId: env.ESIGN_TC_SECRET_ID, secretKey: env.ESIGN_TC_SECRET_KEY, ...(env.ESIGN_TC_SESSION_TOKEN ? { sessionToken: env.ESIGN_TC_SESSION_TOKEN } : {}) }
      : null;
  const templateId = env.ESIGN_SES_TEMPLATE_ID ? Number(env.ESIGN_SES_TEMPLATE_ID) : undefined;
  if (templateId !== undefined && !Number.isInteger(templateId)) throw new Error('ESIGN_SES_TEMPLATE_ID must be a number');
  return {
    envId,
    tsa: {
      ...(env.ESIGN_TSA_URL ? { url: env.ESIGN_TSA_URL } : {}),
      ...(env.ESIGN_TSA_POLICY ? { policy: env.ESIGN_TSA_POLICY } : {}),
      timeoutMs: Number(env.ESIGN_TSA_TIMEOUT_MS ?? 10_000),
    },
    // Where the secrets are (SSM names and version), never their values.
    ssm: { prefix: env.ESIGN_SSM_PREFIX ?? 'esign-', version: env.ESIGN_SSM_VERSION ?? 'v1' },
    // The issuing CA's key in KMS: its id only (the key never leaves KMS).
    ...(env.ESIGN_CA_KMS_KEY_ID ? { caKmsKeyId: env.ESIGN_CA_KMS_KEY_ID } : {}),
    ...(env.ESIGN_TCB_SERVICE_URL ? { serviceUrl: env.ESIGN_TCB_SERVICE_URL } : {}),
    explicitKeys,
    // Read at call time: the platform replaces a role's temporary keys during a warm instance's life.
    apiCredentials: () => {
      if (explicitKeys) return { secretId: explicitKeys.secretId, secretKey: explicitKeys.secretKey, ...(explicitKeys.sessionToken ? { token: explicitKeys.sessionToken } : {}) };
      const { TENCENTCLOUD_SECRETID: id, TENCENTCLOUD_SECRETKEY: key, TENCENTCLOUD_SESSIONTOKEN: token } = env;
      return id && key ? { secretId: id, secretKey: key, ...(token ? { token } : {}) } : null;
    },
    region: env.TENCENTCLOUD_REGION ?? 'ap-shanghai',
    ...(env.ESIGN_TC_API_GATEWAY ? { apiGateway: env.ESIGN_TC_API_GATEWAY } : {}),
    apiTimeoutSeconds: Number(env.ESIGN_TC_TIMEOUT_SECONDS ?? 5),
    ...(env.ESIGN_TCB_STORAGE_BUCKET ? { storageBucket: env.ESIGN_TCB_STORAGE_BUCKET } : {}),
    ...(env.ESIGN_CI_ENDPOINT ? { ciEndpoint: env.ESIGN_CI_ENDPOINT } : {}),
    ...(env.ESIGN_FACEID_RULE_ID ? { faceRuleId: env.ESIGN_FACEID_RULE_ID } : {}),
    wechat: {
      ...(env.ESIGN_WX_APPID ? { appId: env.ESIGN_WX_APPID } : {}),
      ...(env.ESIGN_WX_API_BASE_URL ? { apiBaseUrl: env.ESIGN_WX_API_BASE_URL } : {}),
      envVersion: env.ESIGN_WX_ENV_VERSION === 'trial' || env.ESIGN_WX_ENV_VERSION === 'develop' ? env.ESIGN_WX_ENV_VERSION : 'release',
    },
    sms: {
      ...(env.ESIGN_SMS_SDK_APP_ID ? { sdkAppId: env.ESIGN_SMS_SDK_APP_ID } : {}),
      ...(env.ESIGN_SMS_SIGN_NAME ? { signName: env.ESIGN_SMS_SIGN_NAME } : {}),
      templateIds: jsonObject('ESIGN_SMS_TEMPLATE_IDS', env.ESIGN_SMS_TEMPLATE_IDS),
    },
    ses: {
      ...(env.ESIGN_SES_FROM ? { from: env.ESIGN_SES_FROM } : {}),
      ...(templateId !== undefined ? { templateId } : {}),
      region: env.ESIGN_SES_REGION ?? 'ap-guangzhou',
      ...(env.ESIGN_SES_REPLY_TO ? { replyTo: env.ESIGN_SES_REPLY_TO } : {}),
    },
  };
};
