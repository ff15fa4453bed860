/** The requester withdraws their rescind request (解除, C6). The flow is contracts/rescind-settle.ts. */
import type { RescindCancelInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';

export const rescindCancel: Operation<RescindCancelInput> = async (i, ctx) => act(ctx, i.contractId, 'rescind_cancel', {});
