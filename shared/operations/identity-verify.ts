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
 * 实名认证, first time only: name, ID number and phone, proven by a passed face check started for
 * exactly these details. Minors are refused (REALNAME_AGE): a contract needs full civil capacity,
 * and the product has no guardian flow.
 *
 * For a verified account it changes nothing — it used to replace the phone with any number, no
 * code sent, and later SMS, notices and reports went there. The same details again answer as
 * verified; another phone → USE_PHONE_CHANGE (a code to the new number, then a face check: A2);
 * another name → USE_RENAME (A3); another ID number → ID_NUMBER_FIXED. These are decided before
 * the face check is spent, so the person's check is not wasted on a refusal.
 */
export const identityVerify: Operation<IdentityVerifyInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const today = chinaDay(deps.clock.now());
  const person = parsePerson(input, today);
  checkAge(person.birthDate, today, REALNAME_AGE);
  const known = (await getUser(deps, openid))?.realName;
  if (known) {
    if (known.idNumber !== person.details.idNumber) throw new AppError('ID_NUMBER_FIXED');
    if (known.name !== person.details.name) throw new AppError('USE_RENAME');
    if (known.phone !== person.details.phone) throw new AppError('USE_PHONE_CHANGE', undefined, { next: 'phone-change' });
    return { verified: true, name: known.name, verifiedAt: known.verifiedAt };
  }
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
  } else if (existing.realName || !(await deps.store.compareAndSet(USERS, { ...existing, realName, updatedAt: now }, existing.version ?? 0))) {
    // Verified meanwhile by a concurrent call: never overwrite a verified identity.
    throw new AppError('CONFLICT', PROFILE_CHANGED);
  }
  return { verified: true, name: realName.name, verifiedAt: now };
};
