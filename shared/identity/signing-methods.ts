/**
 * A user's signing methods (签署验证方式, V2): face recognition (人脸识别, always available), a
 * signing password (签署密码), fingerprint (指纹) and face ID (面容 ID) through WeChat SOTER.
 * Part of shared/identity/ (see config.ts): imports rules, ports, store/collections and errors only.
 *
 * One document per user in signing_methods (`_id` = openid) holds the password's hash and its
 * lock, the SOTER modes switched on, and which method is recommended first at signing: the one
 * switched on last (V2; the guide: "开启后，后续合同签署将优先推荐…"). Switching a method on (or
 * setting, changing, resetting the password) needs a face check the caller has just spent —
 * `FaceProof` — which is recorded so that one check cannot switch on two things. Switching off
 * needs none (it only takes a way of signing away).
 *
 * This file: the document, the face-proof check, the view and the switches shared by
 * signing-password.ts and soter.ts.
 */
import { AppError } from '../errors';
import type { SoterMode } from '../ports/soter';
import type { CasWrite, Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import type { IdentityDeps } from './config';

export const SIGNING_METHODS_COLLECTION = collectionName('signingMethods');

/** `face` is the face check of shared/operations (FaceVerifier), always available. */
export const SIGNING_METHODS = ['face', 'password', 'fingerPrint', 'facial'] as const;
export type SigningMethod = (typeof SIGNING_METHODS)[number];

/** The face-check purpose a check must have been started for to change signing methods. */
export const SIGNING_METHOD_FACE_PURPOSE = 'signing_method';

/**
 * A face check the caller has just spent (kit/face-checks `consumeFaceCheck` returns one). Only
 * the fields read here, so this module does not depend on the operations' type.
 */
export interface FaceProof {
  _id: string;
  openid: string;
  purpose: string;
  usedAt: string | null;
  result: { errCode: number | null } | null;
}

export interface StoredPassword {
  /** scrypt(HMAC-SHA256(pepper, password), salt), base64. */
  hash: string;
  /** 16 random bytes, base64, new on every set/change/reset. */
  salt: string;
  /** The cost this hash was made with (raising the configured cost does not break old hashes). */
  params: { logN: number; r: number; p: number; keyLength: number };
  setAt: string;
}

export interface SigningMethodsDoc extends Doc {
  _id: string;
  password: StoredPassword | null;
  /** Wrong passwords in a row since the last right one or the last lock's end. */
  passwordFailures: number;
  /** While set and in the future, no password is checked (per user, whatever the contract). */
  passwordLockedUntil: string | null;
  soter: Record<SoterMode, { enabledAt: string } | null>;
  /** What the signing page offers first: the method switched on last, else face recognition. */
  recommended: SigningMethod;
  /** Face checks spent on changes here, newest last (a few): one check, one change. */
  faceChecksUsed: string[];
  updatedAt: string;
}

export const emptySigningMethods = (openid: string, at: string): SigningMethodsDoc => ({
  _id: openid,
  password: null,
  passwordFailures: 0,
  passwordLockedUntil: null,
  soter: { fingerPrint: null, facial: null },
  recommended: 'face',
  faceChecksUsed: [],
  updatedAt: at,
});

export const loadSigningMethods = async (deps: IdentityDeps, openid: string): Promise<SigningMethodsDoc> =>
  (await deps.store.get<SigningMethodsDoc>(SIGNING_METHODS_COLLECTION, openid)) ?? emptySigningMethods(openid, deps.clock.now().toISOString());

const refuseFace = (reason: string): never => {
  throw new AppError('IDENTITY_CHECK_FAILED', undefined, { reason });
};

/**
 * The proof is this user's passed face check for signing methods, spent within
 * `faceProofMaxAgeMinutes`, and not used for another change here. IDENTITY_CHECK_FAILED
 * (details.reason 'wrong_user' | 'wrong_purpose' | 'not_passed' | 'stale' | 'used') otherwise.
 */
export const checkFaceProof = (deps: IdentityDeps, doc: SigningMethodsDoc, openid: string, proof: FaceProof): void => {
  if (proof.openid !== openid) refuseFace('wrong_user');
  if (proof.purpose !== SIGNING_METHOD_FACE_PURPOSE) refuseFace('wrong_purpose');
  if (!proof.usedAt || proof.result?.errCode !== 0) refuseFace('not_passed');
  const age = deps.clock.now().getTime() - Date.parse(proof.usedAt!);
  if (!(age >= 0 && age <= deps.config.identity.faceProofMaxAgeMinutes * 60_000)) refuseFace('stale');
  if (doc.faceChecksUsed.includes(proof._id)) refuseFace('used');
};

export const withFaceProof = (doc: SigningMethodsDoc, proof: FaceProof): string[] => [...doc.faceChecksUsed, proof._id].slice(-10);

/** Methods switched on, face recognition first, then the others by when they were switched on. */
export const enabledMethods = (doc: SigningMethodsDoc): SigningMethod[] => {
  const on: Array<[SigningMethod, string]> = [];
  if (doc.password) on.push(['password', doc.password.setAt]);
  for (const mode of ['fingerPrint', 'facial'] as const) {
    const m = doc.soter[mode];
    if (m) on.push([mode, m.enabledAt]);
  }
  return ['face', ...on.sort((a, b) => a[1].localeCompare(b[1])).map(([m]) => m)];
};

/** After a method is switched off: the one switched on most recently of those left, else face. */
export const recommendedAfterOff = (doc: SigningMethodsDoc): SigningMethod => {
  const on = enabledMethods(doc);
  return on[on.length - 1]!;
};

export interface SigningMethodsView {
  /** What the signing page may offer, face recognition always included. */
  available: SigningMethod[];
  recommended: SigningMethod;
  password: { set: boolean; lockedUntil: string | null };
}

/** The owner's view (no hash, salt or face-check ids). */
export const signingMethodsView = (doc: SigningMethodsDoc, now: Date): SigningMethodsView => ({
  available: enabledMethods(doc),
  recommended: doc.recommended,
  password: {
    set: doc.password !== null,
    lockedUntil: doc.passwordLockedUntil && Date.parse(doc.passwordLockedUntil) > now.getTime() ? doc.passwordLockedUntil : null,
  },
});

/**
 * Writes the document by compare-and-set (insert when it did not exist), in one commit with
 * `writes` (the face check, the SOTER challenge this change spends); a lost race is CONFLICT,
 * nothing half-written and nothing spent. Returns the stored document.
 */
export const saveSigningMethods = async (deps: IdentityDeps, before: SigningMethodsDoc, after: SigningMethodsDoc, writes: readonly CasWrite[] = []): Promise<SigningMethodsDoc> => {
  const next = { ...after, updatedAt: deps.clock.now().toISOString() };
  const expectedVersion = before.version ?? 0;
  const r = await deps.store.commit([{ collection: SIGNING_METHODS_COLLECTION, doc: next, expectedVersion }, ...writes]);
  if (!r.ok) throw new AppError('CONFLICT', '签署验证方式刚刚被更新，请刷新后重试');
  return { ...next, version: expectedVersion + 1 };
};

/** Switches a method off (no face check: it only takes a way of signing away). Idempotent. */
export const disableSigningMethod = async (deps: IdentityDeps, input: { openid: string; method: Exclude<SigningMethod, 'face'> }): Promise<SigningMethodsView> => {
  const doc = await loadSigningMethods(deps, input.openid);
  const off: SigningMethodsDoc =
    input.method === 'password'
      ? { ...doc, password: null, passwordFailures: 0, passwordLockedUntil: null }
      : { ...doc, soter: { ...doc.soter, [input.method]: null } };
  const next = { ...off, recommended: doc.recommended === input.method ? recommendedAfterOff(off) : doc.recommended };
  const saved = doc.version === undefined ? next : await saveSigningMethods(deps, doc, next);
  return signingMethodsView(saved, deps.clock.now());
};

/** Refuses a method the user has not switched on (face recognition is always on). */
export const requireMethodEnabled = (doc: SigningMethodsDoc, method: SigningMethod): void => {
  if (!enabledMethods(doc).includes(method)) throw new AppError('SIGNING_METHOD_NOT_ENABLED', undefined, { method });
};
