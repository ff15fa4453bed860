/**
 * Issue 15 item 6 "stamps never over text": the layout reports a band of the page nothing is drawn
 * in (actsArea), where a rescind/settle revision puts the parties' act signatures and the
 * platform's stamp (contracts/pdf.ts). Checked against every drawing op of the laid-out page and,
 * rasterised, against the rendered page's ink.
 */
import { buildIouDocument } from '../../shared/documents/iou-document';
import { ACTS_AREA_MIN_HEIGHT, layoutDocument, type DrawOp } from '../../shared/documents/layout';
import { fontMetrics, renderDocument } from '../../shared/documents/render';
import type { DocumentModel } from '../../shared/documents/model';
import { sampleIou } from './fixtures';
import { rasterize, tempDir, writeTemp } from './tools';

type Box = { x: number; y: number; width: number; height: number };

/** The box an op covers (text: its advance box from descender to ascender). */
const boxOf = (o: DrawOp): Box => {
  if (o.op === 'text') return { x: o.x, y: o.y - 0.25 * o.size, width: fontMetrics.width(o.weight, o.text) * o.size, height: 1.2 * o.size };
  if (o.op === 'line') return { x: Math.min(o.x1, o.x2), y: Math.min(o.y1, o.y2) - o.width, width: Math.abs(o.x2 - o.x1), height: Math.abs(o.y2 - o.y1) + 2 * o.width };
  return { x: o.x, y: o.y, width: o.w, height: o.h };
};
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const models: Array<[string, DocumentModel]> = [
  ['a three-page IOU', buildIouDocument(sampleIou())],
  ['a one-page IOU', buildIouDocument(sampleIou({ repaymentPlan: sampleIou().repaymentPlan.slice(0, 1), supplementary: undefined }))],
];

describe.each(models)('%s', (_name, model) => {
  test('the acts band is on the signatures’ page, tall enough for a seal, and no text, line or box of the page touches it', () => {
    const laid = layoutDocument(model, fontMetrics);
    const band = laid.actsArea!;
    expect(band).toBeDefined();
    expect(band.pageIndex).toBe(laid.signatureAreas.at(-1)!.pageIndex);
    expect(band.rect.height).toBeGreaterThanOrEqual(ACTS_AREA_MIN_HEIGHT);
    const touching = laid.pages[band.pageIndex]!.filter((o) => overlaps(boxOf(o), band.rect));
    expect(touching).toEqual([]);
    for (const a of laid.signatureAreas) expect(overlaps(a.rect, band.rect)).toBe(false);
  });

  test('rendered and rasterised, the band is blank paper', async () => {
    const rendered = await renderDocument(model);
    const band = rendered.actsArea!;
    const png = rasterize(writeTemp(tempDir(), 'acts.pdf', rendered.bytes), band.pageIndex + 1, 72);
    let inked = 0;
    const top = Math.ceil(png.height - (band.rect.y + band.rect.height));
    for (let y = top; y < Math.floor(png.height - band.rect.y); y++) {
      for (let x = Math.ceil(band.rect.x); x < Math.floor(band.rect.x + band.rect.width); x++) if (png.rgb[(y * png.width + x) * 3]! < 200) inked++;
    }
    expect(inked).toBe(0);
  });
});
