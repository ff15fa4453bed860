/**
 * Small vector drawings (seals, signature captions) made of paths, serialisable both as PDF
 * content-stream operators (for appearance streams) and as SVG (for previews in the app).
 * Text is drawn as glyph outlines taken from the font, so a stamp needs no font resources and
 * looks the same in every viewer.
 */
import { FontWeight, glyphFor, loadFont } from './fonts';

export type PathCommand =
  | { op: 'M'; x: number; y: number }
  | { op: 'L'; x: number; y: number }
  | { op: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { op: 'Z' };

export interface VectorShape {
  path: PathCommand[];
  /** Glyph outlines use the non-zero winding rule (TrueType contours rely on it). */
  paint: 'fill' | 'stroke';
  lineWidth?: number;
}

/** Drawing in its own coordinates: origin bottom-left, y up (PDF convention). */
export interface VectorDrawing {
  width: number;
  height: number;
  /** RGB in 0..1. */
  color: readonly [number, number, number];
  shapes: VectorShape[];
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Outline of one character stretched to fill `box` (seal style: characters fill their cells),
 * with the distortion capped so a flat character like '一' does not become a block.
 */
export const glyphInBox = (weight: FontWeight, ch: string, box: Box, maxStretch = 1.8): PathCommand[] => {
  const glyph = glyphFor(weight, ch);
  if (!glyph) throw new Error(`no glyph for "${ch}"`);
  const bb = glyph.path.bbox;
  const gw = Math.max(bb.maxX - bb.minX, 1);
  const gh = Math.max(bb.maxY - bb.minY, 1);
  let sx = box.w / gw;
  let sy = box.h / gh;
  if (sx > sy * maxStretch) sx = sy * maxStretch;
  if (sy > sx * maxStretch) sy = sx * maxStretch;
  const ox = box.x + (box.w - gw * sx) / 2 - bb.minX * sx;
  const oy = box.y + (box.h - gh * sy) / 2 - bb.minY * sy;
  return outline(glyph.path.commands, (x, y) => [ox + x * sx, oy + y * sy]);
};

/** Outline of a line of text starting at (x, baseline y) at `size`; returns the path and its advance. */
export const textOutline = (
  weight: FontWeight,
  text: string,
  x: number,
  y: number,
  size: number,
): { path: PathCommand[]; width: number } => {
  const { font } = loadFont(weight);
  const scale = size / font.unitsPerEm;
  const path: PathCommand[] = [];
  let pen = x;
  for (const g of font.layout(text).glyphs) {
    const px = pen;
    path.push(...outline(g.path.commands, (gx, gy) => [px + gx * scale, y + gy * scale]));
    pen += g.advanceWidth * scale;
  }
  return { path, width: pen - x };
};

type FontCommand = { command: string; args: number[] };

/** Converts font outline commands to ours; quadratic curves become cubic (PDF has no quadratics). */
const outline = (commands: readonly FontCommand[], map: (x: number, y: number) => [number, number]): PathCommand[] => {
  const out: PathCommand[] = [];
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  for (const { command, args: a } of commands) {
    switch (command) {
      case 'moveTo': {
        [cx, cy] = [a[0]!, a[1]!];
        [sx, sy] = [cx, cy];
        const [x, y] = map(cx, cy);
        out.push({ op: 'M', x, y });
        break;
      }
      case 'lineTo': {
        [cx, cy] = [a[0]!, a[1]!];
        const [x, y] = map(cx, cy);
        out.push({ op: 'L', x, y });
        break;
      }
      case 'quadraticCurveTo': {
        const [qx, qy, ex, ey] = [a[0]!, a[1]!, a[2]!, a[3]!];
        const [x1, y1] = map(cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy));
        const [x2, y2] = map(ex + (2 / 3) * (qx - ex), ey + (2 / 3) * (qy - ey));
        const [x, y] = map(ex, ey);
        out.push({ op: 'C', x1, y1, x2, y2, x, y });
        [cx, cy] = [ex, ey];
        break;
      }
      case 'bezierCurveTo': {
        const [x1, y1] = map(a[0]!, a[1]!);
        const [x2, y2] = map(a[2]!, a[3]!);
        const [x, y] = map(a[4]!, a[5]!);
        out.push({ op: 'C', x1, y1, x2, y2, x, y });
        [cx, cy] = [a[4]!, a[5]!];
        break;
      }
      case 'closePath':
        out.push({ op: 'Z' });
        [cx, cy] = [sx, sy];
        break;
    }
  }
  return out;
};

export const rectPath = (b: Box): PathCommand[] => [
  { op: 'M', x: b.x, y: b.y },
  { op: 'L', x: b.x + b.w, y: b.y },
  { op: 'L', x: b.x + b.w, y: b.y + b.h },
  { op: 'L', x: b.x, y: b.y + b.h },
  { op: 'Z' },
];

/** An ellipse (radii rx, ry) as four cubic Bézier arcs. */
export const ellipsePath = (cx: number, cy: number, rx: number, ry: number): PathCommand[] => {
  const kx = 0.5522847498 * rx;
  const ky = 0.5522847498 * ry;
  return [
    { op: 'M', x: cx + rx, y: cy },
    { op: 'C', x1: cx + rx, y1: cy + ky, x2: cx + kx, y2: cy + ry, x: cx, y: cy + ry },
    { op: 'C', x1: cx - kx, y1: cy + ry, x2: cx - rx, y2: cy + ky, x: cx - rx, y: cy },
    { op: 'C', x1: cx - rx, y1: cy - ky, x2: cx - kx, y2: cy - ry, x: cx, y: cy - ry },
    { op: 'C', x1: cx + kx, y1: cy - ry, x2: cx + rx, y2: cy - ky, x: cx + rx, y: cy },
    { op: 'Z' },
  ];
};

/** A circle as four cubic Bézier arcs. */
export const circlePath = (cx: number, cy: number, r: number): PathCommand[] => ellipsePath(cx, cy, r, r);

/**
 * One decimal: drawings are ~100 units wide (seals) or in points (captions), so 0.1 is far below
 * what a printer resolves, and it keeps the glyph outlines of a seal around 5 KB compressed.
 */
const n = (v: number) => {
  const s = v.toFixed(1);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/**
 * PDF operators drawing `d` scaled by `scale` with its origin at (x, y). Wrapped in q/Q so the
 * caller's graphics state is untouched.
 */
export const toPdfOperators = (d: VectorDrawing, at: { x: number; y: number; scale: number }): string =>
  `q\n${m4(at.scale)} 0 0 ${m4(at.scale)} ${m4(at.x)} ${m4(at.y)} cm\n${drawingBody(d)}`;

const m4 = (v: number) => String(Number(v.toFixed(4)));

/** The operators after the placement, kept per frozen drawing (a cached seal: seal.ts) — they do not depend on where it goes. */
const bodies = new WeakMap<VectorDrawing, string>();

const drawingBody = (d: VectorDrawing): string => {
  const cached = bodies.get(d);
  if (cached !== undefined) return cached;
  const body = buildBody(d);
  if (Object.isFrozen(d)) bodies.set(d, body);
  return body;
};

const buildBody = (d: VectorDrawing): string => {
  const m = m4;
  const parts: string[] = [];
  const [r, g, b] = d.color;
  parts.push(`${m(r)} ${m(g)} ${m(b)} rg ${m(r)} ${m(g)} ${m(b)} RG`);
  for (const s of d.shapes) {
    if (s.lineWidth !== undefined) parts.push(`${n(s.lineWidth)} w`);
    for (const c of s.path) {
      if (c.op === 'M') parts.push(`${n(c.x)} ${n(c.y)} m`);
      else if (c.op === 'L') parts.push(`${n(c.x)} ${n(c.y)} l`);
      else if (c.op === 'C') parts.push(`${n(c.x1)} ${n(c.y1)} ${n(c.x2)} ${n(c.y2)} ${n(c.x)} ${n(c.y)} c`);
      else parts.push('h');
    }
    parts.push(s.paint === 'fill' ? 'f' : 'S');
  }
  parts.push('Q');
  return parts.join('\n');
};

/** The same drawing as a standalone SVG (y flipped to SVG's downward axis). */
export const toSvg = (d: VectorDrawing): string => {
  const hex = `#${d.color.map((c) => Math.round(c * 255).toString(16).padStart(2, '0')).join('')}`;
  const paths = d.shapes.map((s) => {
    const data = s.path
      .map((c) =>
        c.op === 'M' || c.op === 'L'
          ? `${c.op}${n(c.x)} ${n(c.y)}`
          : c.op === 'C'
            ? `C${n(c.x1)} ${n(c.y1)} ${n(c.x2)} ${n(c.y2)} ${n(c.x)} ${n(c.y)}`
            : 'Z',
      )
      .join('');
    return s.paint === 'fill'
      ? `<path d="${data}" fill="${hex}" fill-rule="nonzero"/>`
      : `<path d="${data}" fill="none" stroke="${hex}" stroke-width="${n(s.lineWidth ?? 1)}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n(d.width)} ${n(d.height)}" width="${n(d.width)}" height="${n(d.height)}"><g transform="matrix(1 0 0 -1 0 ${n(d.height)})">${paths.join('')}</g></svg>`;
};
