import { AppError } from '../errors';
import { StoreDuplicateError } from '../ports/store';
import type { IdentityVerifyInput } from '../generated/schema-types';
import { chinaDay } from '../rules/dates';
import { checkAge } from '../rules/limits';
import { requireCaller, type Operation } from '../ports/operation';
import { consumeFaceCheck, subjectHash } from '../identity/face-checks';
import { parsePerson } from '../identity/person';
import { getUser, USERS, type User } from '../identity/users';

/** Adults only: a contract needs full civil capacity (民法典 art. 18); kinds narrow it further (I1, R1). */
const REALNAME_AGE = { min: 18, max: 150 };
const PROFILE_CHANGED = '您的实名信息刚刚已更新，请刷新后重试';

/**
 * 实名认证: name, ID number and phone, proven by a passed face check started for exactly these
 * details. Re-verifying replaces the details (the rename flow of A3 is its own operation).
 */
export const identityVerify: Operation<IdentityVerifyInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const today = chinaDay(deps.clock.now());
  const person = parsePerson(input, today);
  checkAge(person.birthDate, today, REALNAME_AGE);
  const check = await consumeFaceCheck(deps, {
    bizToken: input.bizToken, openid, purpose: 'realname', contractId: null,
    subject: subjectHash(person.details.name, person.details.idNumber),
  });
  const now = deps.clock.now().toISOString();
  const realName = { ...person.details, birthDate: person.birthDate, idKind: person.kind, verifiedAt: now, faceCheckId: check._id };
  const existing = await getUser(deps, openid);
  if (!existing) {
    try {
      await deps.store.insert(USERS, { _id: openid, realName, createdAt: now, updatedAt: now } satisfies User);
    } catch (e) {
      // A second verification of the same new user won the insert: the same answer as a lost compare-and-set.
      if (e instanceof StoreDuplicateError) throw new AppError('CONFLICT', PROFILE_CHANGED);
      throw e;
    }
  } else if (!(await deps.store.compareAndSet(USERS, { ...existing, realName, updatedAt: now }, existing.version ?? 0))) {
    throw new AppError('CONFLICT', PROFILE_CHANGED);
  }
  return { verified: true, name: realName.name, verifiedAt: now };
};
