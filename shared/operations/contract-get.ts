import type { ContractGetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { contractView } from '../contracts/views';
import { ORDERS, type Order } from '../payments/orders';
import { refundView } from '../payments/refunds';

/**
 * Contract detail (C7) for a party; NOT_FOUND for anyone else. With it, the refunds of the
 * caller's own payments for this contract (issue 16 item 5: its initiation, its evidence reports),
 * each with its status in the product's words — the payer sees where the money went.
 */
export const contractGet: Operation<ContractGetInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract, index } = await loadAsParty(ctx.deps, input.contractId, openid);
  const orders = await ctx.deps.store.find<Order>(ORDERS, { contractId: contract._id, openid }, { orderBy: [['createdAt', 'asc']], limit: 100 });
  const refunds = orders.flatMap(refundView);
  return { ...contractView(contract, index, ctx.deps.clock.now().toISOString()), refunds };
};
