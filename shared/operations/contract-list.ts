import type { ContractState } from '../domain/contract';
import { partyIndexOf } from '../domain/contract';
import type { ContractListInput } from '../generated/schema-types';
import type { Filter } from '../ports/store';
import { requireCaller, type Operation } from '../ports/operation';
import { findContracts } from '../contracts/repository';
import { contractSummary } from '../contracts/views';

/** The list's status tabs (C7) as sets of states. */
export const LIST_FILTERS: Record<NonNullable<ContractListInput['filter']>, readonly ContractState[] | null> = {
  all: null,
  in_progress: ['draft', 'awaiting_fill', 'awaiting_signatures'],
  signed: ['signed', 'rescind_pending', 'settle_pending'],
  ended: ['rejected', 'revoked', 'expired', 'invalidated'],
  rescinded: ['rescinded'],
  settled: ['settled'],
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
    page,
    pageSize,
    hasMore: rows.length > pageSize,
    items: rows.slice(0, pageSize).map((c) => contractSummary(c, partyIndexOf(c, openid) ?? 1)),
  };
};
