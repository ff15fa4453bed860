/**
 * seal-list (A5 印章管理): the caller's seals and handwritten signatures with their status (valid,
 * or invalid after a rename) and which is the default, plus the styles a new seal may take.
 */
import { AppError } from '../errors';
import type { SealListInput } from '../generated/schema-types';
import { SEAL_STYLES } from '../documents/seal-styles';
import { requireCaller, type Operation } from '../ports/operation';
import { getUser } from '../identity/users';
import { sealsOf, sealView } from '../identity/seals';

export const sealList: Operation<SealListInput> = async (_input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const items = (await sealsOf(deps, openid)).map((s) => sealView(s, user));
  return { items, styles: SEAL_STYLES.map((s) => ({ style: s.style, label: s.label })), defaultRef: items.find((i) => i.isDefault)?.ref ?? null };
};
