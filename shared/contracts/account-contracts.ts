/**
 * A user's contracts as an account change sees them (A1, A3): the unfinished ones a rename ends,
 * and the ones in progress that stop a deregistration.
 */
import { IN_PROGRESS_STATES, type Contract, type ContractState } from '../domain/contract';
import type { Deps } from '../ports/operation';
import { findContracts } from './repository';
import { inviteeKey } from './invitees';

/**
 * Not yet in force, and naming this person: the ones a rename ends (A3) by the table's `invalidate`
 * row — those the user is a member of, and those that invite them by ID number (我来填) to a place
 * not yet taken: under the new name they could never take it (share-open checks name and number).
 */
export const unfinishedContractsOf = async (deps: Deps, openid: string, idNumber: string): Promise<Contract[]> => {
  const states = { $in: [...IN_PROGRESS_STATES] };
  const mine = await findContracts(deps, { memberOpenids: openid, state: states }, { orderBy: [['updatedAt', 'desc']], limit: 200 });
  const invited = (await findContracts(deps, { inviteeKeys: inviteeKey(deps, idNumber), state: states }, { limit: 200 }))
    .filter((c) => !c.memberOpenids.includes(openid) && c.parties.some((p, i) => i > 0 && p.openid === null && p.details?.idNumber === idNumber));
  return [...mine, ...invited];
};

/** A1: the unfinished ones, and signed ones with a rescind or settle request waiting for an answer. */
export const IN_PROGRESS_FOR_DEREGISTRATION: readonly ContractState[] = [...IN_PROGRESS_STATES, 'rescind_pending', 'settle_pending'];

export const contractsInProgressOf = (deps: Deps, openid: string): Promise<Contract[]> =>
  findContracts(deps, { memberOpenids: openid, state: { $in: [...IN_PROGRESS_FOR_DEREGISTRATION] } }, { orderBy: [['updatedAt', 'desc']], limit: 50 });
