/**
 * A user's contracts as an account change sees them (A1, A3): the unfinished ones a rename ends,
 * and the ones in progress that stop a deregistration.
 */
import { IN_PROGRESS_STATES, type Contract, type ContractState } from '../domain/contract';
import type { Deps } from '../ports/operation';
import { findContracts } from './repository';

/** Not yet in force: the ones a rename ends (A3) by the table's `invalidate` row. */
export const unfinishedContractsOf = (deps: Deps, openid: string): Promise<Contract[]> =>
  findContracts(deps, { memberOpenids: openid, state: { $in: [...IN_PROGRESS_STATES] } }, { orderBy: [['updatedAt', 'desc']], limit: 200 });

/** A1: the unfinished ones, and signed ones with a rescind or settle request waiting for an answer. */
export const IN_PROGRESS_FOR_DEREGISTRATION: readonly ContractState[] = [...IN_PROGRESS_STATES, 'rescind_pending', 'settle_pending'];

export const contractsInProgressOf = (deps: Deps, openid: string): Promise<Contract[]> =>
  findContracts(deps, { memberOpenids: openid, state: { $in: [...IN_PROGRESS_FOR_DEREGISTRATION] } }, { orderBy: [['updatedAt', 'desc']], limit: 50 });
