/**
 * Reading contracts as a given user sees them. A contract is visible to its members only; to
 * anyone else it does not exist (NOT_FOUND, never FORBIDDEN — a stranger learns nothing).
 */
import { AppError } from '../errors';
import { roleOf, type Contract, type PartyRole } from '../domain/contract';
import { collectionName } from '../store/collections';
import type { Deps } from '../ports/operation';

export const CONTRACTS = collectionName('contracts');
export const EVENTS = collectionName('events');

export const loadContract = (deps: Deps, id: string): Promise<Contract | null> => deps.store.get<Contract>(CONTRACTS, id);

export const isVisibleTo = (contract: Contract, openid: string): boolean => contract.memberOpenids.includes(openid);

/** The contract and the caller's role in it, or NOT_FOUND. */
export const loadAsParty = async (deps: Deps, id: string, openid: string): Promise<{ contract: Contract; role: PartyRole }> => {
  const contract = await loadContract(deps, id);
  const role = contract && isVisibleTo(contract, openid) ? roleOf(contract, openid) : null;
  if (!contract || !role) throw new AppError('NOT_FOUND');
  return { contract, role };
};
