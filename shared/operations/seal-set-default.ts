/**
 * seal-set-default (A5 设为默认): the seal or signature signing offers first. Only the caller's
 * own (another user's ref → NOT_FOUND, as a missing one) and only a valid one (SEAL_INVALID).
 */
import { AppError } from '../errors';
import type { SealSetDefaultInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser, USERS, type User } from '../identity/users';
import { ownSeal, sealView } from '../identity/seals';

export const sealSetDefault: Operation<SealSetDefaultInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const rec = await ownSeal(deps, openid, input.ref);
  if (rec.status !== 'valid' || rec.name !== user.realName.name) throw new AppError('SEAL_INVALID', undefined, { ref: rec._id, status: rec.status });
  if (user.defaultSeal === rec._id) return sealView(rec, user);
  const next: User = { ...user, defaultSeal: rec._id, updatedAt: deps.clock.now().toISOString() };
  const r = await deps.store.commit([{ collection: USERS, doc: next, expectedVersion: user.version ?? 0 }]);
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  return sealView(rec, next);
};
