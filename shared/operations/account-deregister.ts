/**
 * account-deregister (A1 账号注销). Refused, changing nothing and spending no face check, while:
 * the risk notice (注销风险告知书) in force is not acknowledged; a contract is in progress
 * (CONTRACTS_IN_PROGRESS, the list in details); the user belongs to an enterprise
 * (ENTERPRISE_MEMBER — identity/enterprise.ts, the collection the operator fills), unless forced
 * because its administrator cannot be reached, which a legal representative or super
 * administrator may not do (FORCED_DEREGISTER_REFUSED). Then a face check of the owner and, in one
 * commit: the user record reduced to the fact of the deregistration (no name, ID number, phone,
 * e-mail, switches or default seal), every seal and signature `deleted`, the face check spent;
 * after it, the openid leaves every kept contract's members (contracts/account-contracts.ts), so
 * it is no longer bound to the person or their contracts, and the signing methods and pending
 * codes are removed — a call on a deregistered account finishes that clean-up if it was cut short.
 * Kept, because the law requires it and the other parties rely on it (docs/ACCOUNT.md): the signed
 * contracts with their PDFs, events, certificates and face-check records — they stay retrievable,
 * verifiable and reportable for the other parties.
 */
import { AppError } from '../errors';
import type { AccountDeregisterInput } from '../generated/schema-types';
import { requireCaller, type Deps, type Operation } from '../ports/operation';
import type { CasWrite } from '../ports/store';
import { prepareFaceCheck, subjectHash } from '../identity/face-checks';
import { getUser, USERS, type User } from '../identity/users';
import { deleteWrite, sealsOf } from '../identity/seals';
import { membershipsOf, mayForce } from '../identity/enterprise';
import { DEREGISTER_NOTICE, requireAgreed } from '../identity/account-notices';
import { contractsInProgressOf, unbindFromContracts } from '../contracts/account-contracts';
import { SIGNING_METHODS_COLLECTION } from '../identity/signing-methods';
import { CODE_PURPOSES, codeSlotId, VERIFICATION_CODES, type CodePurpose } from '../identity/verification-codes';

/**
 * What follows the deregistration's commit: the openid unbound from the kept contracts (they stay
 * the other parties'), and the records keyed by it that are useless without the account removed.
 */
const cleanUp = async (deps: Deps, openid: string): Promise<number> => {
  const unbound = await unbindFromContracts(deps, openid);
  await deps.store.remove(SIGNING_METHODS_COLLECTION, openid);
  for (const p of Object.keys(CODE_PURPOSES) as CodePurpose[]) await deps.store.remove(VERIFICATION_CODES, codeSlotId(p, openid));
  return unbound;
};

export const accountDeregister: Operation<AccountDeregisterInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  // Deregistered already (a retry after the clean-up below failed): finish the clean-up, same answer.
  if (user?.deregistered) {
    await cleanUp(deps, openid);
    return { deregistered: true, at: user.deregistered.at, forced: user.deregistered.forced };
  }
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  requireAgreed(DEREGISTER_NOTICE, input.noticeVersion, '/noticeVersion');

  const inProgress = await contractsInProgressOf(deps, openid);
  if (inProgress.length) throw new AppError('CONTRACTS_IN_PROGRESS', undefined, { contracts: inProgress.map((c) => ({ id: c._id, title: c.title, state: c.state })) });
  const memberships = await membershipsOf(deps, openid);
  if (memberships.length) {
    const canForce = mayForce(memberships);
    if (!input.force) throw new AppError('ENTERPRISE_MEMBER', undefined, { enterprises: memberships.map((m) => m.enterpriseName), canForce });
    if (!canForce) throw new AppError('FORCED_DEREGISTER_REFUSED', undefined, { enterprises: memberships.map((m) => m.enterpriseName) });
  }

  const face = await prepareFaceCheck(deps, {
    bizToken: input.bizToken, openid, purpose: 'account', contractId: null, subject: subjectHash(user.realName.name, user.realName.idNumber),
  });
  const now = deps.clock.now().toISOString();
  const forced = memberships.length > 0;
  // Only the fact of the deregistration stays (and when the account was made): nothing of the person.
  const next: User = {
    _id: openid, version: user.version, realName: null, email: null, createdAt: user.createdAt, updatedAt: now,
    deregistered: { at: now, forced, noticeVersion: input.noticeVersion, faceCheckId: face.check._id },
  };
  const writes: CasWrite[] = [{ collection: USERS, doc: next, expectedVersion: user.version ?? 0 }, face.write];
  for (const s of await sealsOf(deps, openid)) writes.push(deleteWrite(s, now));
  const r = await deps.store.commit(writes);
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  // After the commit, never before: a lost commit must not leave a live account cut off from its
  // contracts. The clean-up is idempotent; a failure in it is finished by calling again.
  const unbound = await cleanUp(deps, openid);
  deps.log.info({ openid, forced, unbound }, 'account deregistered');
  return { deregistered: true, at: now, forced };
};
