/** Where things live in file storage: one place, so writers and readers agree. */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';

const HANDWRITTEN_REF = /^hw_[0-9a-z]{9,40}$/;

/**
 * A handwritten signature is only ever read from its owner's folder: a ref is a bare id (the
 * schema says so too), never a path that could reach another user's signature. The folder is a
 * hash of the openid, not the openid: no caller-supplied string ever forms a storage path (an
 * emulator's x-openid, or any future platform's id format, cannot name `../`).
 */
export const handwrittenKey = (openid: string, ref: string): string => {
  if (!HANDWRITTEN_REF.test(ref)) throw new AppError('VALIDATION_FAILED', '手写签名不存在，请重新上传', { fields: [{ field: '/signature/ref', rule: 'pattern' }] });
  return `signatures/${ownerFolder(openid)}/${ref}.png`;
};

/** A fixed-alphabet folder name for a caller: 32 hex characters of SHA-256 over the openid. */
export const ownerFolder = (openid: string): string => createHash('sha256').update(`signature-owner\n${openid}`).digest('hex').slice(0, 32);
