/**
 * The signing password (签署密码, V2). Part of shared/identity/ (see config.ts).
 *
 * - Six digits, as the mini-program's PIN pad enters them; all-same and straight runs
 *   (111111, 123456, 654321) are refused as the first ones anybody tries.
 * - Stored as scrypt(HMAC-SHA256(pepper, password), salt) with 16 random bytes of salt per set /
 *   change / reset, and the cost parameters kept beside each hash. Default cost (config):
 *   N = 2^15, r = 8, p = 1 → 32 MiB and ~0.1–0.2 s per hash on one core: RFC 7914 §2 puts
 *   interactive logins at N = 2^14; one step more still fits a 256 MB cloud function and a user's
 *   wait at the signing step. A 6-digit space (10^6) cannot be made expensive enough offline by
 *   cost alone, so the pepper (secret `signing-password-pepper`, outside the database) is what
 *   stops a copy of the database being searched; online guessing is stopped by the lock.
 * - `maxWrongTries` (5) wrong passwords in a row lock the password for `lockMinutes`, per user —
 *   the same lock whatever contract is being signed; face recognition stays available meanwhile.
 *   A right password resets the count; the lock's end does too.
 * - Set, change and reset each need a just-spent face check (FaceProof); change also needs the
 *   current password (and counts a wrong one); reset is for the forgotten password and clears
 *   the lock. Comparison is constant-time (timingSafeEqual on equal-length digests).
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../errors';
import type { CasWrite } from '../ports/store';
import type { IdentityDeps } from './config';
import {
  checkFaceProof,
  loadSigningMethods,
  saveSigningMethods,
  signingMethodsView,
  SIGNING_METHODS_COLLECTION,
  withFaceProof,
  type FaceProof,
  type SigningMethodsDoc,
  type SigningMethodsView,
  type StoredPassword,
} from './signing-methods';

const scryptAsync = (password: Buffer, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));

/** VALIDATION_FAILED unless six digits that are not all the same or a straight run. */
export const checkPasswordRule = (password: unknown, field = '/password'): string => {
  if (typeof password !== 'string' || !/^\d{6}$/.test(password)) {
    throw new AppError('VALIDATION_FAILED', '签署密码须为6位数字', { fields: [{ field, rule: 'pattern' }] });
  }
  const d = [...password].map(Number);
  const steps = d.slice(1).map((x, i) => x - d[i]!);
  if (steps.every((s) => s === 0) || steps.every((s) => s === 1) || steps.every((s) => s === -1)) {
    throw new AppError('VALIDATION_FAILED', '签署密码过于简单，请勿使用相同或连续的数字', { fields: [{ field, rule: 'weak' }] });
  }
  return password;
};

const derive = async (deps: IdentityDeps, password: string, salt: Buffer, params: StoredPassword['params']): Promise<Buffer> => {
  const pepper = await deps.secrets.get('signing-password-pepper');
  const peppered = createHmac('sha256', pepper).update(password).digest();
  const N = 2 ** params.logN;
  // maxmem: scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly N=2^15, r=8, so leave room.
  return scryptAsync(peppered, salt, params.keyLength, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r });
};

/** A new hash with a new salt at the configured cost. */
export const hashPassword = async (deps: IdentityDeps, password: string): Promise<StoredPassword> => {
  const params = { ...deps.config.identity.signingPassword.scrypt };
  const salt = randomBytes(16);
  const hash = await derive(deps, password, salt, params);
  return { hash: hash.toString('base64'), salt: salt.toString('base64'), params, setAt: deps.clock.now().toISOString() };
};

/** Constant-time: the derived key against the stored one, both `keyLength` bytes. */
export const passwordMatches = async (deps: IdentityDeps, stored: StoredPassword, password: string): Promise<boolean> => {
  const expected = Buffer.from(stored.hash, 'base64');
  const got = await derive(deps, password, Buffer.from(stored.salt, 'base64'), stored.params);
  return got.length === expected.length && timingSafeEqual(got, expected);
};

const lockActive = (doc: SigningMethodsDoc, now: Date): number => (doc.passwordLockedUntil ? Date.parse(doc.passwordLockedUntil) - now.getTime() : 0);

export interface PasswordVerified {
  method: 'password';
  at: string;
}

/**
 * Checks the user's signing password, counting a wrong one. Refusals: SIGNING_PASSWORD_NOT_SET,
 * SIGNING_PASSWORD_LOCKED (details.retryAfterSeconds; also the answer to the wrong entry that
 * reaches the limit), SIGNING_PASSWORD_INCORRECT (details.attemptsLeft). Entries at the same
 * moment are each counted (compare-and-set on the version read, decided again when lost).
 */
