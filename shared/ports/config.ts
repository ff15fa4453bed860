/**
 * The settings an operation and an adapter may read, as types: shared/runtime/config.ts reads them
 * from the environment (the composition root only), everyone else receives them — through `Deps`,
 * or as plain settings handed to an adapter (shared/adapters/cloudbase/cloud-deps.ts).
 *
 * May import: types of the pure rules (fees, LPR). Nothing else.
 */
import type { FeeConfig } from '../rules/fees';
import type { LprTable } from '../rules/lpr';
import type { IdentityConfig } from '../rules/identity-config';

/** One rate-limit rule as configured (shared/messages/rate-limits.ts RateRule). */
export interface RateRuleSetting {
  readonly scope: 'contract' | 'caller' | 'destination' | 'contract_caller';
  readonly count: number;
  readonly windowSeconds: number;
  readonly minIntervalSeconds?: number;
}

export interface AppConfig {
  provider: 'local' | 'cloud';
  /** Local provider: where the SQLite file, files and keys live. */
  dataDir: string;
  lprTable: LprTable;
  fees: FeeConfig;
  /**
   * Payments: an order still unpaid this many minutes after it was placed is asked about at the
   * provider by the reconcile timer and settled or closed (the fallback for a lost notification).
   */
  payments: { reconcileAfterMinutes: number };
  /** C2: a contract awaiting fill or signatures expires this many days after initiation. */
  contractTtlDays: number;
  /** A face check's BizToken is valid this long (FaceID: 2 h). */
  faceCheckTtlMinutes: number;
  /**
   * M2: what a caller can make the platform send or spend, per action (config/messages.json
   * `rateLimits`, checked by shared/messages/rate-limits.ts parseRateLimitConfig at load).
   */
  rateLimits: Readonly<Record<string, ReadonlyArray<RateRuleSetting>>>;
  /** The key of the counters' keyed hashes (a phone or e-mail never appears in a counter id). */
  rateLimitKey: string;
  /**
   * Subscription-message template ids by slot (shared/messages/subscribe-templates.ts), as the MP
   * console numbered the library templates added (config/messages.json `subscribeTemplates`,
   * ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS overrides). A slot without an id goes by SMS.
   */
  subscribeTemplates: Readonly<Record<string, string>>;
  /** The per-deployment constants of the SMS texts (config/messages.json `sms`). */
  smsBrand: { signature: string; miniProgramName: string; openLink: string };
  /** Batch size for the timers. */
  timerBatch: number;
  /** Where share links point (the mini-program path with the token). */
  shareLinkBase: string;
  logLevel: string;
  /**
   * The platform CA that certifies every signature (issuing CA + root) and the secret behind the
   * non-reversible signer identifiers. From the environment in the cloud; the local emulator
   * generates its own on first use when these are absent.
   */
  signing: {
    rootCertPem: string | null;
    issuingCertPem: string | null;
    issuingKeyPem: string | null;
    /** The root's CRL (signed offline by the root key, renewed before nextUpdate): goes into every DSS (B-LT). */
    rootCrlPem: string | null;
    signerIdSecret: string | null;
  };
  /** Verification codes, signing password, SOTER (config/identity.json, parsed by shared/identity/config.ts). */
  identity: IdentityConfig;
  /** ESIGN_PROVIDER=cloud: where the production adapters find CloudBase and Tencent Cloud (null locally). */
  cloud: CloudSettings | null;
}

/**
 * The cloud provider's settings (docs/DEPLOY.md lists each). Only the environment id is needed to
 * start; a service's own settings are checked when it is first used, so a function that never
 * sends email does not fail for want of SES settings.
 */

export interface CloudSettings {
  /** CloudBase environment id. */
  envId: string;
  /** Tencent Cloud SSM: each secret is `<prefix><name>` at `version` (ESIGN_SSM_PREFIX, ESIGN_SSM_VERSION). */
  ssm: { prefix: string; version: string };
  /**
   * The KMS key (非对称签名, ECC_P256) that is the issuing CA's key (ESIGN_CA_KMS_KEY_ID): when set,
   * certificates and CRLs are signed by KMS and the 'ca-issuing-key' secret is never read. An id,
   * not a secret: only the function role may use the key.
   */
  caKmsKeyId?: string;
  /**
   * The production TSA (RFC 3161 over HTTP): ESIGN_TSA_URL (e.g. the 国家授时中心's or a commercial
   * TSA), ESIGN_TSA_POLICY (the policy OID to ask for), ESIGN_TSA_TIMEOUT_MS. Checked at first use:
   * without a URL every signing step fails with PROVIDER_ERROR/tsa, never a local clock.
   */
  tsa: { url?: string; policy?: string; timeoutMs: number };
  /** Tests: the CloudBase API endpoint (normally derived from the environment id by the SDK). */
  serviceUrl?: string;
  /**
   * Explicit API keys (ESIGN_TC_SECRET_ID/_KEY/_SESSION_TOKEN). Unset inside a CloudBase function,
   * which signs with the temporary keys of its role (below).
   */
  explicitKeys: { secretId: string; secretKey: string; sessionToken?: string } | null;
  /** The keys to sign a Tencent Cloud API call with now: explicit ones, else the function role's. */
  apiCredentials: () => { secretId: string; secretKey: string; token?: string } | null;
  region: string;
  /** Tests: every Tencent Cloud API call is sent to this address (Host header unchanged). */
  apiGateway?: string;
  apiTimeoutSeconds: number;
  storageBucket?: string;
  /** Tests: 数据万象 (COS) requests go to this origin instead of https://<bucket>.cos.<region>.myqcloud.com. */
  ciEndpoint?: string;
  faceRuleId?: string;
  sms: { sdkAppId?: string; signName?: string; templateIds: Record<string, string> };
  /** The mini-program (P3 share links, N1 subscription messages): its AppID and which build codes open; the AppSecret is a secret, never here. */
  wechat: { appId?: string; apiBaseUrl?: string; envVersion: 'release' | 'trial' | 'develop' };
  ses: { from?: string; templateId?: number; region: string; replyTo?: string };
}

