/**
 * A5 handwritten signatures are checked by decoding at upload: a corrupt image is IMAGE_UNREADABLE
 * then, never a 500 at signing time. Fixtures come from the tests' own PNG encoder
 * (test/documents/png.ts), not from the library under test, and are damaged byte by byte.
 */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument } from '@cantoo/pdf-lib';
import { checkHandwrittenPng } from '../../shared/identity/handwritten-image';
import { AppError } from '../../shared/errors';
import { encodePng, handwrittenPng } from '../documents/png';

const codeOf = (bytes: Uint8Array): [string, unknown] => {
  try {
    checkHandwrittenPng(bytes);
  } catch (e) {
    if (e instanceof AppError) return [e.code, e.details?.reason ?? e.details];
    throw e;
  }
  return ['OK', null];
};

/** Offsets of each chunk: [type, start of length field, data length]. */
const chunks = (png: Buffer): Array<{ type: string; at: number; len: number }> => {
  const out = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), at, len });
    at += 12 + len;
  }
  return out;
};

/** Replaces the IDAT payload and writes a correct CRC, so only the compressed data is wrong. */
const withIdat = (png: Buffer, payload: Buffer): Buffer => {
  const idat = chunks(png).find((c) => c.type === 'IDAT')!;
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.write('IDAT', 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), payload])) >>> 0, 0);
  return Buffer.concat([png.subarray(0, idat.at), head, payload, crc, png.subarray(idat.at + 12 + idat.len)]);
};

const good = handwrittenPng(400, 160);

test('a drawn signature passes and says where the ink is', () => {
  const info = checkHandwrittenPng(good);
  expect(info).toMatchObject({ width: 400, height: 160, bytes: good.length });
  expect(info.inkPixels).toBeGreaterThan(2000);
  expect(info.inkBox.x).toBe(0);
  expect(info.inkBox.width).toBe(400);
  expect(info.inkBox.y).toBeGreaterThan(30); // the wave spans the middle half
  expect(info.inkBox.y + info.inkBox.height).toBeLessThan(130);
});

test('a grey-alpha PNG from another encoder (pngjs) passes, ink counted exactly', () => {
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const img = new PNG({ width: 120, height: 60 });
  img.data.fill(0);
  for (let x = 10; x < 110; x++) for (let y = 28; y < 32; y++) img.data.set([0, 0, 0, 255], (y * 120 + x) * 4);
  const bytes = PNG.sync.write(img, { colorType: 4 });
  expect(bytes[25]).toBe(4);
  expect(checkHandwrittenPng(bytes)).toMatchObject({ width: 120, height: 60, inkPixels: 400, inkBox: { x: 10, y: 28, width: 100, height: 4 } });
});

/** The same picture as `good`, Adam7-interlaced (PNG §8.2), written by hand: filter 0 on every row. */
const interlaced = (width: number, height: number, paint: (x: number, y: number) => readonly number[]): Buffer => {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0!; y < height; y += dy!) {
      if (x0! >= width) break;
      rows.push(0);
      for (let x = x0!; x < width; x += dx!) rows.push(...paint(x, y));
    }
  }
  const plain = encodePng(width, height, () => [0, 0, 0, 0]);
  const ihdrAt = 8;
  const out = withIdat(plain, deflateSync(Buffer.from(rows)));
  out[ihdrAt + 8 + 12] = 1; // interlace method
  out.writeUInt32BE(crc32(out.subarray(12, 29)) >>> 0, 29);
  return out;
};

test('an interlaced PNG passes, and its data must have the interlaced size', () => {
  const stroke = (x: number, y: number) => (Math.abs(y - 30) < 3 && x > 5 && x < 95 ? [20, 20, 60, 255] : [255, 255, 255, 0]);
  const png = interlaced(101, 61, stroke);
  expect(checkHandwrittenPng(png)).toMatchObject({ width: 101, height: 61, inkPixels: 89 * 5, inkBox: { x: 6, y: 28, width: 89, height: 5 } });
  // The same rows compressed as if not interlaced are the wrong size for an interlaced image.
  const flat = Buffer.alloc((101 * 4 + 1) * 61);
  expect(codeOf(withIdat(png, deflateSync(flat)))).toEqual(['IMAGE_UNREADABLE', 'data']);
});

test('what passes here, pdf-lib can embed (the signing step will not fail on it)', async () => {
  const doc = await PDFDocument.create();
  const img = await doc.embedPng(good);
  expect([img.width, img.height]).toEqual([400, 160]);
});

