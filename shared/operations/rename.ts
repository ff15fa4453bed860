/**
 * rename (A3 个人更名): the verified owner, having read the notice and agreed the 实名变更协议
 * (its version echoed), proves the new name by a face check against the new name and the same ID
 * number (face-start, purpose rename). Then:
 * - every unfinished contract where the user is a party moves by the table's `invalidate` row
 *   (contracts/transition.ts: its event, the parties' SMS in its commit) — signing it afterwards
 *   answers CONTRACT_ENDED_BY_RENAME;
 * - in one commit: the new name on the account, every seal and handwritten signature `invalid`
 *   (lifecycle/seal.ts), the face check spent, and the rename recorded (from, to, agreement, check).
 * Signed contracts are untouched; new contracts, and so new certificates, carry the new name.
 * Rate-limited per user (rateLimits.rename), counted in that commit and checked before anything ends.
 *
 * Order: contracts first, the account last. A failure between them leaves ended contracts and the
 * old name, and the face check unspent, so repeating the rename finishes it; never a renamed
 * account with a contract still signable under the old name. Contracts created while the rename
 * runs are ended by a second pass after the account's commit.
 */
import { AppError } from '../errors';
import type { RenameInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { chinaDay } from '../rules/dates';
import { prepareFaceCheck, subjectHash } from '../identity/face-checks';
import { parseNameAndId } from '../identity/person';
import { getUser, USERS, type User } from '../identity/users';
import { invalidateAllWrites } from '../identity/seals';
import { RENAME_AGREEMENT, requireAgreed } from '../identity/account-notices';
import { unfinishedContractsOf } from '../contracts/account-contracts';
import { runTransition } from '../contracts/transition';
import { closeDraftOrder } from '../payments/draft-orders';
import { expectAllowed, limitWrites } from '../messages/limits';
import type { Deps } from '../ports/operation';

const endUnfinished = async (deps: Deps, openid: string, idNumber: string): Promise<string[]> => {
  const ended: string[] = [];
  for (const c of await unfinishedContractsOf(deps, openid, idNumber)) {
    try {
      await runTransition(deps, { contractId: c._id, action: 'invalidate', by: 'system', current: c, closeOpenOrder: closeDraftOrder, eventData: { cause: 'rename' } });
      ended.push(c._id);
    } catch (e) {
      // Moved on meanwhile (signed, refused, expired): the table no longer ends it — nothing to do.
      if (!(e instanceof AppError && (e.code === 'INVALID_TRANSITION' || e.code === 'CONTRACT_ENDED_BY_RENAME'))) throw e;
    }
  }
  return ended;
};

export const rename: Operation<RenameInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  requireAgreed(RENAME_AGREEMENT, input.agreementVersion, '/agreementVersion');
  const { name } = parseNameAndId({ name: input.name, idNumber: user.realName.idNumber }, chinaDay(deps.clock.now()));
  if (name === user.realName.name) throw new AppError('NAME_UNCHANGED');
  // M2: each rename sends the ended contracts' SMS; a legal name changes rarely (config/messages.json rateLimits.rename).
  await expectAllowed(deps, 'rename', { caller: openid });
  // Checked (not yet spent) before anything ends: a face that fails ends no contract.
  const face = await prepareFaceCheck(deps, {
    bizToken: input.bizToken, openid, purpose: 'rename', contractId: null, subject: subjectHash(name, user.realName.idNumber),
  });
  const ended = await endUnfinished(deps, openid, user.realName.idNumber);

  const now = deps.clock.now().toISOString();
  const fresh = (await getUser(deps, openid))!;
  if (!fresh.realName || fresh.realName.idNumber !== user.realName.idNumber) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  const next: User = {
    ...fresh,
    realName: { ...fresh.realName, name, faceCheckId: face.check._id },
    defaultSeal: null,
    renames: [...(fresh.renames ?? []), { from: fresh.realName.name, to: name, at: now, agreementVersion: input.agreementVersion, faceCheckId: face.check._id }],
    updatedAt: now,
  };
  const seals = await invalidateAllWrites(deps, openid, now);
  const counted = await limitWrites(deps, 'rename', { caller: openid });
  const r = await deps.store.commit([{ collection: USERS, doc: next, expectedVersion: fresh.version ?? 0 }, face.write, ...seals, ...counted]);
  if (!r.ok) throw new AppError('CONFLICT', '您的账号信息刚刚已更新，请重试');
  const late = await endUnfinished(deps, openid, user.realName.idNumber);
  deps.log.info({ openid, ended: ended.length + late.length, seals: seals.length }, 'renamed');
  return { name, renamedAt: now, endedContracts: [...ended, ...late], invalidatedSeals: seals.map((w) => w.doc._id) };
};
