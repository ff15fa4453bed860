import type { ContractRevokeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../runtime/operation';
import { runTransition } from './kit/transition';
import { contractView } from './kit/views';

/** 撤销 (C3): the initiator withdraws while the other party has done nothing; the other party no longer sees it. */
export const contractRevoke: Operation<ContractRevokeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract } = await runTransition(ctx.deps, { contractId: input.contractId, action: 'revoke', by: { openid } });
  return contractView(contract, 'initiator', ctx.deps.clock.now().toISOString());
};
