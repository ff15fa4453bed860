/**
 * L1: the optional photo of a transfer a repayment carries (a screenshot from the mini-program's
 * album or camera, uploaded to cloud storage first as for own files). Checked by decoding, not by
 * its name or header — a corrupt or oversized image is IMAGE_UNREADABLE / FILE_TOO_LARGE — and
 * copied under a key of ours, so nothing the caller sent forms the stored path.
 *
 * May import: ports/, contracts/own-file-imports (the caller's upload), errors; pngjs, jpeg-js.
 */
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { AppError } from '../errors';
import type { Deps } from '../ports/operation';
import { uploadKey } from '../contracts/own-file-imports';

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const MAX_MEGAPIXELS = 50;

export interface RepaymentPhoto {
  key: string;
  sha256: string;
  contentType: 'image/png' | 'image/jpeg';
}

const unreadable = (): never => {
  throw new AppError('IMAGE_UNREADABLE');
};

/** The image type by decoding: PNG or JPEG, whole and within bounds; anything else is refused. */
export const checkPhoto = (bytes: Uint8Array): RepaymentPhoto['contentType'] => {
  if (bytes.length > PHOTO_MAX_BYTES) throw new AppError('FILE_TOO_LARGE', undefined, { maxBytes: PHOTO_MAX_BYTES });
  const b = Buffer.from(bytes);
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    try {
      const png = PNG.sync.read(b);
      if (png.width * png.height > MAX_MEGAPIXELS * 1e6) unreadable();
      return 'image/png';
    } catch {
      return unreadable();
    }
  }
  if (b[0] === 0xff && b[1] === 0xd8) {
    try {
      jpeg.decode(b, { maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 512, tolerantDecoding: false });
      return 'image/jpeg';
    } catch {
      return unreadable();
    }
  }
  throw new AppError('UNSUPPORTED_FILE_TYPE', '请上传 PNG 或 JPG 格式的转账截图');
};

/** Reads the caller's upload, checks it, and stores it as the repayment's photo. */
export const storeRepaymentPhoto = async (deps: Deps, openid: string, fileID: string, contractId: string, repaymentId: string): Promise<RepaymentPhoto> => {
  const bytes = await deps.files.get(uploadKey(fileID, openid));
  if (!bytes) throw new AppError('NOT_FOUND', '文件不存在，请重新上传');
  const contentType = checkPhoto(bytes);
  const key = `contracts/${contractId}/repayment-${repaymentId}.${contentType === 'image/png' ? 'png' : 'jpg'}`;
  await deps.files.put(key, Buffer.from(bytes), contentType);
  return { key, sha256: createHash('sha256').update(bytes).digest('hex'), contentType };
};
