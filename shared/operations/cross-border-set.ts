/**
 * cross-border-set (A6 跨境签署): the verified owner, after a passed `account` face check, switches
 * signing with HK/Macau/Taiwan residents on or off. The switch and the spent face check are one
 * commit. shared/rules/cross-border.ts decides what the switch allows (P4).
 */
import { AppError } from '../errors';
import type { CrossBorderSetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { prepareFaceCheck, subjectHash } from '../identity/face-checks';
import { getUser, USERS, type User } from '../identity/users';

export const crossBorderSet: Operation<CrossBorderSetInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const face = await prepareFaceCheck(deps, {
    bizToken: input.bizToken, openid, purpose: 'account', contractId: null,
    subject: subjectHash(user.realName.name, user.realName.idNumber),
  });
  const now = deps.clock.now().toISOString();
  const next: User = { ...user, crossBorder: input.enabled, updatedAt: now };
  const r = await deps.store.commit([{ collection: USERS, doc: next, expectedVersion: user.version ?? 0 }, face.write]);
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  return { crossBorder: input.enabled, changedAt: now };
};
