/**
 * verification-code-send (N1): a six-digit code to the new phone (A2, purpose phone_change) or the
 * new e-mail address (A4, purpose email_change) of the verified caller. The code's record, its
 * daily-cap slots and the outbox row carrying it are one store commit; the message goes out only
 * after it (outbox). Limits (config/identity.json): one code per 60 s per user and purpose and per
 * destination, daily caps per destination and per user — RATE_LIMITED with retryAfterSeconds.
 * Typed text never reaches the SMS: its one parameter is the code.
 */
import { AppError } from '../errors';
import type { VerificationCodeSendInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { parseMobile } from '../rules/phone';
import { commitIssuedCode, issueCode } from '../identity/verification-codes';
import { phoneUsedByOther, requireRealName } from '../identity/users';
import { deliverNow, emailRow, outboxAppend, smsRow } from '../messages/outbox';

export const verificationCodeSend: Operation<VerificationCodeSendInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  // Both purposes change an existing account: a stranger to the product has nothing to change.
  const realName = await requireRealName(deps, openid);
  if (input.purpose === 'phone_change' && input.channel === 'sms') {
    const phone = parseMobile(input.destination);
    if (phone === realName.phone) throw new AppError('PHONE_UNCHANGED');
    // Refused before anything is sent: a code to a number that cannot become this account's is spam.
    if (await phoneUsedByOther(deps, phone, openid)) throw new AppError('PHONE_IN_USE');
  }
  const issued = await issueCode(deps, { openid, channel: input.channel, destination: input.destination, purpose: input.purpose });
  const row = issued.message.channel === 'sms' ? smsRow(deps, null, issued.message.sms) : await emailRow(deps, null, issued.message.email);
  await commitIssuedCode(deps, issued, outboxAppend([row]));
  await deliverNow(deps, [row]);
  return { sent: true, to: issued.destinationMasked, expiresAt: issued.expiresAt, resendAfterSeconds: issued.resendAfterSeconds };
};
