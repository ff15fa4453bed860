import { AppError } from '../errors';
import { partyAt } from '../domain/contract';
import type { FaceStartInput } from '../generated/schema-types';
import { chinaDay } from '../rules/dates';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { startFaceCheck } from '../identity/face-checks';
import { parseNameAndId } from '../identity/person';
import { requireRealName } from '../identity/users';
import { commitLimited } from '../messages/limits';

/**
 * M2: a face check is a paid provider call, so it is counted (per user, and per user on one
 * contract) in a commit of its own BEFORE the provider is asked; a refused call asks nothing.
 */
const countFaceStart = (ctx: Parameters<typeof faceStart>[1], openid: string, contractId: string | null) =>
  commitLimited(ctx.deps, 'face_start', { caller: openid, ...(contractId ? { contractId } : {}) }, () => []);

/**
 * Starts a face check (V1) bound to the caller, the purpose and the contract. Real-name checks are
 * for the details being verified; every other check is for the caller's verified identity.
 */
export const faceStart: Operation<FaceStartInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  if (input.purpose === 'realname') {
    if (!input.name || !input.idNumber || input.contractId)
      throw new AppError('VALIDATION_FAILED', '实名认证需填写姓名和身份证号', { fields: [{ field: '/idNumber', rule: 'required' }] });
    const today = chinaDay(deps.clock.now());
    const person = parseNameAndId({ name: input.name, idNumber: input.idNumber }, today);
    await countFaceStart(ctx, openid, null);
    return startFaceCheck(deps, { openid, purpose: 'realname', contractId: null, name: person.name, idNumber: person.idNumber });
  }
  if (input.purpose === 'account' || input.purpose === 'signing_method') {
    if (input.contractId || input.name || input.idNumber)
      throw new AppError('VALIDATION_FAILED', '账号操作的人脸核身无需填写合同或身份信息', { fields: [{ field: '/contractId', rule: 'forbidden' }] });
    const owner = await requireRealName(deps, openid);
    await countFaceStart(ctx, openid, null);
    return startFaceCheck(deps, { openid, purpose: input.purpose, contractId: null, name: owner.name, idNumber: owner.idNumber });
  }
  if (input.purpose === 'rename') {
    // A3: the new name, proven against the ID number the account is verified under (it never changes).
    if (!input.name || input.contractId || input.idNumber)
      throw new AppError('VALIDATION_FAILED', '个人更名需填写新姓名', { fields: [{ field: '/name', rule: 'required' }] });
    const owner = await requireRealName(deps, openid);
    const person = parseNameAndId({ name: input.name, idNumber: owner.idNumber }, chinaDay(deps.clock.now()));
    if (person.name === owner.name) throw new AppError('NAME_UNCHANGED');
    await countFaceStart(ctx, openid, null);
    return startFaceCheck(deps, { openid, purpose: 'rename', contractId: null, name: person.name, idNumber: owner.idNumber });
  }
  if (!input.contractId || input.name || input.idNumber)
    throw new AppError('VALIDATION_FAILED', '请指定合同', { fields: [{ field: '/contractId', rule: 'required' }] });
  const me = await requireRealName(deps, openid);
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  // The face checked must be that of the person the contract names for this role (the signer's
  // certificate names them): an account verified anew as someone else cannot act on it (A3).
  const named = partyAt(contract, index).details;
  if (named && (named.name !== me.name || named.idNumber !== me.idNumber)) throw new AppError('IDENTITY_MISMATCH', '您当前的实名信息与合同中的签署人不一致');
  await countFaceStart(ctx, openid, input.contractId);
  return startFaceCheck(deps, { openid, purpose: input.purpose, contractId: input.contractId, name: me.name, idNumber: me.idNumber });
};
