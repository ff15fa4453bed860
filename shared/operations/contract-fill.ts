import { AppError } from '../errors';
import type { ContractFillInput } from '../generated/schema-types';
import { chinaDay } from '../rules/dates';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { checkEligible, parsePerson } from '../identity/person';
import { runTransition } from '../contracts/transition';
import { requireRealName } from '../identity/users';
import { contractView } from '../contracts/views';
import { partyRules } from '../contracts/own-file-contract';

/**
 * The other party checks and confirms their details (P2). They must be the verified person
 * (name and ID number as verified), of age for the kind on the day of initiation (I1, R1).
 */
export const contractFill: Operation<ContractFillInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  const me = await requireRealName(deps, openid);
  const initiationDay = chinaDay(contract.initiatedAt ? new Date(contract.initiatedAt) : deps.clock.now());
  const person = parsePerson(input, chinaDay(deps.clock.now()));
  if (person.details.idNumber !== me.idNumber || person.details.name !== me.name) throw new AppError('IDENTITY_MISMATCH');
  const spec = partyRules(contract);
  checkEligible(person, initiationDay, spec.ageRange, spec.mainlandOnly);
  const { contract: after, index } = await runTransition(deps, { contractId: contract._id, current: contract, action: 'fill', by: { openid }, fill: { details: person.details, openid } });
  return contractView(after, index ?? 1, deps.clock.now().toISOString());
};
