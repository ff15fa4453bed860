/** The other party confirms the rescind request (解除, C6) with a passed face check: the platform stamps and signs a new revision of the PDF, committed with the state change. The flow is contracts/rescind-settle.ts. */
import type { RescindConfirmInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';
import { stampStatus } from '../contracts/pdf';
import { proofOf } from '../identity/proof';

export const rescindConfirm: Operation<RescindConfirmInput> = async (i, ctx) => act(ctx, i.contractId, 'rescind_confirm', { proof: proofOf(i), stamp: stampStatus });
