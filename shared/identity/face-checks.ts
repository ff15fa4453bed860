/**
 * Face checks (V1) as the product uses them: a check is started for one user, one purpose and (for
 * contract acts) one contract; it is valid for 2 hours and is used once. The provider only says
 * whether the face matched; binding and single use are ours, enforced here with a compare-and-set
 * so two requests cannot spend the same check.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { partyAt, type Contract } from '../domain/contract';
import type { CasWrite, Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import { applyRecord, decideRecord, FACE_CHECK_TABLE, faceCheckStatus, newRecord, type FaceCheckStatus } from '../lifecycle';

// Named once, in the light module the readers (events, certificates, report) import.
import { FACE_CHECKS } from './proof-records';
export { FACE_CHECKS };

/** `accept`: the payer's 确认领取 of a payee-initiated receipt (R2) — an act of will like signing, witnessed by the platform. */
/** `account`: the verified owner proves it is them for an account change (A2 phone change …), no contract.
 * `repayment_confirm`, `extension_*`: the IOU ledger's acts (L1, L3) — the lender agreeing money arrived, either party signing a supplement. */
/** `rename`: A3 — the owner's face against the NEW name and the same ID number (face-start with `name`). */
/** `signing_method`: the owner's face before a signing method is switched on or the signing password set, changed or reset (V2). */
export const FACE_PURPOSES = ['realname', 'account', 'rename', 'signing_method', 'sign', 'accept', 'rescind_request', 'rescind_confirm', 'settle_request', 'settle_confirm', 'repayment_confirm', 'extension_propose', 'extension_sign'] as const;
export type FacePurpose = (typeof FACE_PURPOSES)[number];

export interface FaceCheck extends Doc {
  _id: string; // the provider's BizToken
  openid: string;
  purpose: FacePurpose;
  contractId: string | null;
  /** SHA-256 of "name\nidNumber" the check was started for (no raw ID number stored here). */
  subject: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** Absent on checks stored before it existed: read it with faceCheckStatus. */
  status?: FaceCheckStatus;
  result: { errCode: number | null; errMsg: string } | null;
}

export const subjectHash = (name: string, idNumber: string): string => createHash('sha256').update(`${name}\n${idNumber}`).digest('hex');

export const startFaceCheck = async (
  deps: Deps,
  input: { openid: string; purpose: FacePurpose; contractId: string | null; name: string; idNumber: string },
): Promise<{ bizToken: string; expiresAt: string; url?: string }> => {
  let started;
  try {
    started = await deps.face.start({ name: input.name, idNumber: input.idNumber });
  } catch (e) {
    deps.log.warn({ err: e }, 'face provider failed to start');
    throw new AppError('PROVIDER_ERROR', '人脸核身服务暂时不可用，请稍后再试');
  }
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.faceCheckTtlMinutes * 60_000).toISOString();
  await deps.store.insert(FACE_CHECKS, newRecord(FACE_CHECK_TABLE, {
    _id: started.bizToken, openid: input.openid, purpose: input.purpose, contractId: input.contractId,
    subject: subjectHash(input.name, input.idNumber), createdAt: now.toISOString(), expiresAt, usedAt: null, result: null,
  }));
  return { bizToken: started.bizToken, expiresAt, ...(started.url ? { url: started.url } : {}) };
};

const refuse = (reason: string, extra: Record<string, unknown> = {}): never => {
  throw new AppError('IDENTITY_CHECK_FAILED', undefined, { reason, ...extra });
};

/**
 * Spends a passed check of this user for this purpose (and contract). Anything else — another
 * user's token, another purpose or contract, expired, used, not passed — is IDENTITY_CHECK_FAILED
 * with a reason, and the check stays as it was unless it was spent.
 */
/**
 * A passed check, ready to be spent by the caller's own commit (one commit per operation): the
 * check as it will be stored (`used`) and the compare-and-set write that stores it. Until that
 * commit lands the check stays usable — an act whose contract write loses is retried with the same
 * face check, not a new scan. A failed provider result is spent here at once (that check can never pass).
 */
export const prepareFaceCheck = async (
  deps: Deps,
  input: { bizToken: string; openid: string; purpose: FacePurpose; contractId: string | null; subject?: string },
): Promise<{ check: FaceCheck; write: CasWrite }> => {
  const check = await deps.store.get<FaceCheck>(FACE_CHECKS, input.bizToken);
  if (!check || check.openid !== input.openid) return refuse('unknown');
  if (check.purpose !== input.purpose || check.contractId !== input.contractId) return refuse('wrong_purpose');
  if (input.subject !== undefined && check.subject !== input.subject) return refuse('wrong_person');
  const now = deps.clock.now().toISOString();
  const state = faceCheckStatus(check, now);
  if (state === 'used' || state === 'failed') return refuse('used');
  if (state === 'expired') return refuse('expired');
  let result;
  try {
    result = await deps.face.result(input.bizToken);
  } catch (e) {
    deps.log.warn({ err: e }, 'face provider failed to answer');
    throw new AppError('PROVIDER_ERROR', '人脸核身服务暂时不可用，请稍后再试');
  }
  if (result.errCode === null) return refuse('not_done');
  if (!result.passed) {
    // A failed check is spent: the person must start a new one.
    await deps.store.compareAndSet(FACE_CHECKS, applyRecord(check, decideRecord(FACE_CHECK_TABLE, state, 'fail'), { usedAt: now, result: { errCode: result.errCode, errMsg: result.errMsg } }), check.version ?? 0);
    return refuse('not_passed', { providerCode: result.errCode });
  }
  const spent: FaceCheck = applyRecord(check, decideRecord(FACE_CHECK_TABLE, state, 'use'), { usedAt: now, result: { errCode: result.errCode, errMsg: result.errMsg } });
  return { check: spent, write: { collection: FACE_CHECKS, doc: spent, expectedVersion: check.version ?? 0 } };
};

/** Spends a passed check on its own (a caller whose commit cannot carry it); see prepareFaceCheck. */
export const consumeFaceCheck = async (
  deps: Deps,
  input: { bizToken: string; openid: string; purpose: FacePurpose; contractId: string | null; subject?: string },
): Promise<FaceCheck> => {
  const { check, write } = await prepareFaceCheck(deps, input);
  if (!(await deps.store.compareAndSet(FACE_CHECKS, write.doc, write.expectedVersion))) return refuse('used');
  return check;
};

/**
 * Spends a face check for an act on a contract (sign, accept, rescind, settle): besides being this
 * user's check for this purpose and contract, it must have been made of the person the contract
 * names for the caller's place in it (`index` in its parties). An account re-verified as someone else (A3: renamed) can no longer
 * act on the contracts made under the old identity — the certificate would name one person and the
 * face would be another's.
 */
export const preparePartyFaceCheck = (
  deps: Deps,
  contract: Contract,
  index: number,
  input: { bizToken: string; openid: string; purpose: Exclude<FacePurpose, 'realname'> },
): Promise<{ check: FaceCheck; write: CasWrite }> => {
  const details = partyAt(contract, index).details;
  if (!details) return refuse('wrong_person');
  return prepareFaceCheck(deps, { ...input, contractId: contract._id, subject: subjectHash(details.name, details.idNumber) });
};
