/**
 * signature-upload (A5 手写签名): a PNG drawn in the mini-program, checked by decoding it whole
 * (identity/handwritten-image.ts: a corrupt image → IMAGE_UNREADABLE now, never a failure at
 * signing time), kept under the user's own folder, and listed as a valid signature of the
 * verified name (identity/seals.ts). Signing refers to it by the returned ref.
 */
import { AppError } from '../errors';
import type { SignatureUploadInput } from '../generated/schema-types';
import { checkHandwrittenPng } from '../identity/handwritten-image';
import { requireCaller, type Operation } from '../ports/operation';
import { handwrittenKey } from '../contracts/file-keys';
import { getUser } from '../identity/users';
import { MAX_SEALS, newSeal, SEALS, sealsOf } from '../identity/seals';
import { commitLimited, expectAllowed } from '../messages/limits';

export const signatureUpload: Operation<SignatureUploadInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const bytes = Buffer.from(input.pngBase64, 'base64');
  if (bytes.length === 0) throw new AppError('UNSUPPORTED_FILE_TYPE', '请上传 PNG 格式的手写签名');
  const info = checkHandwrittenPng(bytes);
  if ((await sealsOf(deps, openid)).length >= MAX_SEALS) throw new AppError('VALIDATION_FAILED', `印章和签名最多保存 ${MAX_SEALS} 个，请先删除不用的`, { reason: 'too_many', max: MAX_SEALS });
  // M2: every upload is a file we keep; refused before it is stored when the day's count is used up.
  await expectAllowed(deps, 'seal', { caller: openid });
  const rec = newSeal(deps, { openid, kind: 'handwritten', style: null, name: user.realName.name });
  // The file first: a record is never listed without its image (an orphan file is harmless).
  await deps.files.put(handwrittenKey(openid, rec._id), bytes, 'image/png');
  await commitLimited(deps, 'seal', { caller: openid }, () => [{ collection: SEALS, docs: [rec] }]);
  return { ref: rec._id, width: info.width, height: info.height, status: rec.status };
};
