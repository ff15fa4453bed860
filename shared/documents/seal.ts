/**
 * Personal seals (个人印章, A5) generated from the signer's name as vector drawings.
 *
 * Square seal (方章), the usual personal seal: the characters fill a grid inside a red border
 * and read in columns from right to left, top to bottom. Two-character names get '之印'
 * (张三之印), three-character names '印' (王小明印), so the seal is a full 2 × 2 grid; a
 * one-character name takes the whole right column beside '之印'. Longer names fill larger grids.
 * Round seal (圆章): the same grid inside a circle.
 * Oval seal (椭圆章) and rectangular seal (长方章): the name alone (no 之印), in one row read left
 * to right, inside an ellipse or a rectangle as wide as the name needs — the horizontal personal
 * seals e-signature services offer beside the square one. SEAL_STYLES lists them with the words
 * the mini-program shows; the product's guide names no style, so these are the common ones and
 * all are red (印泥红). Every style is a pure rendering option: the seal record stores the style,
 * the drawing is made from the verified name at signing time.
 *
 * The drawing uses glyph outlines of the bold font, so it needs no font in the PDF and renders
 * identically everywhere (toPdfOperators / toSvg in vector.ts).
 */
import { AppError } from '../errors';
import { missingCharacters } from './fonts';
import { Box, circlePath, ellipsePath, glyphInBox, PathCommand, rectPath, VectorDrawing } from './vector';

import { isSealShape, type SealShape } from './seal-styles';

export { SEAL_STYLES, isSealShape, type SealShape } from './seal-styles';

export interface Seal extends VectorDrawing {
  kind: 'personal-seal';
  shape: SealShape;
  name: string;
  /** The characters on the seal in reading order, e.g. '张三之印'. */
  text: string;
}

/** 印泥红 — the vermilion of seal paste. */
export const SEAL_RED = [0.84, 0.08, 0.1] as const;
const SIZE = 100;

/** The characters a seal shows for a name. */
export const sealText = (name: string): string => {
  const chars = [...name.replace(/[\s·•・.]/g, '')];
  if (chars.length === 0) throw new AppError('VALIDATION_FAILED', '姓名为空，无法生成印章');
  if (chars.length === 1 || chars.length === 2) return [...chars, '之', '印'].join('');
  if (chars.length === 3) return [...chars, '印'].join('');
  return chars.join('');
};

interface Cell {
  ch: string;
  box: Box;
}

/** Cells in reading order: columns right to left, each top to bottom. */
const gridCells = (text: string, area: Box): Cell[] => {
  const chars = [...text];
  const gap = area.w * 0.04;
  if (chars.length === 3) {
    // 姓 in the right column at full height, 之印 stacked on the left.
    const colW = (area.w - gap) / 2;
    const rowH = (area.h - gap) / 2;
    return [
      { ch: chars[0]!, box: { x: area.x + colW + gap, y: area.y, w: colW, h: area.h } },
      { ch: chars[1]!, box: { x: area.x, y: area.y + rowH + gap, w: colW, h: rowH } },
      { ch: chars[2]!, box: { x: area.x, y: area.y, w: colW, h: rowH } },
    ];
  }
  const rows = chars.length <= 4 ? 2 : chars.length <= 9 ? 3 : Math.ceil(Math.sqrt(chars.length));
  const cols = Math.ceil(chars.length / rows);
  const colW = (area.w - gap * (cols - 1)) / cols;
  const rowH = (area.h - gap * (rows - 1)) / rows;
  return chars.map((ch, i) => {
    const col = Math.floor(i / rows);
    const row = i % rows;
    return {
      ch,
      box: {
        x: area.x + area.w - (col + 1) * colW - col * gap,
        y: area.y + area.h - (row + 1) * rowH - row * gap,
        w: colW,
        h: rowH,
      },
    };
  });
};

/** The characters of a horizontal seal: the name alone, separators dropped. */
export const horizontalSealText = (name: string): string => {
  const chars = [...name.replace(/[\s·•・.]/g, '')];
  if (chars.length === 0) throw new AppError('VALIDATION_FAILED', '姓名为空，无法生成印章');
  return chars.join('');
};

/** One row, left to right, in `area`. */
const rowCells = (text: string, area: Box): Cell[] => {
  const chars = [...text];
  const gap = area.h * 0.06;
  const w = (area.w - gap * (chars.length - 1)) / chars.length;
  return chars.map((ch, i) => ({ ch, box: { x: area.x + i * (w + gap), y: area.y, w, h: area.h } }));
};

