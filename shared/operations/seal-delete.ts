/**
 * seal-delete (A5 删除): the caller's own seal or signature (another user's → NOT_FOUND) leaves
 * the list; its record stays as `deleted` (lifecycle/seal.ts) because a signed contract names it.
 * Deleting the default clears the default in the same commit. Contracts already signed keep the
 * mark in their PDF.
 */
import { AppError } from '../errors';
import type { SealDeleteInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser, USERS, type User } from '../identity/users';
import { deleteWrite, ownSeal } from '../identity/seals';

export const sealDelete: Operation<SealDeleteInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const rec = await ownSeal(deps, openid, input.ref);
  const now = deps.clock.now().toISOString();
  const writes = [deleteWrite(rec, now)];
  if (user.defaultSeal === rec._id) {
    const next: User = { ...user, defaultSeal: null, updatedAt: now };
    writes.push({ collection: USERS, doc: next, expectedVersion: user.version ?? 0 });
  }
  const r = await deps.store.commit(writes);
  if (!r.ok) throw new AppError('CONFLICT', '印章刚刚已被更新，请刷新后重试');
  return { ref: rec._id, deleted: true };
};
