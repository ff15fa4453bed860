import { AppError } from '../errors';
import { partyAt } from '../domain/contract';
import { FINAL_STATES } from '../domain/contract';
import type { ReminderSetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty, loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { cancelReminders, scheduleReminders } from '../contracts/reminders';
import { contractView } from '../contracts/views';

/**
 * The borrower switches SMS repayment reminders on or off (I8). Once the IOU is signed each future
 * instalment gets its reminder; switching off cancels the ones not sent yet.
 */
export const reminderSet: Operation<ReminderSetInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  if (contract.kind !== 'iou') throw new AppError('INVALID_TRANSITION', '仅借条支持还款提醒');
  if (partyAt(contract, index).role !== 'borrower') throw new AppError('FORBIDDEN', '仅借款人可以设置还款提醒');
  if (FINAL_STATES.includes(contract.state)) throw new AppError('INVALID_TRANSITION');
  const after = await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: { ...c, reminders: { enabled: input.enabled } },
    events: [{ type: 'reminders_set', actor: { role: partyAt(contract, index).side, openid }, data: { enabled: input.enabled } }],
  }));
  if (input.enabled && after.state === 'signed') await scheduleReminders(deps, after);
  if (!input.enabled) await cancelReminders(deps, after._id);
  return contractView(after, index, deps.clock.now().toISOString());
};
