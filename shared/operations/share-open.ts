import { AppError } from '../errors';
import { FINAL_STATES, initiatorOf, otherParties, partyIndexOf, type Contract } from '../domain/contract';
import { chinaDay } from '../rules/dates';
import { partyRules } from '../contracts/own-file-contract';
import { checkEligible, parseNameAndId } from '../identity/person';
import type { ShareOpenInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { findContracts } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { requireRealName } from '../identity/users';
import { contractView } from '../contracts/views';

/**
 * Whether the verified opener may take the place of role `roleKey`. The cross-border rule of the account
 * issue (A6: which residencies a kind admits) belongs here too when it lands: today the kind's
 * `mainlandOnly` is what is checked (identity/person.ts checkEligible).
 */
const eligibleFor = (c: Contract, roleKey: string, me: { name: string; idNumber: string }, now: Date): void => {
  const spec = partyRules(c);
  const role = spec.roleLabels[roleKey] ?? roleKey;
  const initiationDay = chinaDay(c.initiatedAt ? new Date(c.initiatedAt) : now);
  const person = parseNameAndId(me, chinaDay(now));
  try {
    checkEligible(person, initiationDay, spec.ageRange, spec.mainlandOnly);
  } catch (e) {
    if (e instanceof AppError && e.code === 'AGE_OUT_OF_RANGE') {
      const { min, max } = (e.details ?? {}) as { min?: number; max?: number };
      throw new AppError('AGE_OUT_OF_RANGE', `${role}须年满${min}周岁且不超过${max}周岁，您不能作为${role}参与该合同`, { ...e.details, role: roleKey, roleLabel: role });
    }
    if (e instanceof AppError) throw new AppError(e.code, e.message, { ...e.details, role: roleKey, roleLabel: role });
    throw e;
  }
};

/**
 * Opening a share link or QR code (P3). A party sees the contract. Anyone else who is verified is
 * bound to a free place among the parties after the initiator: the one whose name and ID number the
 * initiator entered for them (我来填), else the first one left to fill (对方填) — in a two-party
 * contract, the other party's place. A finished contract, no free place or a wrong token is NOT_FOUND.
 */
export const shareOpen: Operation<ShareOpenInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const byToken = async () => (await findContracts(deps, { shareToken: input.token }, { limit: 1 }))[0] ?? null;
  const found = await byToken();
  if (!found) throw new AppError('NOT_FOUND');
  const index = partyIndexOf(found, openid);
  if (index !== null && found.memberOpenids.includes(openid)) return contractView(found, index, deps.clock.now().toISOString());
  const me = await requireRealName(deps, openid);

  let place = -1;
  const bound = await recordChange(deps, byToken, (c) => {
    const free = otherParties(c, 0).filter((i) => c.parties[i]!.openid === null);
    if (partyIndexOf(c, openid) !== null || free.length === 0 || FINAL_STATES.includes(c.state)) throw new AppError('NOT_FOUND');
    const mine = free.find((i) => c.parties[i]!.details?.idNumber === me.idNumber) ?? free.find((i) => c.parties[i]!.details === null);
    const preset = mine === undefined ? null : c.parties[mine]!.details;
    // 我来填: the initiator typed the other party's name and ID number; both must be the verified
    // person's, or the certificate would certify a name nobody verified.
    if (mine === undefined || (preset && preset.name !== me.name)) throw new AppError('IDENTITY_MISMATCH', '该合同邀请的不是您，请核对后再打开');
    if (me.idNumber === initiatorOf(c).details?.idNumber) throw new AppError('FORBIDDEN', '不能与自己签署合同');
    // P3: the kind's rules decide BEFORE the place is taken — an opener who could not fill or sign
    // it (age on the day of initiation, I1/R1; mainland-only kinds, P4) gets the rule's code naming
    // the role, and the place stays free for the person it was meant for.
    eligibleFor(c, c.parties[mine]!.role, me, deps.clock.now());
    place = mine;
    return {
      contract: { ...c, parties: c.parties.map((p, i) => (i === mine ? { ...p, openid } : p)), memberOpenids: [...c.memberOpenids, openid] },
      events: [{ type: 'share_opened', actor: { role: c.parties[mine]!.side, openid }, data: {} }],
    };
  });
  return contractView(bound, place, deps.clock.now().toISOString());
};
