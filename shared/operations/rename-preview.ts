/**
 * rename-preview (A3 个人更名, first step): the notice and 实名变更协议 to read, and the caller's
 * unfinished contracts the rename will end — the list the page shows before the new name is typed.
 */
import { AppError } from '../errors';
import type { RenamePreviewInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser } from '../identity/users';
import { RENAME_AGREEMENT } from '../identity/account-notices';
import { unfinishedContractsOf } from '../contracts/account-contracts';

export const renamePreview: Operation<RenamePreviewInput> = async (_input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const contracts = await unfinishedContractsOf(deps, openid, user.realName.idNumber);
  return {
    agreement: RENAME_AGREEMENT,
    currentName: user.realName.name,
    contracts: contracts.map((c) => ({ id: c._id, title: c.title, state: c.state })),
  };
};
