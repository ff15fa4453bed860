/**
 * A user's contracts as an account change sees them (A1, A3): the unfinished ones a rename ends,
 * the ones in progress that stop a deregistration, and unbinding a deregistered account from the
 * contracts it keeps for the other parties.
 */
import { AppError } from '../errors';
import { IN_PROGRESS_STATES, partyIndexOf, type Contract, type ContractState } from '../domain/contract';
import type { Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import { CONTRACTS, findContracts, loadContract } from './repository';
import { cancelReminders } from './reminders';
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

/**
 * A1: the deregistered openid leaves every contract's members, so whoever uses that WeChat account
 * later (a new account) sees none of them; the contract itself — parties, signatures, PDFs, events —
 * is untouched and stays the other parties' (their own membership is unchanged). `updatedAt` is
 * left as it was: nothing happened to the contract. A borrower's repayment reminders, a service to
 * that person, stop. Each contract by its own compare-and-set (retried on a fresh read); a failure
 * part-way leaves the account as it was, so repeating the deregistration finishes it.
 */
export const unbindFromContracts = async (deps: Deps, openid: string): Promise<number> => {
  let unbound = 0;
  for (;;) {
    const batch = await findContracts(deps, { memberOpenids: openid }, { limit: 100 });
    if (batch.length === 0) return unbound;
    for (const found of batch) {
      let c: Contract | null = found;
      for (let attempt = 0; c && c.memberOpenids.includes(openid); attempt++) {
        if (attempt === 5) throw new AppError('CONFLICT', '合同刚刚被他人更新，请稍后重试注销');
        const next = { ...c, memberOpenids: c.memberOpenids.filter((o) => o !== openid) };
        if (await deps.store.compareAndSet(CONTRACTS, next as unknown as Doc, c.version ?? 0)) break;
        c = await loadContract(deps, found._id);
      }
      const i = partyIndexOf(found, openid);
      if (found.flow === 'iou' && i !== null && found.parties[i]!.role === 'borrower') await cancelReminders(deps, found._id);
      unbound++;
    }
  }
};