/** Oval and rectangular seals: as wide as the name needs, 50 units high (rectangle) or 70 (oval). */
const horizontalSeal = (name: string, shape: 'oval' | 'rectangle'): Seal => {
  const text = horizontalSealText(name);
  const n = [...text].length;
  const shapes: VectorDrawing['shapes'] = [];
  let width: number;
  let height: number;
  let area: Box;
  if (shape === 'rectangle') {
    height = 50;
    const border = 4;
    const cell = 36;
    width = Math.max(100, 2 * (border + 5) + n * cell + (n - 1) * cell * 0.1);
    shapes.push({ path: rectPath({ x: border / 2, y: border / 2, w: width - border, h: height - border }), paint: 'stroke', lineWidth: border });
    const pad = border + 5;
    area = { x: pad, y: pad, w: width - 2 * pad, h: height - 2 * pad };
  } else {
    height = 70;
    const border = 4;
    width = Math.max(110, 40 + n * 34);
    shapes.push({ path: ellipsePath(width / 2, height / 2, width / 2 - border / 2, height / 2 - border / 2), paint: 'stroke', lineWidth: border });
    // The row sits in the rectangle inscribed in the inner ellipse at 1/√2 of each radius, a little inset.
    const aw = (width - 2 * border) * Math.SQRT1_2 * 0.94;
    const ah = (height - 2 * border) * Math.SQRT1_2 * 0.94;
    area = { x: (width - aw) / 2, y: (height - ah) / 2, w: aw, h: ah };
  }
  const glyphs: PathCommand[] = [];
  for (const cell of rowCells(text, area)) glyphs.push(...glyphInBox('bold', cell.ch, cell.box));
  shapes.push({ path: glyphs, paint: 'fill' });
  return { kind: 'personal-seal', shape, name, text, width, height, color: SEAL_RED, shapes };
};

/**
 * Seals by shape and name, most recently used last: a party's seal is drawn on each signature
 * (and a platform stamp on each confirmation), and building its glyph outlines is the costly
 * part (issue 17). The drawings are frozen, so a cached one cannot be changed by a caller.
 */
const SEAL_CACHE_SIZE = 256;
const sealCache = new Map<string, Seal>();

const freezeSeal = (seal: Seal): Seal => {
  for (const shape of seal.shapes) {
    for (const c of shape.path) Object.freeze(c);
    Object.freeze(shape.path);
    Object.freeze(shape);
  }
  Object.freeze(seal.shapes);
  return Object.freeze(seal);
};

export const createPersonalSeal = (name: string, shape: SealShape = 'square'): Seal => {
  const key = `${shape}\u0000${name}`;
  const cached = sealCache.get(key);
  if (cached) {
    sealCache.delete(key);
    sealCache.set(key, cached);
    return cached;
  }
  const seal = freezeSeal(drawSeal(name, shape));
  if (sealCache.size >= SEAL_CACHE_SIZE) sealCache.delete(sealCache.keys().next().value as string);
  sealCache.set(key, seal);
  return seal;
};

const drawSeal = (name: string, shape: SealShape): Seal => {
  if (!isSealShape(shape)) throw new AppError('VALIDATION_FAILED', '不支持的印章样式', { fields: [{ field: '/style', rule: 'enum' }] });
  if (shape === 'oval' || shape === 'rectangle') {
    const text = horizontalSealText(name.trim());
    const missing = missingCharacters('bold', text);
    if (missing.length) throw new AppError('VALIDATION_FAILED', '姓名中含有无法生成印章的字符', { characters: missing });
    return horizontalSeal(name, shape);
  }
  const text = sealText(name.trim());
  const missing = missingCharacters('bold', text);
  if (missing.length) {
    throw new AppError('VALIDATION_FAILED', '姓名中含有无法生成印章的字符', { characters: missing });
  }
  const shapes: VectorDrawing['shapes'] = [];
  let area: Box;
  if (shape === 'square') {
    const border = 6;
    shapes.push({ path: rectPath({ x: border / 2, y: border / 2, w: SIZE - border, h: SIZE - border }), paint: 'stroke', lineWidth: border });
    const pad = border + 5;
    area = { x: pad, y: pad, w: SIZE - 2 * pad, h: SIZE - 2 * pad };
  } else {
    const border = 5;
    shapes.push({ path: circlePath(SIZE / 2, SIZE / 2, SIZE / 2 - border / 2), paint: 'stroke', lineWidth: border });
    // The grid sits in the square inscribed in the inner circle, with a little air.
    const side = (SIZE - 2 * border) * Math.SQRT1_2 * 0.96;
    area = { x: (SIZE - side) / 2, y: (SIZE - side) / 2, w: side, h: side };
  }
  const glyphs: PathCommand[] = [];
  for (const cell of gridCells(text, area)) glyphs.push(...glyphInBox('bold', cell.ch, cell.box));
  shapes.push({ path: glyphs, paint: 'fill' });
  return { kind: 'personal-seal', shape, name, text, width: SIZE, height: SIZE, color: SEAL_RED, shapes };
};
