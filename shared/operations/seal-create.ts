/**
 * seal-create (A5 生成个人印章): a personal seal drawn from the caller's verified name in one of
 * the styles the product offers (documents/seal.ts SEAL_STYLES). The first seal made becomes the
 * default when none is chosen. After a rename, this is how the seals are regenerated: the new one
 * carries the new name, the old ones stay listed as 已失效.
 */
import { AppError } from '../errors';
import type { SealCreateInput } from '../generated/schema-types';
import { isSealShape } from '../documents/seal-styles';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser, USERS, type User } from '../identity/users';
import { MAX_SEALS, newSeal, SEALS, sealsOf, sealView } from '../identity/seals';
import { limitWrites } from '../messages/limits';

export const sealCreate: Operation<SealCreateInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  if (!isSealShape(input.style)) throw new AppError('VALIDATION_FAILED', '不支持的印章样式', { fields: [{ field: '/style', rule: 'enum' }] });
  const existing = await sealsOf(deps, openid);
  if (existing.length >= MAX_SEALS) throw new AppError('VALIDATION_FAILED', `印章和签名最多保存 ${MAX_SEALS} 个，请先删除不用的`, { reason: 'too_many', max: MAX_SEALS });
  const rec = newSeal(deps, { openid, kind: 'seal', style: input.style, name: user.realName.name });
  const current = existing.find((s) => s._id === user.defaultSeal && s.status === 'valid');
  const makeDefault = input.setDefault === true || !current;
  const next: User = makeDefault ? { ...user, defaultSeal: rec._id, updatedAt: rec.createdAt } : user;
  // M2: each seal is stored for the user; made and deleted in a loop, they are counted per day.
  const counted = await limitWrites(deps, 'seal', { caller: openid });
  // The seal, its count and the user's default together: never a default that names no seal.
  const r = await deps.store.commit([...(makeDefault ? [{ collection: USERS, doc: next, expectedVersion: user.version ?? 0 }] : []), ...counted], [{ collection: SEALS, docs: [rec] }]);
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  return sealView(rec, next);
};
