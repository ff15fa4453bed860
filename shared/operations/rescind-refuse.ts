/** The other party refuses the rescind request (解除, C6), optionally with a reason. The flow is contracts/rescind-settle.ts. */
import type { RescindRefuseInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';

export const rescindRefuse: Operation<RescindRefuseInput> = async (i, ctx) => act(ctx, i.contractId, 'rescind_refuse', i.reason !== undefined ? { reason: i.reason } : {});
