/**
 * signing-method-set (V2 签署验证方式): the verified owner's signing password and SOTER modes.
 * Setting, changing and resetting the password and switching fingerprint / face ID on each need a
 * passed face check of the owner (face-start, purpose `signing_method`), spent in the same commit
 * as the change (shared/identity/signing-methods.ts saveSigningMethods); switching off needs none
 * (it only takes a way of signing away). Face recognition is always available and cannot be
 * switched off. The rules themselves live in shared/identity/signing-password.ts and soter.ts.
 */
import { AppError } from '../errors';
import type { SigningMethodSetInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { prepareFaceCheck, subjectHash } from '../identity/face-checks';
import { disableSigningMethod, loadSigningMethods, SIGNING_METHOD_FACE_PURPOSE, signingMethodsView, type SigningMethodsView } from '../identity/signing-methods';
import { changeSigningPassword, checkPasswordRule, resetSigningPassword, setSigningPassword } from '../identity/signing-password';
import { enableSoterMode, type SoterAnswer } from '../identity/soter';
import { requireRealName } from '../identity/users';

const need = <T>(value: T | undefined, field: string, message: string): T => {
  if (value === undefined) throw new AppError('VALIDATION_FAILED', message, { fields: [{ field: `/${field}`, rule: 'required' }] });
  return value;
};

export const signingMethodSet: Operation<SigningMethodSetInput> = async (input, ctx): Promise<SigningMethodsView> => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  // Signing methods stand in for the verified person's face: an unverified account has none.
  const owner = await requireRealName(deps, openid);
  const { action } = input;
  if (action === 'view') return signingMethodsView(await loadSigningMethods(deps, openid), deps.clock.now());
  if (action === 'disable') return disableSigningMethod(deps, { openid, method: need(input.method, 'method', '请选择要关闭的签署验证方式') });

  // Everything the caller typed is checked before the face check is looked at (nothing is spent on a typo).
  const password = action === 'enable' ? undefined : checkPasswordRule(need(input.password, 'password', '请输入6位数字签署密码'));
  const currentPassword = action === 'password_change' ? need(input.currentPassword, 'currentPassword', '请输入当前签署密码') : undefined;
  const mode = action === 'enable' ? need(input.mode, 'mode', '请选择指纹或面容 ID') : undefined;
  const soter = action === 'enable' ? (need(input.soter, 'soter', '请先完成指纹或面容 ID 验证') as SoterAnswer) : undefined;
  const bizToken = need(input.bizToken, 'bizToken', '请先完成人脸识别');

  // Prepared, not spent: the change's own commit spends it (a refused change leaves it usable).
  const face = await prepareFaceCheck(deps, {
    bizToken, openid, purpose: SIGNING_METHOD_FACE_PURPOSE, contractId: null,
    subject: subjectHash(owner.name, owner.idNumber),
  });
  const proof = { faceProof: face.check, faceWrite: face.write };
  switch (action) {
    case 'password_set':
      return setSigningPassword(deps, { openid, password: password!, ...proof });
    case 'password_reset':
      return resetSigningPassword(deps, { openid, password: password!, ...proof });
    case 'password_change':
      return changeSigningPassword(deps, { openid, currentPassword: currentPassword!, newPassword: password!, ...proof });
    case 'enable':
      return enableSoterMode(deps, { openid, mode: mode!, answer: soter!, ...proof });
  }
};
