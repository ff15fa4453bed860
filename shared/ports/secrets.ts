/**
 * The secrets port: named secret values the platform holds outside environment variables (SCF
 * allows ~4 KB of those, and a value there shows in every config dump and console view).
 * Production reads them from Tencent Cloud SSM (shared/adapters/tencentcloud/ssm-secrets.ts), once
 * per cold start; locally they are random values generated once under the data dir
 * (shared/adapters/local/local-secrets.ts).
 *
 * Names are a closed list declared here, never a caller's string: a name may become a file name
 * or an SSM secret name.
 */

/** Every secret the code asks for, with what it is for. */
export const SECRET_NAMES = [
  /** HMAC key for verification codes and for the destination keys of their daily caps (N1). */
  'verification-code-hmac',
  /** Pepper mixed into signing-password hashes: a copy of the database alone cannot test 6-digit guesses offline (V2). */
  'signing-password-pepper',
  /** HMAC key of rate-limit counters and invitee keys (R4): an ID number or phone never becomes a stored key. */
  'rate-limit-key',
  /** HMAC key of the irreversible signer identifier in certificates (C10): the ID number never appears. */
  'signer-id-secret',
  /** The issuing CA's private key (PEM, PKCS#8), which issues every signer certificate (C10) — only without KMS (ESIGN_CA_KMS_KEY_ID): with it, never read. */
  'ca-issuing-key',
  /**
   * The CA's certificates and the root's CRL (PEM). Public, but 2–3 KB together: in the
   * environment they alone would take most of SCF's 4 KB, so they sit beside the key.
   */
  'ca-root-cert',
  'ca-issuing-cert',
  'ca-root-crl',
  /** WeChat Pay: the merchant API private key (apiclient_key.pem) and the APIv3 key. */
  'wechatpay-merchant-private-key',
  'wechatpay-apiv3-key',
  /** The mini-program's AppSecret (stable access token for P3/N1). */
  'wechat-app-secret',
] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

/** Secrets a deployment may leave out: `find` answers null for them (the root CRL is optional in the DSS). */
export const OPTIONAL_SECRETS: ReadonlySet<SecretName> = new Set<SecretName>(['ca-root-crl']);

export interface Secrets {
  /** The secret's value (at least 32 bytes of entropy for keys). Cached by the adapter; throws if absent. */
  get(name: SecretName): Promise<string>;
  /** The same, or null when the secret does not exist (for OPTIONAL_SECRETS). */
  find(name: SecretName): Promise<string | null>;
}
