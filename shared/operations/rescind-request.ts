/** 申请解除 (C6): a party asks, with a reason and a passed face check. The flow is contracts/rescind-settle.ts. */
import type { RescindRequestInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';
import { proofOf } from '../identity/proof';

export const rescindRequest: Operation<RescindRequestInput> = async (i, ctx) => act(ctx, i.contractId, 'rescind_request', { reason: i.reason, proof: proofOf(i) });
