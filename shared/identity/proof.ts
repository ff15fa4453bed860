/**
 * The one proof-of-person step of every act that needs the person (V1, V2): signing, 确认领取,
 * rescind / settle requests and confirmations, the ledger's confirmations and supplements. The
 * caller proves it is them by exactly one of
 *   - `bizToken`: a passed face check for this act and contract (face recognition, always available);
 *   - `password`: the signing password (签署密码), if set and not locked;
 *   - `soter`: wx.startSoterAuthentication's answer over a challenge issued for this user, contract
 *     and act (signing-challenge), in a mode the user switched on (指纹 / 面容 ID).
 * What comes back is the proof's id and the compare-and-set write that spends it; the act puts the
 * write in its own commit (one commit per operation), so a lost commit leaves the proof usable for
 * the retry and a proof can never serve two acts. The id is what the act's event, the party's
 * signature and the ledger record name as `faceCheckId` — a face check's BizToken, a SOTER
 * challenge (`sc_…`, which records the mode once spent) or a password use (`pw_…`, a record of
 * signing_proofs) — and `describeProofs` turns ids back into the method, for the event list, the
 * certificate view and the evidence report.
 *
 * A password or a phone's key proves the account, not the face: the account's verified name and ID
 * number must be those the contract names for this party (after a rename, A3, only a face check of
 * the named person could act, and preparePartyFaceCheck checks that itself).
 */
import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';
import type { CasWrite } from '../ports/store';
import { preparePartyFaceCheck } from './face-checks';
import { SIGNING_PROOFS, type SigningProof } from './proof-records';
import type { SigningMethod } from './signing-methods';
import { verifySigningPassword } from './signing-password';
import { prepareSoter, type SoterAct, type SoterAnswer } from './soter';
import { requireNamedPerson } from './users';

export { SIGNING_PROOFS, describeProofs, METHOD_LABELS, type ProofDescription } from './proof-records';

/** The acts a proof of person stands for (each is a face-check purpose and a SOTER act). */
export type ProofAct = Exclude<SoterAct, 'enable_method'>;

/** The three forms, as the acts' input schemas carry them. */
export interface ProofInput {
  bizToken?: string | undefined;
  password?: string | undefined;
  soter?: SoterAnswer | undefined;
}


export interface PreparedProof {
  /** `_id`: what the act records as its `faceCheckId`; `method`: how the person proved it. */
  check: { _id: string; method: SigningMethod };
  write: CasWrite;
}

/** Just the three fields of an act's input (so an operation passes `proofOf(input)`). */
export const proofOf = (input: ProofInput): ProofInput => ({ bizToken: input.bizToken, password: input.password, soter: input.soter });

const requireOneForm = (input: ProofInput): 'face' | 'password' | 'soter' => {
  const given = (['bizToken', 'password', 'soter'] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    throw new AppError('VALIDATION_FAILED', '请选择一种签署验证方式：人脸识别、签署密码或指纹/面容 ID', {
      fields: [{ field: `/${given[1] ?? 'bizToken'}`, rule: given.length === 0 ? 'required' : 'oneOf' }],
    });
  }
  return given[0] === 'bizToken' ? 'face' : given[0]!;
};


/**
 * Checks the caller's proof for `act` on this contract, as party `index`. Refusals are those of
 * the method (IDENTITY_CHECK_FAILED, SIGNING_PASSWORD_*, SIGNING_METHOD_NOT_ENABLED,
 * SOTER_VERIFY_FAILED, IDENTITY_MISMATCH) or VALIDATION_FAILED for none or more than one form. A
 * wrong password is counted (and may lock) and a refused SOTER signature spends its challenge at
 * once; anything else is spent only by the act's commit.
 */
export const preparePartyProof = async (
  deps: Deps,
  contract: Contract,
  index: number,
  input: ProofInput & { openid: string; purpose: ProofAct },
): Promise<PreparedProof> => {
  const form = requireOneForm(input);
  if (form === 'face') {
    const { check, write } = await preparePartyFaceCheck(deps, contract, index, { bizToken: input.bizToken!, openid: input.openid, purpose: input.purpose });
    return { check: { _id: check._id, method: 'face' }, write };
  }
  await requireNamedPerson(deps, contract, index, input.openid);
  if (form === 'password') {
    const used = await verifySigningPassword(deps, { openid: input.openid, password: input.password! });
    const proof: SigningProof = { _id: `pw_${deps.ids.token(16)}`, openid: input.openid, contractId: contract._id, act: input.purpose, method: 'password', at: used.at };
    return { check: { _id: proof._id, method: 'password' }, write: { collection: SIGNING_PROOFS, doc: proof, expectedVersion: 0 } };
  }
  const { verified, write } = await prepareSoter(deps, { openid: input.openid, contractId: contract._id, act: input.purpose, answer: input.soter! });
  return { check: { _id: verified.challenge, method: verified.method }, write };
};
