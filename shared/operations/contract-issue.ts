import { applyRecord, CONTRACT_PAYMENT_TABLE, decideRecord } from '../lifecycle';
import type { ContractIssueInput } from '../generated/schema-types';
import { quote } from '../rules/fees';
import { requireCaller, type Operation } from '../ports/operation';
import { runTransition } from '../contracts/transition';
import { contractView } from '../contracts/views';

/**
 * 确认开具 (R3): the payer who initiated a receipt previewed it and issues it. No fee (F1: the fee
 * rules price a payer-issued receipt at 0, and that is what is recorded) and no face check — the
 * payer does not sign a receipt, the payee does. The payment gate is waived in the same commit as
 * the move; the table then asks the payee to sign by SMS when their details are in (我来填), or
 * waits for them to fill through the share link (对方填). Any other contract, or issuing twice, is
 * refused by the table (INVALID_TRANSITION).
 */
export const contractIssue: Operation<ContractIssueInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await runTransition(deps, {
    contractId: input.contractId,
    action: 'issue',
    by: { openid },
    prepare: (c) => {
      // Anything but an unissued draft is left as it is, for the table to refuse.
      if (c.state !== 'draft' || c.payment.status !== 'unpaid') return c;
      const now = deps.clock.now().toISOString();
      const q = quote(deps.config.fees, { item: 'initiation', kind: c.kind, flow: c.flow, buyer: openid, now, freeQuotaUsed: 0, cardActive: false, coupon: null });
      // Issuing is for what the fee rules leave free (R3); a paid flow has no issue row either.
      if (q.amountFen !== 0) return c;
      return {
        ...c,
        payment: applyRecord(c.payment, decideRecord(CONTRACT_PAYMENT_TABLE, c.payment.status, 'issue'), { amountFen: 0, orderId: null, paidAt: now }),
        ruleFacts: { ...c.ruleFacts, fee: { listFen: q.listFen, amountFen: 0, steps: q.steps, couponId: null, orderId: null } },
      };
    },
    eventData: { amountFen: 0, rule: 'no_fee' },
  });
  return contractView(contract, index ?? 0, deps.clock.now().toISOString());
};
