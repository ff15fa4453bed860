import type { UserProfileInput } from '../generated/schema-types';
import { maskIdNumber } from '../rules/id-number';
import { maskPhone } from '../rules/phone';
import { maskEmail } from '../rules/email';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser } from '../identity/users';

/** The caller's profile: whether they are verified (实名), and their details masked as the product shows them. */
export const userProfile: Operation<UserProfileInput> = async (_input, ctx) => {
  const { openid } = requireCaller(ctx);
  const user = await getUser(ctx.deps, openid);
  const rn = user?.realName ?? null;
  return {
    verified: rn !== null,
    name: rn?.name ?? null,
    idNumber: rn ? maskIdNumber(rn.idNumber) : null,
    phone: rn ? maskPhone(rn.phone) : null,
    verifiedAt: rn?.verifiedAt ?? null,
    email: user?.email ? maskEmail(user.email) : null,
    crossBorder: user?.crossBorder === true,
  };
};
