import content from '../../templates/content/legal-service.json';
import { AppError } from '../errors';
import { SIGNED_STATES } from '../domain/contract';
import type { LegalServiceInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';

/** 法律服务 is offered once both parties signed (C11): for a signed contract and what follows it. */

/**
 * 法律服务 (C11): the notice, the consent box and the public legal services the mini-program links
 * out to (templates/content/legal-service.json, returned as written). Opened from a contract, the
 * caller must be its party (NOT_FOUND otherwise) and it must have been signed by both.
 */
export const legalService: Operation<LegalServiceInput> = async (input, ctx) => {
  let contract: { id: string; contractNo: string; title: string } | null = null;
  if (input.contractId !== undefined) {
    const { openid } = requireCaller(ctx);
    const { contract: c } = await loadAsParty(ctx.deps, input.contractId, openid);
    if (!SIGNED_STATES.includes(c.state)) throw new AppError('INVALID_TRANSITION', '双方完成签署后才可使用法律服务', { state: c.state });
    contract = { id: c._id, contractNo: c.contractNo, title: c.title };
  }
  const { $comment: _comment, ...page } = content;
  return { ...page, contract };
};
