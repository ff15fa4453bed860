/**
 * Checks an uploaded handwritten signature (手写签名, A5) before it is stored or stamped: a PNG
 * (the mini-program's signature canvas exports PNG with transparency), at most 512 KB, with
 * plausible dimensions read from the IHDR chunk. Anything else is refused with the product's
 * error codes; nothing is decoded beyond the header here (pdf-lib decodes it when stamping).
 */
import { crc32 } from 'node:zlib';
import { AppError } from '../errors';

export const HANDWRITTEN_LIMITS = {
  maxBytes: 512 * 1024,
  minSide: 50,
  maxSide: 2000,
} as const;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Allowed bit depths per PNG colour type (PNG spec §11.2.2). */
const VALID_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

export interface HandwrittenSignatureInfo {
  width: number;
  height: number;
  bytes: number;
  /** Colour type 4 or 6, or a palette/truecolour image with a tRNS chunk. */
  hasAlpha: boolean;
}

export const validateHandwrittenSignature = (input: Uint8Array): HandwrittenSignatureInfo => {
  const png = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (png.length < PNG_MAGIC.length || !png.subarray(0, 8).equals(PNG_MAGIC)) {
    throw new AppError('UNSUPPORTED_FILE_TYPE', '手写签名须为 PNG 图片');
  }
  if (png.length > HANDWRITTEN_LIMITS.maxBytes) {
    throw new AppError('VALIDATION_FAILED', '手写签名图片不能超过 512 KB', {
      field: 'signatureImage',
      maxBytes: HANDWRITTEN_LIMITS.maxBytes,
      bytes: png.length,
    });
  }
  // IHDR must be the first chunk: length 13, type, 13 data bytes, CRC.
  if (png.length < 8 + 8 + 13 + 4 || png.readUInt32BE(8) !== 13 || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new AppError('VALIDATION_FAILED', '手写签名图片已损坏', { field: 'signatureImage' });
  }
  if (crc32(png.subarray(12, 29)) !== png.readUInt32BE(29)) {
    throw new AppError('VALIDATION_FAILED', '手写签名图片已损坏', { field: 'signatureImage' });
  }
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const depth = png[24] ?? 0;
  const colorType = png[25] ?? 0;
  if (!VALID_DEPTHS[colorType]?.includes(depth) || png[26] !== 0 || png[27] !== 0 || (png[28] ?? 2) > 1) {
    throw new AppError('VALIDATION_FAILED', '手写签名图片格式不受支持', { field: 'signatureImage' });
  }
  const { minSide, maxSide } = HANDWRITTEN_LIMITS;
  if (width < minSide || height < minSide || width > maxSide || height > maxSide) {
    throw new AppError('VALIDATION_FAILED', `手写签名图片尺寸须在 ${minSide}–${maxSide} 像素之间`, {
      field: 'signatureImage',
      width,
      height,
    });
  }
  const hasAlpha = colorType === 4 || colorType === 6 || png.includes(Buffer.from('tRNS', 'latin1'));
  return { width, height, bytes: png.length, hasAlpha };
};
