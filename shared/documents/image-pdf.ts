/**
 * Images → PDF (U1): each image one A4 page, scaled to fit inside a margin and centred, turned
 * the way its EXIF orientation says (a phone photo taken upright stays upright, mirrored ones are
 * unmirrored). Several album images become one document, one page each, in the order given.
 *
 * May import: errors, pdf-lib, file-type (the header readers). Pure (no I/O).
 */
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from '@cantoo/pdf-lib';
import './native-deflate'; // pdf-lib's stream compression on node:zlib
import { jpegInfo, pngInfo, type FileLimits, DEFAULT_FILE_LIMITS } from './file-type';

export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = 28.35; // 10 mm

/**
 * Where stored pixel (u across, t down, both 0..1) is shown, as (X across, T down), for each EXIF
 * orientation (TIFF 6.0 / Exif 2.3 tag 0x0112).
 */
const ORIENT: Record<number, (u: number, t: number) => [number, number]> = {
  1: (u, t) => [u, t],
  2: (u, t) => [1 - u, t],
  3: (u, t) => [1 - u, 1 - t],
  4: (u, t) => [u, 1 - t],
  5: (u, t) => [t, u],
  6: (u, t) => [1 - t, u],
  7: (u, t) => [1 - t, 1 - u],
  8: (u, t) => [t, 1 - u],
};

export interface ImageInput {
  type: 'png' | 'jpg';
  bytes: Uint8Array;
}

/** The PDF of the images, one A4 page each; deterministic for the same input. */
export const imagesToPdf = async (images: readonly ImageInput[], limits: FileLimits = DEFAULT_FILE_LIMITS): Promise<Uint8Array> => {
  const doc = await PDFDocument.create({ updateMetadata: false });
  for (const img of images) {
    const info = img.type === 'jpg' ? jpegInfo(img.bytes, limits) : pngInfo(img.bytes, limits);
    const embedded = img.type === 'jpg' ? await doc.embedJpg(img.bytes) : await doc.embedPng(img.bytes);
    const swap = info.orientation >= 5;
    const shownW = swap ? info.height : info.width;
    const shownH = swap ? info.width : info.height;
    const scale = Math.min((A4.width - 2 * MARGIN) / shownW, (A4.height - 2 * MARGIN) / shownH);
    const w = shownW * scale;
    const h = shownH * scale;
    const x0 = (A4.width - w) / 2;
    const y0 = (A4.height - h) / 2;
    const orient = ORIENT[info.orientation] ?? ORIENT[1]!;
    // Image space is the unit square with v up (t = 1 - v); the matrix is read off three corners.
    const at = (u: number, v: number): [number, number] => {
      const [X, T] = orient(u, 1 - v);
      return [x0 + w * X, y0 + h * (1 - T)];
    };
    const [e, f] = at(0, 0);
    const [ux, uy] = at(1, 0);
    const [vx, vy] = at(0, 1);
    const page = doc.addPage([A4.width, A4.height]);
    const name = page.node.newXObject('Img', embedded.ref);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(ux - e, uy - f, vx - e, vy - f, e, f), drawObject(name), popGraphicsState());
  }
  return doc.save({ useObjectStreams: false });
};
