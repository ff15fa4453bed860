import type { ContractEventsInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { EVENTS, loadAsParty } from '../contracts/repository';
import { partyAt } from '../domain/contract';
import type { ContractEvent } from '../domain/events';
import { EVENT_LABELS } from '../contracts/views';
import { describeProofs } from '../identity/proof-records';

/**
 * A contract's timeline (issue 18): every chained event, oldest first, for its parties only (a
 * stranger sees NOT_FOUND). Each names its actor by side (initiator / counterparty / signer) and
 * name, never an openid; `identityCheck` says whether a proof of person stood behind the act and
 * `identityMethod` which (face / password / fingerPrint / facial, V2); `hash`
 * and `prevHash` let a front end show the chain.
 */
export const contractEvents: Operation<ContractEventsInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract } = await loadAsParty(ctx.deps, input.contractId, openid);
  const rows = await ctx.deps.store.find<ContractEvent>(EVENTS, { contractId: contract._id }, { orderBy: [['seq', 'asc']], limit: 1000 });
  const proofs = await describeProofs(ctx.deps, rows.flatMap((e) => (e.faceCheckId ? [e.faceCheckId] : [])));
  return {
    contractId: contract._id,
    contractNo: contract.contractNo,
    events: rows.map((e) => {
      const index = e.actor.openid === null ? -1 : contract.parties.findIndex((p) => p.openid === e.actor.openid);
      return {
        seq: e.seq,
        type: e.type,
        label: EVENT_LABELS[e.type],
        at: e.at,
        side: e.actor.role,
        actorName: index >= 0 ? partyAt(contract, index).details?.name ?? null : e.actor.role === 'system' ? '平台' : null,
        identityCheck: e.faceCheckId !== null,
        identityMethod: e.faceCheckId ? proofs.get(e.faceCheckId)?.method ?? null : null,
        prevHash: e.prevHash,
        hash: e.hash,
      };
    }),
  };
};
