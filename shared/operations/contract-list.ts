import type { ContractState } from '../domain/contract';
import { partyIndexOf } from '../domain/contract';
import type { ContractListInput } from '../generated/schema-types';
import type { Filter } from '../ports/store';
import { requireCaller, type Operation } from '../ports/operation';
import { findContracts } from '../contracts/repository';
import { contractSummary } from '../contracts/views';
import { inviteeKey } from '../contracts/invitees';
import { getUser } from '../identity/users';
import type { Deps } from '../ports/operation';

/** The list's status tabs (C7) as sets of states. */
export const LIST_FILTERS: Record<NonNullable<ContractListInput['filter']>, readonly ContractState[] | null> = {
  all: null,
  in_progress: ['draft', 'awaiting_fill', 'awaiting_signatures'],
  signed: ['signed', 'rescind_pending', 'settle_pending'],
  ended: ['rejected', 'revoked', 'expired', 'invalidated'],
  rescinded: ['rescinded'],
  settled: ['settled'],
};

/**
 * P3 我来填: contracts that name the caller's verified ID number for a place not yet taken, while
 * they can still be opened — shown under 待我处理 with the token share-open takes (the same
 * eligibility checks then decide). Nothing for an unverified caller.
 */
const invitations = async (deps: Deps, openid: string) => {
  const user = await getUser(deps, openid);
  if (!user?.realName) return [];
  const key = inviteeKey(deps, user.realName.idNumber);
  const found = await findContracts(deps, { inviteeKeys: key, state: { $in: ['awaiting_fill', 'awaiting_signatures'] } }, { limit: 20 });
  return found
    .filter((c) => !c.memberOpenids.includes(openid) && c.parties.some((p, i) => i > 0 && p.openid === null && p.details?.idNumber === user.realName!.idNumber))
    .map((c) => ({ ...contractSummary(c, 1), shareToken: c.shareToken }));
};

/** 我的合同 (C7): the caller's contracts, newest change first, through the member index. */
export const contractList: Operation<ContractListInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 20;
  const states = LIST_FILTERS[input.filter ?? 'all'];
  const filter: Filter = { memberOpenids: openid, ...(states ? { state: { $in: [...states] } } : {}) };
  // One more than a page tells whether there is a next page without a count query.
  const rows = await findContracts(ctx.deps, filter, { orderBy: [['updatedAt', 'desc']], skip: (page - 1) * pageSize, limit: pageSize + 1 });
  return {
    invitations: page === 1 && (input.filter ?? 'all') !== 'signed' ? await invitations(ctx.deps, openid) : [],
    page,
    pageSize,
    hasMore: rows.length > pageSize,
    items: rows.slice(0, pageSize).map((c) => contractSummary(c, partyIndexOf(c, openid) ?? 1)),
  };
};
