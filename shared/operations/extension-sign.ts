/**
 * L3: the other party signs the proposed extension agreement after an identity check: the second
 * signature is an incremental revision of the same file (the proposer's stays valid), and from
 * today the ledger follows the new plan.
 */
import { AppError } from '../errors';
import type { ExtensionSignInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { applyRecord, decideRecord, EXTENSION_TABLE } from '../lifecycle';
import { chinaDay } from '../rules/dates';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { cancelReminders, scheduleReminders } from '../contracts/reminders';
import { preparePartyProof, proofOf } from '../identity/proof';
import { EXTENSIONS, ledgerOf, type ExtensionRecord, loadLedgerParty } from '../repayments/records';
import { actorOf } from '../repayments/acts';
import { signAsParty } from '../repayments/documents';
import { extensionView, ledgerView } from '../repayments/views';

export const extensionSign: Operation<ExtensionSignInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid);
  const found = records.extensions.find((e) => e._id === input.extensionId);
  if (!found) throw new AppError('NOT_FOUND', '展期申请不存在');
  if (found.proposedBy === index) throw new AppError('FORBIDDEN', '展期协议须由对方签署');
  const decision = decideRecord(EXTENSION_TABLE, found.status, 'sign');
  const now = deps.clock.now();
  const today = chinaDay(now);
  // The plan was for the principal unpaid when it was proposed; a repayment confirmed since changes that.
  const owed = ledgerOf(deps, contract, records, today).principalOutstandingFen;
  if (owed !== found.principalFen) throw new AppError('INVALID_TRANSITION', '提出展期后尚欠本金已变化，请对方重新提出展期', { principalOutstandingFen: owed, proposedFen: found.principalFen });

  const { check, write } = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'extension_sign' });
  const bytes = await deps.files.get(found.document.key);
  if (!bytes) throw new Error(`extension file missing: ${found.document.key}`);
  const signed = await signAsParty(deps, contract, index, bytes, found.document.areas, '同意展期并签署《借款展期协议》', now);
  const key = `contracts/${contract._id}/extension-${found._id}-2.pdf`;
  await deps.files.put(key, Buffer.from(signed.bytes), 'application/pdf');
  const after: ExtensionRecord = applyRecord(found, decision, {
    answeredAt: now.toISOString(),
    document: { ...found.document, key, sha256: signed.sha256, signatures: [...found.document.signatures, { party: index, signedAt: now.toISOString(), fieldName: signed.fieldName, certificateSerial: signed.certificateSerial, faceCheckId: check._id }] },
  });
  const all = { ...records, extensions: records.extensions.map((e) => (e._id === found._id ? after : e)) };
  const saved = await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'extension_signed', actor: actorOf(c, index), faceCheckId: check._id, data: { extensionId: found._id, effectiveOn: today, documentSha256: signed.sha256 } }],
    writes: [{ collection: EXTENSIONS, doc: after, expectedVersion: found.version ?? 0 }, write],
  }));
  // I8 follows the plan in force: the old plan's reminders go, the new one's come (if switched on).
  await cancelReminders(deps, saved._id);
  if (saved.reminders.enabled) await scheduleReminders(deps, saved, after.plan, after._id);
  return { extension: extensionView(after), ledger: ledgerView(saved, ledgerOf(deps, saved, all, today), all) };
};
