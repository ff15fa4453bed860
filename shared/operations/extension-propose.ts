/**
 * L3: a party proposes a new repayment plan (展期) for the principal unpaid today and signs the
 * extension agreement after an identity check; the other party is asked to sign it. At most one
 * proposal is open per IOU. Interest already run stays owed (the agreement says so).
 */
import { AppError } from '../errors';
import type { ExtensionProposeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { EXTENSION_TABLE, newRecord } from '../lifecycle';
import { chinaDay, compareDays } from '../rules/dates';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { preparePartyProof, proofOf } from '../identity/proof';
import { contractSmsRow } from '../messages/contract-sms';
import { deliverNow, type OutboxRow } from '../messages/outbox';
import { EXTENSIONS, ledgerOf, type ExtensionRecord, loadLedgerParty } from '../repayments/records';
import { actorOf } from '../repayments/acts';
import { extensionModel, renderSupplement, signAsParty } from '../repayments/documents';
import { extensionView } from '../repayments/views';

export const extensionPropose: Operation<ExtensionProposeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid);
  const open = records.extensions.find((e) => e.status === 'proposed');
  if (open) throw new AppError('EXTENSION_PENDING', undefined, { extensionId: open._id });
  const now = deps.clock.now();
  const today = chinaDay(now);
  const ledger = ledgerOf(deps, contract, records, today);
  let prev = today;
  input.plan.forEach((p, i) => {
    if (compareDays(p.dueDate, prev) <= 0) throw new AppError('INVALID_DATE', '新的还款日须晚于今天且逐期递增', { field: `/plan/${i}/dueDate` });
    prev = p.dueDate;
  });
  const sum = input.plan.reduce((n, p) => n + p.principalFen, 0);
  if (sum !== ledger.principalOutstandingFen)
    throw new AppError('VALIDATION_FAILED', '新还款计划的本金合计须等于尚欠本金', { fields: [{ field: '/plan', rule: 'sum' }], principalOutstandingFen: ledger.principalOutstandingFen, planFen: sum });
  if (sum === 0) throw new AppError('INVALID_TRANSITION', '本金已还清，无需展期');

  const { check, write } = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'extension_propose' });
  const id = deps.ids.id('ex');
  const rendered = await renderSupplement(extensionModel(contract, input.plan, sum, today, `${contract.contractNo}-ZQ${records.extensions.length + 1}`));
  const signed = await signAsParty(deps, contract, index, rendered.bytes, rendered.signatureAreas, `提出展期并签署《借款展期协议》`, now);
  // Our own key, never a caller's string (M3); a lost commit leaves an orphan nobody points at.
  const key = `contracts/${contract._id}/extension-${id}-1.pdf`;
  await deps.files.put(key, Buffer.from(signed.bytes), 'application/pdf');
  const record = newRecord(EXTENSION_TABLE, {
    _id: id, contractId: contract._id, proposedBy: index, plan: input.plan.map((p) => ({ dueDate: p.dueDate, principalFen: p.principalFen })),
    proposedOn: today, principalFen: sum, createdAt: now.toISOString(), answeredAt: null,
    document: { key, sha256: signed.sha256, areas: rendered.signatureAreas, signatures: [{ party: index, signedAt: now.toISOString(), fieldName: signed.fieldName, certificateSerial: signed.certificateSerial, faceCheckId: check._id }] },
  }) as ExtensionRecord;
  await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'extension_proposed', actor: actorOf(c, index), faceCheckId: check._id, data: { extensionId: id, principalFen: sum, plan: record.plan, documentSha256: signed.sha256 } }],
    appends: [{ collection: EXTENSIONS, docs: [record] }],
    writes: [write],
    messages: c.parties.map((_, i) => (i === index ? null : contractSmsRow(deps, c, i, 'extension_proposed'))).filter((r): r is OutboxRow => r !== null),
  }), undefined, deliverNow);
  return extensionView(record);
};
