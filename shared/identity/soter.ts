/**
 * Fingerprint and face ID (指纹 / 面容 ID, V2) through WeChat SOTER. Part of shared/identity/ (see
 * config.ts); the provider is the SoterVerifier port (shared/ports/soter.ts).
 *
 * 1. `issueSoterChallenge`: the server makes a one-time challenge (128 random bits) bound to the
 *    user, the contract (or null for switching a mode on) and the act, valid
 *    `soter.challengeTtlSeconds`; stored in soter_challenges under the challenge itself.
 * 2. The mini-program passes it as `challenge` to `wx.startSoterAuthentication`; the phone signs
 *    a resultJSON whose `raw` is the challenge.
 * 3. `verifySoter`: WeChat confirms the signature is this user's device key (the port), and we
 *    confirm `raw` is our challenge for this user, contract and act, unexpired and unused; the
 *    challenge is then spent by compare-and-set. A forged signature spends it too (one challenge,
 *    one attempt), a replay finds it spent. Every refusal is SOTER_VERIFY_FAILED with
 *    details.reason; nothing else changes.
 *
 * Challenge statuses move by lifecycle/soter-challenge.ts: issued → used (verified) | failed
 * (signature refused). Expiry is a moment, not a state.
 */
import { AppError } from '../errors';
import { SOTER_MODES, type SoterMode } from '../ports/soter';
import type { CasWrite, Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import { applyRecord, decideRecord, newRecord, SOTER_CHALLENGE_TABLE, type SoterChallengeStatus } from '../lifecycle';
import type { SoterDeps } from './config';
import {
  checkFaceProof,
  loadSigningMethods,
  requireMethodEnabled,
  saveSigningMethods,
  signingMethodsView,
  withFaceProof,
  type FaceProof,
  type SigningMethodsView,
} from './signing-methods';

// Named once, in the light module the readers import.
import { SOTER_CHALLENGES } from './proof-records';
export { SOTER_CHALLENGES };

/** The acts a SOTER check can stand for: the contract acts that take an identity check, and switching a mode on. */
export const SOTER_ACTS = ['sign', 'accept', 'rescind_request', 'rescind_confirm', 'settle_request', 'settle_confirm', 'repayment_confirm', 'extension_propose', 'extension_sign', 'enable_method'] as const;
export type SoterAct = (typeof SOTER_ACTS)[number];

export type ChallengeStatus = SoterChallengeStatus;

export interface SoterChallenge extends Doc {
  _id: string; // the challenge string itself
  openid: string;
  contractId: string | null;
  act: SoterAct;
  status: ChallengeStatus;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** Set when spent: the mode the phone used and its evidence (the signing record names them). */
  mode?: SoterMode;
  counter?: number | null;
  tee?: string | null;
}

/** What the mini-program sends back from wx.startSoterAuthentication's success callback. */
export interface SoterAnswer {
  authMode: string;
  resultJSON: string;
  resultJSONSignature: string;
}

export interface SoterVerified {
  method: SoterMode;
  challenge: string;
  /** The device's anti-replay counter and TEE name, kept with the event as evidence. */
  counter: number | null;
  tee: string | null;
  at: string;
}

const refuse = (reason: string): never => {
  throw new AppError('SOTER_VERIFY_FAILED', undefined, { reason });
};

const isAct = (v: unknown): v is SoterAct => typeof v === 'string' && (SOTER_ACTS as readonly string[]).includes(v);
const isMode = (v: unknown): v is SoterMode => typeof v === 'string' && (SOTER_MODES as readonly string[]).includes(v);

/**
 * A new challenge for this user, contract and act. A contract act needs a contractId; switching a
 * mode on ('enable_method') takes none. The caller has checked that the user may act on the
 * contract (a stranger gets NOT_FOUND there, before this).
 */
export const newSoterChallenge = (
  deps: SoterDeps,
  input: { openid: string; contractId: string | null; act: SoterAct },
): SoterChallenge => {
  if (!isAct(input.act)) throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/act', rule: 'enum' }] });
  if ((input.act === 'enable_method') !== (input.contractId === null)) {
    throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/contractId', rule: input.act === 'enable_method' ? 'absent' : 'required' }] });
  }
  const now = deps.clock.now();
  const challenge = `sc_${deps.ids.token(16)}`;
  const expiresAt = new Date(now.getTime() + deps.config.identity.soter.challengeTtlSeconds * 1000).toISOString();
  return newRecord(SOTER_CHALLENGE_TABLE, { _id: challenge, openid: input.openid, contractId: input.contractId, act: input.act, createdAt: now.toISOString(), expiresAt, usedAt: null });
};

/** A new challenge stored on its own (signing-challenge stores it in the commit that counts it). */
export const issueSoterChallenge = async (
  deps: SoterDeps,
  input: { openid: string; contractId: string | null; act: SoterAct },
): Promise<{ challenge: string; expiresAt: string }> => {
  const doc = newSoterChallenge(deps, input);
  await deps.store.insert(SOTER_CHALLENGES, doc);
  return { challenge: doc._id, expiresAt: doc.expiresAt };
};

/** resultJSON parsed just enough: an object with a string `raw`; anything else is 'malformed'. */
const parseResult = (json: unknown): { raw: string; counter: number | null; tee: string | null } => {
  if (typeof json !== 'string' || json.length > 4096) return refuse('malformed');
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return refuse('malformed');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return refuse('malformed');
  const o = v as Record<string, unknown>;
  if (typeof o.raw !== 'string' || o.raw === '') return refuse('malformed');
  return { raw: o.raw, counter: typeof o.counter === 'number' ? o.counter : null, tee: typeof o.tee_n === 'string' ? o.tee_n.slice(0, 64) : null };
};

/**
 * Verifies a SOTER answer for this user, contract and act; the challenge as it will be stored
 * (`used`) and its compare-and-set write come back, to be spent by the act's own commit (until then
 * a retry of the same answer can still win; a second use loses the compare-and-set).
 * A contract act with a mode the user has not switched on is SIGNING_METHOD_NOT_ENABLED.
 * details.reason of SOTER_VERIFY_FAILED: 'malformed' (resultJSON, signature or mode),
 * 'unknown_challenge' (not ours, or another user's), 'wrong_binding' (another contract or act),
 * 'expired', 'replayed' (spent already, or spent by a concurrent request), 'bad_signature'
 * (WeChat says the signature is not this user's device). PROVIDER_ERROR when WeChat cannot answer
 * (the challenge stays unspent, so the user may retry).
 */
export const prepareSoter = async (
  deps: SoterDeps,
  input: { openid: string; contractId: string | null; act: SoterAct; answer: SoterAnswer },
): Promise<{ verified: SoterVerified; write: CasWrite }> => {
  const { answer } = input;
  if (!answer || typeof answer !== 'object' || !isMode(answer.authMode) || typeof answer.resultJSONSignature !== 'string' || answer.resultJSONSignature === '') refuse('malformed');
  const mode = answer.authMode as SoterMode;
  const result = parseResult(answer.resultJSON);
  if (input.act !== 'enable_method') requireMethodEnabled(await loadSigningMethods(deps, input.openid), mode);

  const ch = await deps.store.get<SoterChallenge>(SOTER_CHALLENGES, result.raw);
  if (!ch || ch.openid !== input.openid) return refuse('unknown_challenge');
  if (ch.contractId !== input.contractId || ch.act !== input.act) return refuse('wrong_binding');
  if (ch.status !== 'issued') return refuse('replayed');
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(ch.expiresAt)) return refuse('expired');

  let ok: boolean;
  try {
    ok = await deps.soter.verifySignature({ openid: input.openid, jsonString: answer.resultJSON, jsonSignature: answer.resultJSONSignature });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('PROVIDER_ERROR', '指纹或面容 ID 验证服务暂时不可用，请稍后再试或使用人脸识别', { provider: 'soter' });
  }
  const at = deps.clock.now().toISOString();
  const next: SoterChallenge = applyRecord(ch, decideRecord(SOTER_CHALLENGE_TABLE, ch.status, ok ? 'verified' : 'refused'), {
    usedAt: at,
    ...(ok ? { mode, counter: result.counter, tee: result.tee } : {}),
  });
  if (!ok) {
    // A refused signature spends the challenge at once (one challenge, one attempt), like a failed face check.
    await deps.store.compareAndSet(SOTER_CHALLENGES, next, ch.version ?? 0);
    return refuse('bad_signature');
  }
  return {
    verified: { method: mode, challenge: ch._id, counter: result.counter, tee: result.tee, at },
    write: { collection: SOTER_CHALLENGES, doc: next, expectedVersion: ch.version ?? 0 },
  };
};

