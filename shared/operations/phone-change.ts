/**
 * phone-change (A2 更换手机号): the verified owner proves the new number is theirs (the code sent to
 * it, N1) and that they are the owner (a passed `account` face check of the verified name and ID
 * number). Then, in one store commit: the user's phone, the face check spent, and a security notice
 * SMS to the OLD number (outbox), so a hijacked account's real owner learns of it. One number
 * belongs to one account (PHONE_IN_USE). Contracts already made keep the phone they were made with.
 */
import { AppError } from '../errors';
import type { PhoneChangeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { maskPhone, parseMobile } from '../rules/phone';
import { prepareFaceCheck, subjectHash } from '../identity/face-checks';
import { checkCode } from '../identity/verification-codes';
import { getUser, phoneUsedByOther, USERS, type User } from '../identity/users';
import { deliverNow, outboxAppend, smsRow } from '../messages/outbox';

export const phoneChange: Operation<PhoneChangeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const phone = parseMobile(input.phone);
  const oldPhone = user.realName.phone;
  if (phone === oldPhone) throw new AppError('PHONE_UNCHANGED');
  if (await phoneUsedByOther(deps, phone, openid)) throw new AppError('PHONE_IN_USE');
  // The face first (not spent until the commit), so a face refusal does not burn the code.
  const face = await prepareFaceCheck(deps, {
    bizToken: input.bizToken, openid, purpose: 'account', contractId: null,
    subject: subjectHash(user.realName.name, user.realName.idNumber),
  });
  // Spends the code, or counts the wrong entry (5 wrong → CODE_LOCKED, a new code is needed).
  await checkCode(deps, { openid, channel: 'sms', destination: phone, purpose: 'phone_change', code: input.code });
  const now = deps.clock.now().toISOString();
  const next: User = { ...user, realName: { ...user.realName, phone }, updatedAt: now };
  const notice = smsRow(deps, null, { phone: oldPhone, template: 'phone_changed', params: [] });
  const r = await deps.store.commit(
    [{ collection: USERS, doc: next, expectedVersion: user.version ?? 0 }, face.write],
    outboxAppend([notice]),
  );
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重新获取验证码后重试');
  await deliverNow(deps, [notice]);
  deps.log.info({ openid }, 'phone changed');
  return { phone: maskPhone(phone), changedAt: now };
};
