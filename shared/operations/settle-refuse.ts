/** The other party refuses the settle request (结清, I9), optionally with a reason. The flow is contracts/rescind-settle.ts. */
import type { SettleRefuseInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';

export const settleRefuse: Operation<SettleRefuseInput> = async (i, ctx) => act(ctx, i.contractId, 'settle_refuse', i.reason !== undefined ? { reason: i.reason } : {});
