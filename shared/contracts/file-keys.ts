/** Where things live in file storage: one place, so writers and readers agree. */
import { AppError } from '../errors';

const HANDWRITTEN_REF = /^hw_[0-9a-z]{9,40}$/;

/**
 * A handwritten signature is only ever read from its owner's folder: a ref is a bare id (the
 * schema says so too), never a path that could reach another user's signature.
 */
export const handwrittenKey = (openid: string, ref: string): string => {
  if (!HANDWRITTEN_REF.test(ref)) throw new AppError('VALIDATION_FAILED', '手写签名不存在，请重新上传', { fields: [{ field: '/signature/ref', rule: 'pattern' }] });
  return `signatures/${openid}/${ref}.png`;
};
