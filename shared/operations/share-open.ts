import { AppError } from '../errors';
import { FINAL_STATES, roleOf, type Contract } from '../domain/contract';
import type { ShareOpenInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { CONTRACTS } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { requireRealName } from '../identity/users';
import { contractView } from '../contracts/views';

/**
 * Opening a share link or QR code (P3). A party sees the contract. Anyone else who is verified is
 * bound as the other party if that place is free — for a 我来填 contract only the person whose name
 * and ID number the initiator entered. A finished contract, a taken place or a wrong token is NOT_FOUND.
 */
export const shareOpen: Operation<ShareOpenInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const byToken = async () => (await deps.store.find<Contract>(CONTRACTS, { shareToken: input.token }, { limit: 1 }))[0] ?? null;
  const found = await byToken();
  if (!found) throw new AppError('NOT_FOUND');
  const role = roleOf(found, openid);
  if (role && found.memberOpenids.includes(openid)) return contractView(found, role, deps.clock.now().toISOString());
  const me = await requireRealName(deps, openid);

  const bound = await recordChange(deps, byToken, (c) => {
    if (roleOf(c, openid) || c.parties.counterparty.openid !== null || FINAL_STATES.includes(c.state)) throw new AppError('NOT_FOUND');
    const preset = c.parties.counterparty.details;
    // 我来填: the initiator typed the other party's name and ID number; both must be the verified
    // person's, or the certificate would certify a name nobody verified.
    if (preset && (preset.idNumber !== me.idNumber || preset.name !== me.name)) throw new AppError('IDENTITY_MISMATCH', '该合同邀请的不是您，请核对后再打开');
    if (me.idNumber === c.parties.initiator.details?.idNumber) throw new AppError('FORBIDDEN', '不能与自己签署合同');
    return {
      contract: { ...c, parties: { ...c.parties, counterparty: { ...c.parties.counterparty, openid } }, memberOpenids: [...c.memberOpenids, openid] },
      events: [{ type: 'share_opened', actor: { role: 'counterparty', openid }, data: {} }],
    };
  });
  return contractView(bound, 'counterparty', deps.clock.now().toISOString());
};
