/**
 * The bare-library halves of the document benchmarks (issue 17): what @cantoo/pdf-lib and
 * node:crypto alone take to draw a contract's text and to add one signature field and signature —
 * nothing of ours beyond the strings to draw. bench/documents.ts and bench/lifecycle.ts both
 * measure against these, so the two benches compare with the same baseline.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { PDFDocument, PDFHexString, PDFName, PDFString, rgb } from '@cantoo/pdf-lib';
import type { DocumentModel } from '../shared/documents/model';
import { loadFont } from '../shared/documents/fonts';

/** Every string the model prints, in order: what the bare render draws. */
export const modelStrings = (model: DocumentModel): string[] => {
  const strings: string[] = [model.title, `合同编号：${model.contractNo}`];
  for (const b of model.blocks) {
    if (b.kind === 'heading' || b.kind === 'paragraph') strings.push(b.text);
    if (b.kind === 'keyValue') b.rows.forEach((r) => strings.push(`${r.key} ${r.value}`));
    if (b.kind === 'table') [b.columns.map((c) => c.title), ...b.rows].forEach((r) => strings.push(r.join(' ')));
    if (b.kind === 'clauses') b.clauses.forEach((c) => strings.push(typeof c === 'string' ? c : c.text));
    if (b.kind === 'signatureAreas') b.parties.forEach((p) => strings.push(`${p.role}：${p.name} 身份证号：${p.maskedId ?? ''}`));
  }
  return strings;
};

/**
 * Bare pdf-lib: the same strings, same font and size, fixed-width lines, no tables, no kinsoku.
 * `fontkit` given: the font parsed by it on every render (the cost without our cache).
 */
export const bareRender = async (strings: readonly string[], fontkit?: unknown): Promise<Uint8Array> => {
  const font = loadFont('regular');
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit((fontkit ?? font.fontkit) as never);
  const f = await doc.embedFont(font.bytes, { subset: true });
  let page = doc.addPage([595.28, 841.89]);
  let y = 780;
  for (const s of strings) {
    for (let i = 0; i < s.length; i += 40) {
      if (y < 70) {
        page = doc.addPage([595.28, 841.89]);
        y = 780;
      }
      page.drawText(s.slice(i, i + 40), { x: 62, y, size: 11, font: f, color: rgb(0, 0, 0) });
      y -= 19.5;
    }
  }
  return doc.save({ useObjectStreams: false });
};

/**
 * Bare signature step: pdf-lib's incremental update with a signature field (the same widget and
 * /Sig dictionary shape) and node:crypto's ECDSA P-256 over the SHA-256 of the file — a one-time
 * key, as ours — without our certificate, seal, CMS or checks.
 */
export const bareSign = async (bytes: Uint8Array, area: { pageIndex: number; rect: { x: number; y: number; width: number; height: number } }, name: string): Promise<Uint8Array> => {
  const doc = await PDFDocument.load(bytes, { forIncrementalUpdate: true, updateMetadata: false });
  const ctx = doc.context;
  const page = doc.getPage(Math.min(area.pageIndex, doc.getPageCount() - 1)); // the bare text may need fewer pages
  const sig = ctx.register(ctx.obj({ Type: 'Sig', Filter: 'Adobe.PPKLite', SubFilter: 'ETSI.CAdES.detached', Contents: PDFHexString.of('0'.repeat(2 * 4096)) }));
  const widget = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of(name), V: sig, Rect: [area.rect.x, area.rect.y, area.rect.x + area.rect.width, area.rect.y + area.rect.height], F: 132, P: page.ref }));
  const catalogRef = ctx.trailerInfo.Root as never;
  const existing = doc.catalog.lookup(PDFName.of('AcroForm'));
  if (existing) (existing as unknown as { lookup: (n: unknown) => { push: (r: unknown) => void } }).lookup(PDFName.of('Fields')).push(widget);
  else doc.catalog.set(PDFName.of('AcroForm'), ctx.register(ctx.obj({ Fields: [widget], SigFlags: 3 })));
  ctx.snapshot!.markRefForSave(catalogRef);
  const annots = page.node.lookup(PDFName.of('Annots'));
  if (annots) (annots as unknown as { push: (r: unknown) => void }).push(widget);
  else page.node.set(PDFName.of('Annots'), ctx.obj([widget]));
  ctx.snapshot!.markRefForSave(page.ref);
  const out = await doc.save({ useObjectStreams: false });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  cryptoSign('sha256', createHash('sha256').update(out).digest(), privateKey);
  return out;
};
