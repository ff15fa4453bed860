/** L1–L3: what the IOU owes on a day (today by default) for either party, with every record behind the figures. */
import { AppError } from '../errors';
import type { LedgerGetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { chinaDay, isValidDay } from '../rules/dates';
import { ledgerOf, loadLedgerParty } from '../repayments/records';
import { ledgerView } from '../repayments/views';

export const ledgerGet: Operation<LedgerGetInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  if (input.asOf !== undefined && !isValidDay(input.asOf)) throw new AppError('INVALID_DATE', undefined, { field: 'asOf' });
  const { contract, records } = await loadLedgerParty(deps, input.contractId, openid, undefined, true);
  const asOf = input.asOf ?? chinaDay(deps.clock.now());
  return ledgerView(contract, ledgerOf(deps, contract, records, asOf), records);
};
