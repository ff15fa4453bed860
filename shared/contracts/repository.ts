/**
 * Reading contracts as a given user sees them. A contract is visible to its members only; to
 * anyone else it does not exist (NOT_FOUND, never FORBIDDEN — a stranger learns nothing).
 * Every read goes through `migrateContract` (migrations.ts): callers only see the current shape.
 */
import { AppError } from '../errors';
import { partyIndexOf, type Contract } from '../domain/contract';
import { collectionName } from '../store/collections';
import type { Deps } from '../ports/operation';
import type { Doc, Filter, FindOptions } from '../ports/store';
import { migrateContract } from './migrations';

export const CONTRACTS = collectionName('contracts');
export const EVENTS = collectionName('events');

export const loadContract = async (deps: Deps, id: string): Promise<Contract | null> => {
  const doc = await deps.store.get<Doc>(CONTRACTS, id);
  return doc ? migrateContract(doc) : null;
};

/** Contracts matching `filter`, each in the current shape (the my-contracts list, the timers, share links). */
export const findContracts = async (deps: Deps, filter: Filter, options?: FindOptions): Promise<Contract[]> =>
  (await deps.store.find<Doc>(CONTRACTS, filter, options)).map((d) => migrateContract(d));

export const isVisibleTo = (contract: Contract, openid: string): boolean => contract.memberOpenids.includes(openid);

/** The contract and the caller's index in its parties, or NOT_FOUND. */
export const loadAsParty = async (deps: Deps, id: string, openid: string): Promise<{ contract: Contract; index: number }> => {
  const contract = await loadContract(deps, id);
  const index = contract && isVisibleTo(contract, openid) ? partyIndexOf(contract, openid) : null;
  if (!contract || index === null) throw new AppError('NOT_FOUND');
  return { contract, index };
};