describe('refused at upload', () => {
  test.each([
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]), 'UNSUPPORTED_FILE_TYPE'],
    ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), 'UNSUPPORTED_FILE_TYPE'],
    ['an empty upload', Buffer.alloc(0), 'UNSUPPORTED_FILE_TYPE'],
    ['the PNG signature alone', good.subarray(0, 8), 'IMAGE_UNREADABLE'],
  ])('%s → %s', (_l, bytes, code) => {
    expect(codeOf(bytes)[0]).toBe(code);
  });

  test.each([
    ['cut in the middle of IDAT', (p: Buffer) => p.subarray(0, Math.floor(p.length / 2))],
    ['missing IEND', (p: Buffer) => p.subarray(0, p.length - 12)],
    ['cut inside IHDR', (p: Buffer) => p.subarray(0, 30)],
  ])('a truncated PNG (%s) is IMAGE_UNREADABLE', (_l, cut) => {
    expect(codeOf(cut(good))[0]).toBe('IMAGE_UNREADABLE');
  });

  test('bytes after IEND are IMAGE_UNREADABLE', () => {
    expect(codeOf(Buffer.concat([good, Buffer.from('trailing')]))).toEqual(['IMAGE_UNREADABLE', 'data']);
  });

  test('a flipped byte in the image data (its CRC no longer matches) is IMAGE_UNREADABLE (crc)', () => {
    const idat = chunks(good).find((c) => c.type === 'IDAT')!;
    const bad = Buffer.from(good);
    bad[idat.at + 8 + Math.floor(idat.len / 2)]! ^= 0x01;
    expect(codeOf(bad)).toEqual(['IMAGE_UNREADABLE', 'crc']);
  });

  test('a wrong IHDR CRC is IMAGE_UNREADABLE (crc)', () => {
    const bad = Buffer.from(good);
    bad[29]! ^= 0xff;
    expect(codeOf(bad)).toEqual(['IMAGE_UNREADABLE', 'crc']);
  });

  test('bad compressed data with a correct CRC is IMAGE_UNREADABLE', () => {
    const idat = chunks(good).find((c) => c.type === 'IDAT')!;
    const payload = Buffer.from(good.subarray(idat.at + 8, idat.at + 8 + idat.len));
    for (let i = 2; i < payload.length; i += 7) payload[i]! ^= 0x5a; // keep the zlib header, garble the stream
    expect(codeOf(withIdat(good, payload))).toEqual(['IMAGE_UNREADABLE', 'data']);
    // Not even a zlib stream:
    expect(codeOf(withIdat(good, Buffer.from('not deflate at all')))).toEqual(['IMAGE_UNREADABLE', 'data']);
    // A sound stream whose checksum was damaged (the last 4 bytes are its Adler-32):
    const adler = Buffer.from(payload.length ? good.subarray(idat.at + 8, idat.at + 8 + idat.len) : payload);
    adler[adler.length - 1]! ^= 0x01;
    expect(codeOf(withIdat(good, adler))).toEqual(['IMAGE_UNREADABLE', 'data']);
  });

  test('well-compressed data of the wrong size (rows missing) is IMAGE_UNREADABLE', () => {
    const raw = Buffer.alloc((400 * 4 + 1) * 80); // half the rows
    expect(codeOf(withIdat(good, deflateSync(raw)))[0]).toBe('IMAGE_UNREADABLE');
  });

  test('an unknown row filter is IMAGE_UNREADABLE', () => {
    const raw = Buffer.alloc((400 * 4 + 1) * 160);
    raw[0] = 9; // filter types are 0–4
    expect(codeOf(withIdat(good, deflateSync(raw)))[0]).toBe('IMAGE_UNREADABLE');
  });

  test('a small file claiming a huge image is refused before decoding (VALIDATION_FAILED with the size)', () => {
    const huge = Buffer.from(good);
    huge.writeUInt32BE(60_000, 16);
    huge.writeUInt32BE(60_000, 20);
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)) >>> 0, 29);
    const e = (() => {
      try {
        checkHandwrittenPng(huge);
      } catch (err) {
        return err as AppError;
      }
      throw new Error('accepted');
    })();
    expect([e.code, e.details]).toEqual(['VALIDATION_FAILED', { field: 'signatureImage', width: 60_000, height: 60_000 }]);
  });

  test.each([
    ['too small', 40, 160],
    ['too large', 2001, 100],
  ])('%s an image is VALIDATION_FAILED', (_l, w, h) => {
    expect(codeOf(handwrittenPng(w, h))[0]).toBe('VALIDATION_FAILED');
  });

  test('over 512 KB is VALIDATION_FAILED', () => {
    // Noise does not compress: 1000 × 200 RGBA of random bytes is ~800 KB.
    const noise = randomBytes(1000 * 200 * 3);
    const noisy = encodePng(1000, 200, (x, y) => {
      const i = (y * 1000 + x) * 3;
      return [noise[i]!, noise[i + 1]!, noise[i + 2]!, 255];
    });
    expect(noisy.length).toBeGreaterThan(512 * 1024);
    expect(codeOf(noisy)[0]).toBe('VALIDATION_FAILED');
  });

  test.each([
    ['fully transparent', [0, 0, 0, 0]],
    ['all white', [255, 255, 255, 255]],
    ['dark but invisible', [10, 10, 10, 8]],
  ] as const)('an empty canvas (%s) is VALIDATION_FAILED (blank)', (_l, px) => {
    expect(codeOf(encodePng(300, 120, () => px))).toEqual(['VALIDATION_FAILED', 'blank']);
  });
});
