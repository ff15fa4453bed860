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
  /** R4 催办: at most once per interval, and this many per China day, per contract. */
  urge: { minIntervalMinutes: number; perDay: number };
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
  faceRuleId?: string;
  sms: { sdkAppId?: string; signName?: string; templateIds: Record<string, string> };
  ses: { from?: string; templateId?: number; region: string; replyTo?: string };
}

