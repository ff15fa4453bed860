/**
 * Just enough PNG for the tests: decode what pdftoppm writes (8-bit grey/RGB/RGBA,
 * non-interlaced) and encode small RGBA images to stand in for handwritten signatures.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major from the top. */
  rgb: Uint8Array;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** No Math.* in the per-pixel paths: jest's sandboxed Math is not inlined, and costs ~100× there. */
const abs = (x: number) => (x < 0 ? -x : x);

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const pa = abs(p - a);
  const pb = abs(p - b);
  const pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

export const decodePng = (png: Buffer): DecodedPng => {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs');
      channels = CHANNELS[data[9]!] ?? 0;
      if (!channels) throw new Error(`colour type ${data[9]} not supported`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const inflated = inflateSync(Buffer.concat(idat));
  const raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  const none = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : none;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      const v = src[x]!;
      out[x] = (filter === 0 ? v : filter === 1 ? v + a : filter === 2 ? v + b : filter === 3 ? v + ((a + b) >> 1) : v + paeth(a, b, c)) & 0xff;
    }
  }
  if (channels === 3) return { width, height, rgb: pixels };
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    if (channels === 4) rgb.set(pixels.subarray(i * 4, i * 4 + 3), i * 3);
    else rgb.fill(pixels[i * channels]!, i * 3, i * 3 + 3);
  }
  return { width, height, rgb };
};

const chunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

/** Encodes an RGBA image; `paint(x, y)` returns [r, g, b, a]. */
export const encodePng = (
  width: number,
  height: number,
  paint: (x: number, y: number) => readonly [number, number, number, number],
): Buffer => {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) Buffer.from(paint(x, y)).copy(raw, y * (width * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};

/** A fake handwritten signature: a dark wavy stroke on a transparent background. */
export const handwrittenPng = (width = 400, height = 160): Buffer =>
  encodePng(width, height, (x, y) => {
    const centre = height / 2 + Math.sin(x / 18) * (height / 4);
    return Math.abs(y - centre) < 5 ? [20, 20, 60, 255] : [255, 255, 255, 0];
  });

/** Pixels inside a rectangle given in PDF points (origin bottom-left) of a page rendered at `dpi`. */
export const pixelsIn = (
  img: DecodedPng,
  rect: { x: number; y: number; width: number; height: number },
  pageHeightPt: number,
  dpi = 72,
): Array<[number, number, number]> => {
  const k = dpi / 72;
  const x0 = Math.ceil(rect.x * k) + 1;
  const x1 = Math.floor((rect.x + rect.width) * k) - 1;
  const y0 = Math.ceil((pageHeightPt - rect.y - rect.height) * k) + 1;
  const y1 = Math.floor((pageHeightPt - rect.y) * k) - 1;
  const out: Array<[number, number, number]> = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 3;
      out.push([img.rgb[i]!, img.rgb[i + 1]!, img.rgb[i + 2]!]);
    }
  }
  return out;
};

export const isRed = ([r, g, b]: readonly number[]) => r! > 150 && g! < 110 && b! < 110;
export const isDark = ([r, g, b]: readonly number[]) => r! + g! + b! < 300;
