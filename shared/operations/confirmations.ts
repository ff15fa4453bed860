/**
 * The other party's confirmation of a rescission (C6) or settlement (I9): a face check, then the
 * platform stamps and signs a new revision of the PDF, committed with the state change
 * (requests.ts has the shared flow).
 */
import type { RescindConfirmInput, SettleConfirmInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { stampStatus } from '../contracts/pdf';
import { act, type Kind } from '../contracts/rescind-settle';

const confirm = (kind: Kind): Operation<RescindConfirmInput | SettleConfirmInput> =>
  async (i, ctx) => act(ctx, i.contractId, `${kind}_confirm`, { bizToken: i.bizToken, stamp: stampStatus });

export const rescindConfirm = confirm('rescind');
export const settleConfirm = confirm('settle');
