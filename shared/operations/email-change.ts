/**
 * email-change (A4 变更邮箱地址): the verified caller binds the address a code was sent to (N1,
 * purpose email_change). The bound address is what contract-email (C8) and
 * evidence-report-request (C9) fall back to when no address is typed.
 */
import { AppError } from '../errors';
import type { EmailChangeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { maskEmail, parseEmail } from '../rules/email';
import { checkCode } from '../identity/verification-codes';
import { getUser, USERS, type User } from '../identity/users';

export const emailChange: Operation<EmailChangeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const email = parseEmail(input.email, '/email');
  await checkCode(deps, { openid, channel: 'email', destination: email, purpose: 'email_change', code: input.code });
  const now = deps.clock.now().toISOString();
  const next: User = { ...user, email, updatedAt: now };
  if (!(await deps.store.compareAndSet(USERS, next, user.version ?? 0))) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重新获取验证码后重试');
  return { email: maskEmail(email), changedAt: now };
};
