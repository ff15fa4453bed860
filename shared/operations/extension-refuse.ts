/** L3: the other party declines a proposed extension; the plan in force stands. */
import { AppError } from '../errors';
import type { ExtensionRefuseInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { applyRecord, decideRecord, EXTENSION_TABLE } from '../lifecycle';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { EXTENSIONS, type ExtensionRecord, loadLedgerParty } from '../repayments/records';
import { actorOf } from '../repayments/acts';
import { extensionView } from '../repayments/views';

export const extensionRefuse: Operation<ExtensionRefuseInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid);
  const found = records.extensions.find((e) => e._id === input.extensionId);
  if (!found) throw new AppError('NOT_FOUND', '展期申请不存在');
  if (found.proposedBy === index) throw new AppError('FORBIDDEN', '展期申请须由对方处理');
  const after: ExtensionRecord = applyRecord(found, decideRecord(EXTENSION_TABLE, found.status, 'refuse'), { answeredAt: deps.clock.now().toISOString() });
  await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'extension_refused', actor: actorOf(c, index), data: { extensionId: found._id } }],
    writes: [{ collection: EXTENSIONS, doc: after, expectedVersion: found.version ?? 0 }],
  }));
  return extensionView(after);
};
