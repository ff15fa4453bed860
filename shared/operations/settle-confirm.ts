/** The other party confirms the settle request (结清, I9) with a passed face check: the platform stamps and signs a new revision of the PDF, committed with the state change, and the lender's signed 结清证明 beside it (L4). The flow is contracts/rescind-settle.ts. */
import type { SettleConfirmInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { act } from '../contracts/rescind-settle';
import { stampStatus } from '../contracts/pdf';
import { settlementCertificate } from '../repayments/documents';
import { proofOf } from '../identity/proof';

export const settleConfirm: Operation<SettleConfirmInput> = async (i, ctx) => act(ctx, i.contractId, 'settle_confirm', { proof: proofOf(i), stamp: stampStatus, attach: settlementCertificate });