/** Verifies and spends the challenge on its own (a caller whose commit cannot carry it); see prepareSoter. */
export const verifySoter = async (
  deps: SoterDeps,
  input: { openid: string; contractId: string | null; act: SoterAct; answer: SoterAnswer },
): Promise<SoterVerified> => {
  const { verified, write } = await prepareSoter(deps, input);
  if (!(await deps.store.compareAndSet(SOTER_CHALLENGES, write.doc, write.expectedVersion))) return refuse('replayed');
  return verified;
};

/**
 * 开启指纹 / 面容 ID: a just-spent face check, then a SOTER check of the mode on the phone over an
 * 'enable_method' challenge (the guide: "人脸识别通过后再验证指纹即可完成授权"). The mode becomes
 * the recommended method.
 */
export const enableSoterMode = async (
  deps: SoterDeps,
  input: { openid: string; mode: SoterMode; faceProof: FaceProof; answer: SoterAnswer; faceWrite?: CasWrite },
): Promise<SigningMethodsView> => {
  if (!isMode(input.mode)) throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/mode', rule: 'enum' }] });
  const before = await loadSigningMethods(deps, input.openid);
  checkFaceProof(deps, before, input.openid, input.faceProof);
  if (input.answer?.authMode !== input.mode) refuse('malformed');
  // The face check, the challenge and the switch: one commit (a lost race spends neither check).
  const { write } = await prepareSoter(deps, { openid: input.openid, contractId: null, act: 'enable_method', answer: input.answer });
  const doc = await loadSigningMethods(deps, input.openid);
  const saved = await saveSigningMethods(deps, doc, {
    ...doc,
    soter: { ...doc.soter, [input.mode]: { enabledAt: deps.clock.now().toISOString() } },
    recommended: input.mode,
    faceChecksUsed: withFaceProof(doc, input.faceProof),
  }, [write, ...(input.faceWrite ? [input.faceWrite] : [])]);
  return signingMethodsView(saved, deps.clock.now());
};
