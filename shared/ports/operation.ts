/**
 * What an operation sees of the world, and its shape: the ports (`Deps`), who calls, the request
 * id. Operations and the modules under shared/ import these from here, never from shared/runtime/
 * (the runtime builds a `Deps` — the container — and calls operations with an `OpContext`).
 *
 * May import: the other ports, shared/errors. Nothing else.
 */
import { AppError } from '../errors';
import type { AppConfig } from './config';
import type { Clock } from './clock';
import type { FaceVerifier } from './face';
import type { FileStorage } from './files';
import type { DocumentConverter } from './converter';
import type { Ids } from './ids';
import type { IssuerSignerFactory } from './issuer-signer';
import type { Log } from './log';
import type { Mailer } from './mailer';
import type { Payments } from './payments';
import type { Secrets } from './secrets';
import type { SoterVerifier } from './soter';
import type { Sms } from './sms';
import type { Store } from './store';
import type { Wechat } from './wechat';
import type { TimestampAuthority } from './tsa';

export interface Deps {
  config: AppConfig;
  store: Store;
  clock: Clock;
  ids: Ids;
  face: FaceVerifier;
  sms: Sms;
  mailer: Mailer;
  payments: Payments;
  files: FileStorage;
  /** Office documents → PDF (U1). */
  converter: DocumentConverter;
  /** WeChat server APIs: 小程序码, URL Links, subscription messages (P3, N1). */
  wechat: Wechat;
  /** RFC 3161 time for every signature (B-T), completed documents (B-LTA) and audit anchors (E1). */
  tsa: TimestampAuthority;
  /** Named keys (verification-code HMAC, signing-password pepper): never environment variables. */
  secrets: Secrets;
  /** WeChat SOTER (fingerprint / face ID, V2): whether a resultJSON was signed by this user's phone. */
  soter: SoterVerifier;
  /**
   * The issuing CA's key held by a signing service (the cloud's KMS, ESIGN_CA_KMS_KEY_ID): when
   * set, the key is never read (no 'ca-issuing-key' secret); absent, it comes from configuration
   * or the secrets port (contracts/signing-keys.ts).
   */
  issuerSigner?: IssuerSignerFactory;
  log: Log;
}

/**
 * Who is calling. Always from the platform's context, never from the payload (shared/runtime/caller.ts
 * reads it: WX_OPENID on CloudBase, the emulator's `x-openid`). Not the lifecycle's `Performer`,
 * which is a role in one contract.
 */
export interface Caller {
  openid: string;
  appid?: string;
  unionid?: string;
}

export interface OpContext {
  caller: Caller | null;
  deps: Deps;
  requestId: string;
}

export type Operation<I = unknown, O = unknown> = (input: I, ctx: OpContext) => Promise<O>;

export const requireCaller = (ctx: OpContext): Caller => {
  if (!ctx.caller) throw new AppError('UNAUTHENTICATED');
  return ctx.caller;
};

// ── webhooks (registry kind `webhook`): the HTTP trigger's event in, the HTTP answer out ──────────

export interface HttpTriggerEvent {
  httpMethod?: string;
  path?: string;
  headers: Record<string, string | string[] | undefined>;
  /** As received; base64 text when `isBase64Encoded`. */
  body?: string | null;
  isBase64Encoded?: boolean;
  [k: string]: unknown;
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookContext {
  deps: Deps;
  log: Log;
  requestId: string;
}

export type WebhookOperation = (event: HttpTriggerEvent, ctx: WebhookContext) => Promise<HttpAnswer>;

/** The answer when the wrapper itself refuses: the event is not an HTTP request, or something broke. */
export type WebhookFault = (why: 'malformed' | 'processing_failed') => HttpAnswer;
