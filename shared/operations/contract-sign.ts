import type { ContractSignInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../runtime/operation';
import { loadAsParty } from './kit/contracts';
import { consumeFaceCheck } from './kit/face-checks';
import { preview, runTransition } from './kit/transition';
import { contractView } from './kit/views';

/**
 * Signing (C5, I7): the table must allow this party to sign now — checked before the face check
 * is spent — then a passed face check of this user for this contract is spent and the signature
 * recorded in the same commit as the state change.
 */
export const contractSign: Operation<ContractSignInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  preview(contract, 'sign', { openid }, deps.clock.now().toISOString());
  const check = await consumeFaceCheck(deps, { bizToken: input.bizToken, openid, purpose: 'sign', contractId: contract._id });
  const { contract: after, role } = await runTransition(deps, {
    contractId: contract._id, action: 'sign', by: { openid }, faceCheckId: check._id, current: contract,
    signature: { type: input.signature.type, ref: input.signature.ref ?? null },
  });
  return contractView(after, role ?? 'counterparty', deps.clock.now().toISOString());
};
