/**
 * L1: a repayment of a signed IOU. The borrower records it (amount, day, channel) and the lender
 * is asked to confirm; the lender may record one received, after an identity check, and then it
 * counts at once (created and confirmed by the repayment table in one commit). A photo of the
 * transfer may come with it (repayments/photo.ts: decoded, stored under our key). Nothing the
 * borrower typed reaches the lender's SMS: it names the borrower and the IOU only.
 */
import { AppError } from '../errors';
import type { RepaymentRecordInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import type { CasWrite } from '../ports/store';
import { applyRecord, decideRecord, newRecord, REPAYMENT_TABLE } from '../lifecycle';
import { chinaDay, compareDays } from '../rules/dates';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { preparePartyProof, proofOf } from '../identity/proof';
import { contractSmsRow } from '../messages/contract-sms';
import { deliverNow, type OutboxRow } from '../messages/outbox';
import { ledgerOf, lenderIndex, REPAYMENTS, type RepaymentRecord, loadLedgerParty } from '../repayments/records';
import { actorOf, clearedFollowUp } from '../repayments/acts';
import { ledgerView, repaymentView } from '../repayments/views';
import { storeRepaymentPhoto } from '../repayments/photo';

export const repaymentRecord: Operation<RepaymentRecordInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid);
  const byLender = index === lenderIndex(contract);
  const now = deps.clock.now();
  const today = chinaDay(now);
  const borrowDate = String((contract.form as { borrowDate?: string }).borrowDate);
  if (compareDays(input.paidOn, today) > 0) throw new AppError('INVALID_DATE', '还款日期不能晚于今天', { field: 'paidOn' });
  if (compareDays(input.paidOn, borrowDate) < 0) throw new AppError('INVALID_DATE', '还款日期不能早于借款日期', { field: 'paidOn', borrowDate });
  const before = ledgerOf(deps, contract, records, today);
  // Not more than is owed today, counting what the borrower recorded and the lender has not answered yet.
  const unanswered = records.repayments.filter((r) => r.status === 'recorded').reduce((n, r) => n + r.amountFen, 0);
  if (input.amountFen > before.totalOutstandingFen - unanswered)
    throw new AppError('REPAYMENT_EXCEEDS_BALANCE', undefined, { totalOutstandingFen: before.totalOutstandingFen, unconfirmedFen: unanswered });

  let faceCheckWrite: CasWrite | undefined;
  let faceCheckId: string | null = null;
  if (byLender) {
    const prepared = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'repayment_confirm' });
    faceCheckWrite = prepared.write;
    faceCheckId = prepared.check._id;
  }
  const at = now.toISOString();
  const repaymentId = deps.ids.id('rp');
  const photo = input.photoFileID ? await storeRepaymentPhoto(deps, openid, input.photoFileID, contract._id, repaymentId) : undefined;
  const recorded = newRecord(REPAYMENT_TABLE, {
    _id: repaymentId, contractId: contract._id, amountFen: input.amountFen, paidOn: input.paidOn, channel: input.channel,
    recordedBy: index, createdAt: at, confirmedAt: null, faceCheckId: null, disputedAt: null, disputeReason: null, ...(photo ? { photo } : {}),
  }) as RepaymentRecord;
  const repayment: RepaymentRecord = byLender
    ? applyRecord(recorded, decideRecord(REPAYMENT_TABLE, recorded.status, 'confirm'), { confirmedAt: at, faceCheckId })
    : recorded;
  const after = byLender ? ledgerOf(deps, contract, { ...records, repayments: [...records.repayments, repayment] }, today) : before;

  const data = { repaymentId: repayment._id, amountFen: repayment.amountFen, paidOn: repayment.paidOn, channel: repayment.channel };
  const saved = await recordChange(deps, () => loadContract(deps, contract._id), (c) => {
    const cleared = clearedFollowUp(deps, c, before, after);
    const toLender = byLender ? null : contractSmsRow(deps, c, lenderIndex(c), 'repayment_recorded');
    return {
      contract: c,
      events: [
        { type: byLender ? 'repayment_confirmed' : 'repayment_recorded', actor: actorOf(c, index), faceCheckId, data },
        ...cleared.events,
      ],
      appends: [{ collection: REPAYMENTS, docs: [repayment] }],
      ...(faceCheckWrite ? { writes: [faceCheckWrite] } : {}),
      messages: [toLender, ...cleared.messages].filter((r): r is OutboxRow => r !== null),
    };
  }, undefined, deliverNow);
  return { repayment: repaymentView(repayment), ledger: ledgerView(saved, after, { ...records, repayments: [...records.repayments, repayment] }) };
};
