import type { ContractRejectInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { runTransition } from '../contracts/transition';
import { contractView } from '../contracts/views';

/** 拒签 (C4): a party whose turn it is refuses with a reason; the flow ends and the other party is told. */
export const contractReject: Operation<ContractRejectInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract, index } = await runTransition(ctx.deps, { contractId: input.contractId, action: 'reject', by: { openid }, reason: input.reason });
  return contractView(contract, index ?? 1, ctx.deps.clock.now().toISOString());
};
