/**
 * The secrets port: named secret values the platform holds outside environment variables (SCF
 * allows ~4 KB of those, and a value there shows in every config dump). Production reads them
 * from Tencent Cloud SSM (issue 16 builds that adapter); locally they are random values generated
 * once under the data dir (shared/adapters/local/local-secrets.ts).
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
] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

export interface Secrets {
  /** The secret's value (at least 32 bytes of entropy for keys). Cached by the adapter; throws if absent. */
  get(name: SecretName): Promise<string>;
}
