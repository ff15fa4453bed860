/**
 * Personal seals (个人印章, A5) generated from the signer's name as vector drawings.
 *
 * Square seal (方章), the usual personal seal: the characters fill a grid inside a red border
 * and read in columns from right to left, top to bottom. Two-character names get '之印'
 * (张三之印), three-character names '印' (王小明印), so the seal is a full 2 × 2 grid; a
 * one-character name takes the whole right column beside '之印'. Longer names fill larger grids.
 * Round seal (圆章): the same grid inside a circle.
 *
 * The drawing uses glyph outlines of the bold font, so it needs no font in the PDF and renders
 * identically everywhere (toPdfOperators / toSvg in vector.ts).
 */
import { AppError } from '../errors';
import { missingCharacters } from './fonts';
import { Box, circlePath, glyphInBox, PathCommand, rectPath, VectorDrawing } from './vector';

export type SealShape = 'square' | 'round';

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

export const createPersonalSeal = (name: string, shape: SealShape = 'square'): Seal => {
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
