/**
 * L1: the lender confirms a repayment the borrower recorded, after an identity check; from then on
 * it is a line of the ledger and an event of the chain. When it brings the ledger to zero both
 * parties are told they can settle (L4).
 */
import { AppError } from '../errors';
import type { RepaymentConfirmInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { applyRecord, decideRecord, REPAYMENT_TABLE } from '../lifecycle';
import { chinaDay } from '../rules/dates';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { deliverNow } from '../messages/outbox';
import { preparePartyProof, proofOf } from '../identity/proof';
import { ledgerOf, REPAYMENTS, type RepaymentRecord, loadLedgerParty } from '../repayments/records';
import { actorOf, clearedFollowUp } from '../repayments/acts';
import { ledgerView, repaymentView } from '../repayments/views';

export const repaymentConfirm: Operation<RepaymentConfirmInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid, 'lender');
  const found = records.repayments.find((r) => r._id === input.repaymentId);
  if (!found) throw new AppError('NOT_FOUND', '还款记录不存在');
  // Refuse what the table refuses before spending the lender's face check.
  const decision = decideRecord(REPAYMENT_TABLE, found.status, 'confirm');
  const { check, write } = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'repayment_confirm' });
  const now = deps.clock.now();
  const today = chinaDay(now);
  const confirmed: RepaymentRecord = applyRecord(found, decision, { confirmedAt: now.toISOString(), faceCheckId: check._id });
  const all = { ...records, repayments: records.repayments.map((r) => (r._id === found._id ? confirmed : r)) };
  const before = ledgerOf(deps, contract, records, today);
  const after = ledgerOf(deps, contract, all, today);
  const saved = await recordChange(deps, () => loadContract(deps, contract._id), (c) => {
    const cleared = clearedFollowUp(deps, c, before, after);
    return {
      contract: c,
      events: [
        { type: 'repayment_confirmed', actor: actorOf(c, index), faceCheckId: check._id, data: { repaymentId: found._id, amountFen: found.amountFen, paidOn: found.paidOn, channel: found.channel } },
        ...cleared.events,
      ],
      // The record's compare-and-set: a second confirm (or a dispute) racing this one loses.
      writes: [{ collection: REPAYMENTS, doc: confirmed, expectedVersion: found.version ?? 0 }, write],
      messages: cleared.messages,
    };
  }, undefined, deliverNow);
  return { repayment: repaymentView(confirmed), ledger: ledgerView(saved, after, all) };
};