export const verifySigningPassword = async (deps: IdentityDeps, input: { openid: string; password: string }): Promise<PasswordVerified> => {
  const cfg = deps.config.identity.signingPassword;
  let known = null as { salt: string; right: boolean } | null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const doc = await loadSigningMethods(deps, input.openid);
    if (!doc.password) throw new AppError('SIGNING_PASSWORD_NOT_SET');
    const now = deps.clock.now();
    const locked = lockActive(doc, now);
    if (locked > 0) throw new AppError('SIGNING_PASSWORD_LOCKED', undefined, { retryAfterSeconds: Math.ceil(locked / 1000) });
    // A format the password can never have is still a wrong entry: it is a guess like any other.
    if (known?.salt !== doc.password.salt) {
      const right = /^\d{6}$/.test(String(input.password)) && (await passwordMatches(deps, doc.password, String(input.password)));
      known = { salt: doc.password.salt, right };
    }
    // The lock has ended (or never began): the count starts again.
    const failures = doc.passwordLockedUntil ? 0 : doc.passwordFailures;
    const at = deps.clock.now();
    if (known.right) {
      const next: SigningMethodsDoc = { ...doc, passwordFailures: 0, passwordLockedUntil: null };
      if (failures === 0 && !doc.passwordLockedUntil) return { method: 'password', at: at.toISOString() };
      if (await deps.store.compareAndSet(SIGNING_METHODS_COLLECTION, next, doc.version ?? 0)) return { method: 'password', at: at.toISOString() };
      continue;
    }
    const count = failures + 1;
    const lockNow = count >= cfg.maxWrongTries;
    const next: SigningMethodsDoc = {
      ...doc,
      passwordFailures: lockNow ? 0 : count,
      passwordLockedUntil: lockNow ? new Date(at.getTime() + cfg.lockMinutes * 60_000).toISOString() : null,
    };
    if (await deps.store.compareAndSet(SIGNING_METHODS_COLLECTION, next, doc.version ?? 0)) {
      if (lockNow) throw new AppError('SIGNING_PASSWORD_LOCKED', undefined, { retryAfterSeconds: cfg.lockMinutes * 60 });
      throw new AppError('SIGNING_PASSWORD_INCORRECT', `签署密码错误，还可尝试${cfg.maxWrongTries - count}次`, { attemptsLeft: cfg.maxWrongTries - count });
    }
  }
  throw new AppError('CONFLICT', '验证过于频繁，请稍后重试');
};

/** 设置签署密码: the first password, after a face check. ALREADY_EXISTS when one is set (change or reset it). */
export const setSigningPassword = async (deps: IdentityDeps, input: { openid: string; password: string; faceProof: FaceProof; faceWrite?: CasWrite }): Promise<SigningMethodsView> => {
  const password = checkPasswordRule(input.password);
  const doc = await loadSigningMethods(deps, input.openid);
  checkFaceProof(deps, doc, input.openid, input.faceProof);
  if (doc.password) throw new AppError('ALREADY_EXISTS', '您已设置签署密码，如需更换请修改或重置');
  const stored = await hashPassword(deps, password);
  const saved = await saveSigningMethods(deps, doc, {
    ...doc, password: stored, passwordFailures: 0, passwordLockedUntil: null, recommended: 'password', faceChecksUsed: withFaceProof(doc, input.faceProof),
  }, input.faceWrite ? [input.faceWrite] : []);
  return signingMethodsView(saved, deps.clock.now());
};

/** 修改签署密码: the current password (a wrong one counts towards the lock) and a face check. */
export const changeSigningPassword = async (
  deps: IdentityDeps,
  input: { openid: string; currentPassword: string; newPassword: string; faceProof: FaceProof; faceWrite?: CasWrite },
): Promise<SigningMethodsView> => {
  const password = checkPasswordRule(input.newPassword, '/newPassword');
  const before = await loadSigningMethods(deps, input.openid);
  checkFaceProof(deps, before, input.openid, input.faceProof);
  await verifySigningPassword(deps, { openid: input.openid, password: input.currentPassword });
  const doc = await loadSigningMethods(deps, input.openid);
  const stored = await hashPassword(deps, password);
  const saved = await saveSigningMethods(deps, doc, {
    ...doc, password: stored, passwordFailures: 0, passwordLockedUntil: null, recommended: 'password', faceChecksUsed: withFaceProof(doc, input.faceProof),
  }, input.faceWrite ? [input.faceWrite] : []);
  return signingMethodsView(saved, deps.clock.now());
};

/** 重置签署密码 (forgotten, or locked): a face check alone; clears the lock. */
export const resetSigningPassword = async (deps: IdentityDeps, input: { openid: string; password: string; faceProof: FaceProof; faceWrite?: CasWrite }): Promise<SigningMethodsView> => {
  const password = checkPasswordRule(input.password);
  const doc = await loadSigningMethods(deps, input.openid);
  checkFaceProof(deps, doc, input.openid, input.faceProof);
  if (!doc.password) throw new AppError('SIGNING_PASSWORD_NOT_SET');
  const stored = await hashPassword(deps, password);
  const saved = await saveSigningMethods(deps, doc, {
    ...doc, password: stored, passwordFailures: 0, passwordLockedUntil: null, recommended: 'password', faceChecksUsed: withFaceProof(doc, input.faceProof),
  }, input.faceWrite ? [input.faceWrite] : []);
  return signingMethodsView(saved, deps.clock.now());
};
