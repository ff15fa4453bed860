/**
 * The monthly free quota (U4): one document per free initiation, `_id` = the user, the China
 * month and the slot number. The slot document is appended in the same commit that initiates the
 * contract, so a quota use and its initiation happen together or not at all, and two initiations
 * racing for the last free slot cannot both have it (the second commit finds the id taken).
 */
import type { Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';

export const QUOTA_USES = collectionName('quotaUses');

export interface QuotaUse extends Doc {
  _id: string;
  openid: string;
  /** China calendar month, 'YYYY-MM'. */
  month: string;
  slot: number;
  contractId: string;
  at: string;
}

/** Free initiations this user has used in this China month (an index-backed count). */
export const freeQuotaUsed = (deps: Deps, openid: string, month: string): Promise<number> => deps.store.count(QUOTA_USES, { openid, month });

export const quotaUse = (openid: string, month: string, slot: number, contractId: string, at: string): QuotaUse => ({
  _id: `q_${month}_${String(slot).padStart(3, '0')}_${openid}`, openid, month, slot, contractId, at,
});
