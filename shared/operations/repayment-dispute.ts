/**
 * L1: the lender says a recorded repayment did not arrive. It never counts; the borrower sees the
 * dispute and its reason in the mini-program (never in an SMS) and may record again.
 */
import { AppError } from '../errors';
import type { RepaymentDisputeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { applyRecord, decideRecord, REPAYMENT_TABLE } from '../lifecycle';
import { cleanTypedText } from '../rules/typed-text';
import { chinaDay } from '../rules/dates';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { ledgerOf, REPAYMENTS, type RepaymentRecord, loadLedgerParty } from '../repayments/records';
import { actorOf } from '../repayments/acts';
import { ledgerView, repaymentView } from '../repayments/views';

export const repaymentDispute: Operation<RepaymentDisputeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const reason = cleanTypedText(input.reason, 'reason', '/reason');
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid, 'lender');
  const found = records.repayments.find((r) => r._id === input.repaymentId);
  if (!found) throw new AppError('NOT_FOUND', '还款记录不存在');
  const now = deps.clock.now();
  const disputed: RepaymentRecord = applyRecord(found, decideRecord(REPAYMENT_TABLE, found.status, 'dispute'), { disputedAt: now.toISOString(), disputeReason: reason });
  const all = { ...records, repayments: records.repayments.map((r) => (r._id === found._id ? disputed : r)) };
  const saved = await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'repayment_disputed', actor: actorOf(c, index), data: { repaymentId: found._id, amountFen: found.amountFen, reason } }],
    writes: [{ collection: REPAYMENTS, doc: disputed, expectedVersion: found.version ?? 0 }],
  }));
  return { repayment: repaymentView(disputed), ledger: ledgerView(saved, ledgerOf(deps, contract, all, chinaDay(now)), all) };
};
