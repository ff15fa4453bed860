/** The requester withdraws their settle request (结清, I9). The flow is contracts/rescind-settle.ts. */
import type { SettleCancelInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';

export const settleCancel: Operation<SettleCancelInput> = async (i, ctx) => act(ctx, i.contractId, 'settle_cancel', {});
