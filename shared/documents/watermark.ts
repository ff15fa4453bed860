/**
 * The 预览 mark on every page of a preview (issue 15 item 6): a preview is never a signed file and
 * must not pass for one when printed or forwarded. Drawn as glyph outlines (no text layer), large
 * and translucent red across the middle of each page, so the contract stays readable under it.
 *
 * May import: ./vector, @cantoo/pdf-lib.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, rgb } from '@cantoo/pdf-lib';
import './native-deflate'; // pdf-lib's stream compression on node:zlib
import { glyphInBox, type PathCommand } from './vector';

export const PREVIEW_MARK = '预览';

/** SVG path data with y negated: pdf-lib draws SVG paths y-down from the anchor, our outlines are y-up. */
const svgPath = (cmds: readonly PathCommand[]): string =>
  cmds
    .map((c) => (c.op === 'Z' ? 'Z' : c.op === 'C' ? `C${c.x1} ${-c.y1} ${c.x2} ${-c.y2} ${c.x} ${-c.y}` : `${c.op}${c.x} ${-c.y}`))
    .join('');

export const watermarkPreview = async (pdf: Uint8Array): Promise<{ bytes: Uint8Array; sha256: string }> => {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  for (const page of doc.getPages()) {
    const { width, height } = page.getSize();
    const cell = Math.min(width / 3, 200);
    const chars = [...PREVIEW_MARK];
    const left = (width - cell * chars.length) / 2;
    chars.forEach((ch, i) => {
      const path = svgPath(glyphInBox('bold', ch, { x: 0, y: 0, w: cell * 0.9, h: cell * 0.9 }));
      page.drawSvgPath(path, { x: left + i * cell, y: (height - cell) / 2, color: rgb(0.85, 0.1, 0.1), opacity: 0.16, borderWidth: 0 });
    });
  }
  // Deterministic (no dates written), so a preview's key still names its content.
  const bytes = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
};
