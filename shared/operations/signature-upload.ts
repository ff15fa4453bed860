import { AppError } from '../errors';
import type { SignatureUploadInput } from '../generated/schema-types';
import { validateHandwrittenSignature } from '../documents/handwritten';
import { requireCaller, type Operation } from '../ports/operation';
import { handwrittenKey } from '../contracts/file-keys';
import { requireRealName } from '../identity/users';

/**
 * A handwritten signature drawn in the mini-program (A5): a PNG, checked by its magic bytes, size
 * and dimensions, kept under the user's own folder; signing refers to it by the returned ref.
 */
export const signatureUpload: Operation<SignatureUploadInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  await requireRealName(deps, openid);
  const bytes = Buffer.from(input.pngBase64, 'base64');
  if (bytes.length === 0) throw new AppError('UNSUPPORTED_FILE_TYPE', '请上传 PNG 格式的手写签名');
  const info = validateHandwrittenSignature(bytes);
  const ref = deps.ids.id('hw');
  await deps.files.put(handwrittenKey(openid, ref), bytes, 'image/png');
  return { ref, width: info.width, height: info.height };
};
