/**
 * The handwritten signature image check (手写签名, A5), done once at upload so that a bad image is
 * refused then and never fails at signing time. Part of shared/identity/ (see config.ts); pure —
 * bytes in, facts or an AppError out — and it also uses pngjs to decode.
 *
 * Checked by decoding, not by the header alone: the whole PNG is decoded with every chunk's CRC
 * checked and the image data inflated and unfiltered (pngjs), as pdf-lib will when it stamps it.
 * In order:
 * - not a PNG signature → UNSUPPORTED_FILE_TYPE (the mini-program's canvas exports PNG);
 * - over 512 KB → VALIDATION_FAILED (maxBytes);
 * - the IHDR dimensions are read first and must be 50–2000 px a side → VALIDATION_FAILED —
 *   before decoding, so a small file claiming a huge image cannot make us allocate it;
 * - truncated, a bad CRC, bad compressed data, a bad filter → IMAGE_UNREADABLE. The chunk
 *   framing and CRCs are walked first and the image data inflated with its Adler-32 checked
 *   (node:zlib), because pngjs's synchronous reader reports a CRC error as "content at end of
 *   stream" and stops inflating at the expected size without reading the checksum — garbled data
 *   would otherwise decode to noise here and fail later in pdf-lib;
 * - no ink (every pixel transparent or near-white) → VALIDATION_FAILED (reason 'blank'): an empty
 *   canvas submitted by mistake is not a signature.
 */
import { crc32, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { AppError } from '../errors';

export const HANDWRITTEN_IMAGE_LIMITS = {
  maxBytes: 512 * 1024,
  minSide: 50,
  maxSide: 2000,
  /** Fewer inked pixels than this is an empty canvas (a short stroke at 2 px already has ~100). */
  minInkPixels: 30,
} as const;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface HandwrittenImage {
  width: number;
  height: number;
  bytes: number;
  /** Pixels with ink: visible (alpha ≥ 32) and darker than near-white. */
  inkPixels: number;
  /** The inked area, in pixels from the top left (for cropping the stamp). */
  inkBox: { x: number; y: number; width: number; height: number };
}

const unreadable = (reason: string): never => {
  throw new AppError('IMAGE_UNREADABLE', '手写签名图片已损坏或无法识别，请重新书写', { field: 'signatureImage', reason });
};

/**
 * Every chunk inside the file with its CRC right, IEND last and nothing after it, and the IDAT
 * stream a complete zlib stream (Adler-32 checked). Reasons: 'truncated' | 'crc' | 'data'.
 */
const checkFraming = (png: Buffer): void => {
  const idat: Buffer[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > png.length) return unreadable('truncated');
    const len = png.readUInt32BE(at);
    if (len > png.length - at - 12) return unreadable('truncated');
    const typeAndData = png.subarray(at + 4, at + 8 + len);
    if (crc32(typeAndData) >>> 0 !== png.readUInt32BE(at + 8 + len)) return unreadable('crc');
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
    if (type === 'IEND') break;
  }
  if (at !== png.length) return unreadable('data');
  if (idat.length === 0) return unreadable('data');
  let raw: Buffer;
  try {
    // Bounded: the IHDR check above caps the image at 2000² RGBA 16-bit plus filter bytes.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: 2001 * 2000 * 8 });
  } catch {
    return unreadable('data');
  }
  // Exactly the bytes the IHDR promises: pngjs fills missing rows with zeros rather than failing.
  if (raw.length !== expectedRawBytes(png)) unreadable('data');
};

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: [x start, y start, x step, y step] (PNG §8.2). */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Filtered, uncompressed size of the image the IHDR describes: per row one filter byte + packed samples. */
const expectedRawBytes = (png: Buffer): number => {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bits = png[24]! * (CHANNELS[png[25]!] ?? 0);
  if (bits === 0) return unreadable('header');
  const rows = (w: number, h: number) => (w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bits) / 8)));
  if (png[28] === 0) return rows(width, height);
  if (png[28] !== 1) return unreadable('header');
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
};

export const checkHandwrittenPng = (input: Uint8Array): HandwrittenImage => {
  const png = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (png.length < PNG_MAGIC.length || !png.subarray(0, 8).equals(PNG_MAGIC)) throw new AppError('UNSUPPORTED_FILE_TYPE', '手写签名须为 PNG 图片');
  const L = HANDWRITTEN_IMAGE_LIMITS;
  if (png.length > L.maxBytes) throw new AppError('VALIDATION_FAILED', '手写签名图片不能超过 512 KB', { field: 'signatureImage', maxBytes: L.maxBytes, bytes: png.length });
  // IHDR is the first chunk (PNG §5.6): length 13 at 8, type at 12, width at 16, height at 20.
  if (png.length < 33 || png.readUInt32BE(8) !== 13 || png.toString('latin1', 12, 16) !== 'IHDR') return unreadable('header');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  if (width < L.minSide || height < L.minSide || width > L.maxSide || height > L.maxSide) {
    throw new AppError('VALIDATION_FAILED', `手写签名图片尺寸须在 ${L.minSide}–${L.maxSide} 像素之间`, { field: 'signatureImage', width, height });
  }
  checkFraming(png);
  let decoded: PNG;
  try {
    decoded = PNG.sync.read(png, { checkCRC: true });
  } catch {
    return unreadable('data'); // framing and zlib are sound: what is left is the pixel data (filters, sizes)
  }
  if (decoded.width !== width || decoded.height !== height || decoded.data.length !== width * height * 4) return unreadable('data');
  const d = decoded.data;
  let ink = 0;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (d[i + 3]! >= 32 && d[i]! + d[i + 1]! + d[i + 2]! < 600) {
        ink++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (ink < L.minInkPixels) throw new AppError('VALIDATION_FAILED', '手写签名为空白，请重新书写', { field: 'signatureImage', reason: 'blank' });
  return { width, height, bytes: png.length, inkPixels: ink, inkBox: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } };
};
