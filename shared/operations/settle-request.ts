/** 申请结清 (I9): a party asks, with a reason and a passed face check. The flow is contracts/rescind-settle.ts. */
import type { SettleRequestInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';
import { proofOf } from '../identity/proof';

export const settleRequest: Operation<SettleRequestInput> = async (i, ctx) => act(ctx, i.contractId, 'settle_request', { reason: i.reason, proof: proofOf(i) });
