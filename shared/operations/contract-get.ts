import type { ContractGetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { contractView } from '../contracts/views';

/** Contract detail (C7) for a party; NOT_FOUND for anyone else. */
export const contractGet: Operation<ContractGetInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract, index } = await loadAsParty(ctx.deps, input.contractId, openid);
  return contractView(contract, index, ctx.deps.clock.now().toISOString());
};
