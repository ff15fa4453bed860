/**
 * signing-challenge (V2): a one-time SOTER challenge for wx.startSoterAuthentication, bound to the
 * caller, the contract and the act (shared/identity/soter.ts). Only a party of the contract gets one
 * (a stranger: NOT_FOUND), and only for the person the contract names for them; `enable_method`
 * (switching fingerprint / face ID on) takes no contract. Counted (M2 `soter_challenge`) in the commit
 * that stores it: each challenge is one WeChat verify_signature call at most.
 */
import { AppError } from '../errors';
import type { SigningChallengeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { newSoterChallenge, SOTER_CHALLENGES } from '../identity/soter';
import { requireNamedPerson, requireRealName } from '../identity/users';
import { commitLimited } from '../messages/limits';

export const signingChallenge: Operation<SigningChallengeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  let contractId: string | null = null;
  if (input.act !== 'enable_method') {
    if (!input.contractId) throw new AppError('VALIDATION_FAILED', '请指定合同', { fields: [{ field: '/contractId', rule: 'required' }] });
    // A stranger learns nothing, not even whether they are verified: NOT_FOUND first.
    const { contract, index } = await loadAsParty(deps, input.contractId, openid);
    await requireNamedPerson(deps, contract, index, openid);
    contractId = contract._id;
  } else {
    if (input.contractId) throw new AppError('VALIDATION_FAILED', '开启指纹或面容 ID 无需指定合同', { fields: [{ field: '/contractId', rule: 'forbidden' }] });
    await requireRealName(deps, openid);
  }
  const doc = newSoterChallenge(deps, { openid, contractId, act: input.act });
  // The counter and the challenge: one commit.
  await commitLimited(deps, 'soter_challenge', { caller: openid, ...(contractId ? { contractId } : {}) }, () => [{ collection: SOTER_CHALLENGES, docs: [doc] }]);
  return { challenge: doc._id, expiresAt: doc.expiresAt };
};
