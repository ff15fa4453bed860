import type { ContractRevokeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { closeDraftOrder } from '../payments/draft-orders';
import { runTransition } from '../contracts/transition';
import { contractView } from '../contracts/views';

/**
 * 撤销 (C3): the initiator withdraws while the other party has done nothing; the other party no
 * longer sees it. A draft's open WeChat Pay order is closed after the commit (F2, payments/draft-orders.ts):
 * the revoke never fails for it, and nothing is left to pay for a contract that can no longer start.
 */
export const contractRevoke: Operation<ContractRevokeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract } = await runTransition(ctx.deps, { contractId: input.contractId, action: 'revoke', by: { openid }, closeOpenOrder: closeDraftOrder });
  return contractView(contract, 0, ctx.deps.clock.now().toISOString());
};
