import { PDFDocument } from '@cantoo/pdf-lib';
import { isAppError } from '../../shared/errors';
import { createPersonalSeal, SEAL_STYLES, sealText, type SealShape } from '../../shared/documents/seal';
import { toPdfOperators, toSvg, VectorDrawing } from '../../shared/documents/vector';
import { isRed, pixelsIn } from './png';
import { rasterize, tempDir, writeTemp } from './tools';

jest.setTimeout(30_000);

describe('seal text', () => {
  test.each([
    ['张三', '张三之印'],
    ['王小明', '王小明印'],
    ['欧阳娜娜', '欧阳娜娜'],
    ['李', '李之印'],
    ['阿依古丽·买买提', '阿依古丽买买提'],
  ])('%s → %s', (name, text) => expect(sealText(name)).toBe(text));

  test('an empty name is a validation error', () => {
    expect(() => sealText(' · ')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

/** Centre of the bounding box of the glyph outline drawn for each character, in drawing order. */
const glyphCentres = (seal: VectorDrawing): Array<{ x: number; y: number }> => {
  const glyphPath = seal.shapes[seal.shapes.length - 1]!.path;
  const out: Array<{ xs: number[]; ys: number[] }> = [];
  // Each character's outline is a run of contours; characters are drawn in reading order, and
  // the first contour of a new character starts in a different grid cell.
  let current: { xs: number[]; ys: number[] } | undefined;
  let cell = '';
  for (const c of glyphPath) {
    if (c.op === 'Z') continue;
    const cx = Math.floor(c.x / 50);
    const cy = Math.floor(c.y / 50);
    if (c.op === 'M' && `${cx},${cy}` !== cell) {
      cell = `${cx},${cy}`;
      current = { xs: [], ys: [] };
      out.push(current);
    }
    current!.xs.push(c.x);
    current!.ys.push(c.y);
  }
  return out.map(({ xs, ys }) => ({ x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 }));
};

describe('personal seal', () => {
  test('square seal reads in columns from the right: 张 三 top-right/bottom-right, 之 印 on the left', () => {
    const seal = createPersonalSeal('张三');
    expect(seal).toMatchObject({ kind: 'personal-seal', shape: 'square', text: '张三之印', width: 100, height: 100 });
    const [zhang, san, zhi, yin] = glyphCentres(seal);
    expect(zhang!.x).toBeGreaterThan(50);
    expect(zhang!.y).toBeGreaterThan(50);
    expect(san!.x).toBeGreaterThan(50);
    expect(san!.y).toBeLessThan(50);
    expect(zhi!.x).toBeLessThan(50);
    expect(zhi!.y).toBeGreaterThan(50);
    expect(yin!.x).toBeLessThan(50);
    expect(yin!.y).toBeLessThan(50);
  });

  test('the border is a stroked square or circle, the characters filled, in seal red', () => {
    const square = createPersonalSeal('王小明');
    const round = createPersonalSeal('王小明', 'round');
    expect(square.shapes[0]).toMatchObject({ paint: 'stroke' });
    expect(square.shapes[0]!.path.filter((c) => c.op === 'L')).toHaveLength(3);
    expect(round.shapes[0]!.path.filter((c) => c.op === 'C')).toHaveLength(4);
    for (const s of [square, round]) {
      expect(s.shapes[1]).toMatchObject({ paint: 'fill' });
      expect(s.color[0]).toBeGreaterThan(0.8);
      expect(s.color[1]).toBeLessThan(0.2);
    }
  });

  test('all drawing stays inside the seal', () => {
    for (const s of [createPersonalSeal('欧阳娜娜'), createPersonalSeal('张三', 'round'), createPersonalSeal('阿依古丽·买买提')]) {
      for (const shape of s.shapes) {
        for (const c of shape.path) {
          if (c.op === 'Z') continue;
          expect(c.x).toBeGreaterThanOrEqual(0);
          expect(c.x).toBeLessThanOrEqual(100);
          expect(c.y).toBeGreaterThanOrEqual(0);
          expect(c.y).toBeLessThanOrEqual(100);
        }
      }
    }
  });

  test('a name the font cannot draw is refused rather than stamped with boxes', () => {
    let err: unknown;
    try {
      createPersonalSeal('张😀');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code === 'VALIDATION_FAILED' && err.details).toEqual({ characters: ['😀'] });
  });

  test('SVG preview is well formed and flips y', () => {
    const svg = toSvg(createPersonalSeal('张三'));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 100 100"/);
    expect(svg).toContain('matrix(1 0 0 -1 0 100)');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('fill="#d6141a"');
  });

  test('stamped on a page, it is red where it was drawn and nowhere else', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([300, 300]);
    const ops = toPdfOperators(createPersonalSeal('张三', 'round'), { x: 100, y: 100, scale: 1 });
    page.node.addContentStream(doc.context.register(doc.context.stream(ops)));
    const file = writeTemp(tempDir(), 'seal.pdf', await doc.save());
    const img = rasterize(file, 1, 144);
    const inside = pixelsIn(img, { x: 100, y: 100, width: 100, height: 100 }, 300, 144).filter(isRed).length;
    const outside = pixelsIn(img, { x: 0, y: 220, width: 300, height: 80 }, 300, 144).filter(isRed).length;
    expect(inside).toBeGreaterThan(4000);
    expect(outside).toBe(0);
  });
});

describe('A5 seal styles: each style the page offers renders, red where it is drawn and nowhere else', () => {
  test('the catalogue: 方章, 圆章, 椭圆章, 长方章', () => {
    expect(SEAL_STYLES).toEqual([
      { style: 'square', label: '方章' },
      { style: 'round', label: '圆章' },
      { style: 'oval', label: '椭圆章' },
      { style: 'rectangle', label: '长方章' },
    ]);
  });

  test('horizontal styles show the name alone, read left to right', () => {
    for (const style of ['oval', 'rectangle'] as const) {
      const seal = createPersonalSeal('王小明', style);
      expect(seal).toMatchObject({ kind: 'personal-seal', shape: style, name: '王小明', text: '王小明' });
      expect(seal.width).toBeGreaterThan(seal.height);
      const cells = glyphRow(seal);
      expect(cells).toEqual([...cells].sort((a, b) => a - b));
      expect([...new Set(cells)]).toEqual([0, 1, 2]);
    }
    expect(createPersonalSeal('阿依古丽·买买提', 'rectangle').text).toBe('阿依古丽买买提');
    // A long name makes a longer rectangle, not smaller characters.
    expect(createPersonalSeal('阿依古丽·买买提', 'rectangle').width).toBeGreaterThan(createPersonalSeal('张三', 'rectangle').width);
  });

  test('an unknown style is VALIDATION_FAILED', () => {
    expect(() => createPersonalSeal('张三', 'star' as SealShape)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  test('a name the font cannot draw is refused in every style', () => {
    for (const { style } of SEAL_STYLES) expect(() => createPersonalSeal('张😀', style)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  test.each(SEAL_STYLES.map((s) => [s.label, s.style] as const))('%s (%s): drawn within its own size, rendered by poppler in seal red inside its box only', async (_label, style) => {
    const seal = createPersonalSeal('张三', style);
    for (const shape of seal.shapes) {
      for (const c of shape.path) {
        if (c.op === 'Z') continue;
        expect(c.x).toBeGreaterThanOrEqual(0);
        expect(c.x).toBeLessThanOrEqual(seal.width);
        expect(c.y).toBeGreaterThanOrEqual(0);
        expect(c.y).toBeLessThanOrEqual(seal.height);
      }
    }
    expect(toSvg(seal)).toContain(`viewBox="0 0 ${seal.width} ${seal.height}"`);
    const doc = await PDFDocument.create();
    const page = doc.addPage([400, 300]);
    page.node.addContentStream(doc.context.register(doc.context.stream(toPdfOperators(seal, { x: 50, y: 100, scale: 1 }))));
    const img = rasterize(writeTemp(tempDir(), `seal-${style}.pdf`, await doc.save()), 1, 144);
    const box = { x: 50, y: 100, width: seal.width, height: seal.height };
    const inside = pixelsIn(img, box, 300, 144).filter(isRed).length;
    const area = seal.width * seal.height * 4; // pixels at 144 dpi
    expect(inside / area).toBeGreaterThan(0.12);
    expect(pixelsIn(img, { x: 0, y: 0, width: 400, height: 95 }, 300, 144).filter(isRed)).toHaveLength(0);
    expect(pixelsIn(img, { x: 50 + seal.width + 5, y: 0, width: 400 - 55 - seal.width, height: 300 }, 300, 144).filter(isRed)).toHaveLength(0);
    // Round and oval seals leave their corners blank; square and rectangular ones are bordered there.
    const corner = pixelsIn(img, { x: 50, y: 100, width: 6, height: 6 }, 300, 144).filter(isRed).length;
    if (style === 'round' || style === 'oval') expect(corner).toBe(0);
    else expect(corner).toBeGreaterThan(10);
  });
});

/**
 * For a one-row seal of n characters: which n-th of the text's width each glyph contour's centre
 * falls in, in drawing order. Characters are drawn one after another in equal cells, so read left
 * to right this is non-decreasing and takes every value 0…n−1.
 */
const glyphRow = (seal: VectorDrawing & { text: string }): number[] => {
  const contours: number[][] = [];
  for (const c of seal.shapes[seal.shapes.length - 1]!.path) {
    if (c.op === 'M') contours.push([c.x]);
    else if (c.op !== 'Z') contours[contours.length - 1]!.push(c.x);
  }
  const all = contours.flat();
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const n = [...seal.text].length;
  return contours.map((xs) => Math.min(n - 1, Math.floor((((Math.min(...xs) + Math.max(...xs)) / 2 - lo) / (hi - lo)) * n)));
};
