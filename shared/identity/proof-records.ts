/**
 * The records behind a proof of person's id (shared/identity/proof.ts) and how they read back: a
 * face check (face_checks), a spent SOTER challenge (soter_challenges, with its mode), a signing
 * password's use (signing_proofs). Kept apart from proof.ts so that the readers — the event list,
 * the certificate view, the evidence report — carry no face-check or password code in their
 * bundles (they call no provider).
 */
import type { Deps } from '../ports/operation';
import type { Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import type { FaceCheck } from './face-checks';
import type { SigningMethod } from './signing-methods';
import type { SoterAct, SoterChallenge } from './soter';

export const SIGNING_PROOFS = collectionName('signingProofs');
export const FACE_CHECKS = collectionName('faceChecks');
export const SOTER_CHALLENGES = collectionName('soterChallenges');

/** A signing password used for one act. */
export interface SigningProof extends Doc {
  _id: string; // pw_…
  openid: string;
  contractId: string;
  act: Exclude<SoterAct, 'enable_method'>;
  method: 'password';
  at: string;
}

/** What a proof id stands for, as the event list, the certificate view and the report show it. */
export interface ProofDescription {
  method: SigningMethod;
  passed: boolean;
}

/** The product's words for each method (签署验证方式). */
export const METHOD_LABELS: Record<SigningMethod, string> = { face: '人脸核身', password: '签署密码', fingerPrint: '指纹', facial: '面容 ID' };

/**
 * Reads what each id names (in parallel): a face check (passed or not), a spent SOTER challenge
 * (its mode), a password use. Unknown ids are left out.
 */
export const describeProofs = async (deps: Pick<Deps, 'store'>, ids: readonly string[]): Promise<Map<string, ProofDescription>> => {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map(async (id): Promise<[string, ProofDescription] | null> => {
    if (id.startsWith('pw_')) {
      const p = await deps.store.get<SigningProof>(SIGNING_PROOFS, id);
      return p ? [id, { method: 'password', passed: true }] : null;
    }
    if (id.startsWith('sc_')) {
      const c = await deps.store.get<SoterChallenge>(SOTER_CHALLENGES, id);
      return c?.mode ? [id, { method: c.mode, passed: c.status === 'used' }] : null;
    }
    const f = await deps.store.get<FaceCheck>(FACE_CHECKS, id);
    return f ? [id, { method: 'face', passed: f.result?.errCode === 0 }] : null;
  }));
  return new Map(found.filter((x): x is [string, ProofDescription] => x !== null));
};
