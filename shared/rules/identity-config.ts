/**
 * Parses and checks config/identity.json (N1 verification codes, V2 signing password and SOTER):
 * pure, so the composition root (shared/runtime/config.ts) can call it at cold start. Imports nothing.
 */
/** config/identity.json (N1, V2); shared/identity/config.ts checks the numbers. */
export interface IdentityConfig {
  verificationCodes: {
    ttlSeconds: number;
    maxWrongTries: number;
    resendSeconds: number;
    perDestinationPerDay: number;
    perUserPerDay: number;
  };
  signingPassword: {
    maxWrongTries: number;
    lockMinutes: number;
    /** scrypt cost of new hashes: N = 2^logN, block size r, parallelism p. */
    scrypt: { logN: number; r: number; p: number; keyLength: number };
  };
  soter: { challengeTtlSeconds: number };
  faceProofMaxAgeMinutes: number;
}

const int = (v: unknown, path: string, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`config/identity.json: ${path} must be an integer in [${min}, ${max}]`);
  return v;
};

const obj = (v: unknown, path: string): Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`config/identity.json: ${path} must be an object`);
  return v as Record<string, unknown>;
};

/** Checks the file's numbers (a typo must fail the cold start, not weaken a limit silently). */
export const parseIdentityConfig = (raw: unknown): IdentityConfig => {
  const root = obj(raw, '(root)');
  const vc = obj(root.verificationCodes, 'verificationCodes');
  const sp = obj(root.signingPassword, 'signingPassword');
  const sc = obj(sp.scrypt, 'signingPassword.scrypt');
  const so = obj(root.soter, 'soter');
  const scrypt = {
    // 2^14 is the floor RFC 7914 §2 gives for interactive logins; 2^20 with r=8 needs 1 GiB.
    logN: int(sc.logN, 'signingPassword.scrypt.logN', 10, 20),
    r: int(sc.r, 'signingPassword.scrypt.r', 1, 32),
    p: int(sc.p, 'signingPassword.scrypt.p', 1, 16),
    keyLength: int(sc.keyLength, 'signingPassword.scrypt.keyLength', 16, 64),
  };
  return {
    verificationCodes: {
      ttlSeconds: int(vc.ttlSeconds, 'verificationCodes.ttlSeconds', 60, 3600),
      maxWrongTries: int(vc.maxWrongTries, 'verificationCodes.maxWrongTries', 1, 10),
      resendSeconds: int(vc.resendSeconds, 'verificationCodes.resendSeconds', 10, 3600),
      perDestinationPerDay: int(vc.perDestinationPerDay, 'verificationCodes.perDestinationPerDay', 1, 100),
      perUserPerDay: int(vc.perUserPerDay, 'verificationCodes.perUserPerDay', 1, 200),
    },
    signingPassword: {
      maxWrongTries: int(sp.maxWrongTries, 'signingPassword.maxWrongTries', 1, 10),
      lockMinutes: int(sp.lockMinutes, 'signingPassword.lockMinutes', 1, 7 * 24 * 60),
      scrypt,
    },
    soter: { challengeTtlSeconds: int(so.challengeTtlSeconds, 'soter.challengeTtlSeconds', 30, 3600) },
    faceProofMaxAgeMinutes: int(root.faceProofMaxAgeMinutes, 'faceProofMaxAgeMinutes', 1, 120),
  };
};
