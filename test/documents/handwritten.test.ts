import { isAppError } from '../../shared/errors';
import { HANDWRITTEN_LIMITS, validateHandwrittenSignature } from '../../shared/documents/handwritten';
import { encodePng, handwrittenPng } from './png';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isAppError(e) ? e.code : `not an AppError: ${String(e)}`;
  }
  return undefined;
};

test('a PNG from the signature canvas is accepted, with its size and transparency', () => {
  const png = handwrittenPng(600, 200);
  expect(validateHandwrittenSignature(png)).toEqual({ width: 600, height: 200, bytes: png.length, hasAlpha: true });
});

test('JPEG, PDF, GIF and empty input are refused as unsupported file types', () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00]);
  expect(codeOf(() => validateHandwrittenSignature(jpeg))).toBe('UNSUPPORTED_FILE_TYPE');
  expect(codeOf(() => validateHandwrittenSignature(Buffer.from('%PDF-1.7\n')))).toBe('UNSUPPORTED_FILE_TYPE');
  expect(codeOf(() => validateHandwrittenSignature(Buffer.from('GIF89a')))).toBe('UNSUPPORTED_FILE_TYPE');
  expect(codeOf(() => validateHandwrittenSignature(new Uint8Array(0)))).toBe('UNSUPPORTED_FILE_TYPE');
});

test('a PNG above 512 KB is refused', () => {
  // Noise does not compress: a 400 × 400 RGBA image of random bytes is ~640 KB.
  const noisy = encodePng(400, 400, () => [Math.random() * 256, Math.random() * 256, Math.random() * 256, 255].map(Math.floor) as never);
  expect(noisy.length).toBeGreaterThan(HANDWRITTEN_LIMITS.maxBytes);
  expect(codeOf(() => validateHandwrittenSignature(noisy))).toBe('VALIDATION_FAILED');
});

test.each([
  [49, 100],
  [100, 49],
  [2001, 100],
  [100, 2001],
])('a %i × %i image is refused', (w, h) => {
  expect(codeOf(() => validateHandwrittenSignature(handwrittenPng(w, h)))).toBe('VALIDATION_FAILED');
});

test.each([
  [50, 50],
  [2000, 60],
])('a %i × %i image is at the limit and accepted', (w, h) => {
  expect(validateHandwrittenSignature(handwrittenPng(w, h))).toMatchObject({ width: w, height: h });
});

test('a PNG whose header was altered is refused as damaged', () => {
  const png = handwrittenPng(300, 100);
  const forged = Buffer.from(png);
  forged.writeUInt32BE(60, 20); // height changed without fixing the CRC
  expect(codeOf(() => validateHandwrittenSignature(forged))).toBe('VALIDATION_FAILED');
  expect(codeOf(() => validateHandwrittenSignature(png.subarray(0, 20)))).toBe('VALIDATION_FAILED');
});
