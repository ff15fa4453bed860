/**
 * DocumentModel → PDF bytes (T4). Layout is computed first (layout.ts), then drawn with
 * @cantoo/pdf-lib using the process-wide parsed fonts (fonts.ts), embedded as subsets.
 *
 * Output is deterministic for a given model (no random font tags, no dates unless the model
 * gives one), so re-rendering a contract yields the same bytes and the same hash. The file is
 * written with a classic cross-reference table, which the incremental signature updates of
 * sign.ts then extend in the same form.
 */
import { createHash } from 'node:crypto';
import {
  grayscale,
  PDFDocument,
  PDFFont,
  setCharacterSpacing,
} from '@cantoo/pdf-lib';
import './native-deflate'; // pdf-lib's stream compression on node:zlib
import type { Font, Glyph } from '@cantoo/fontkit';
import { FontWeight, glyphCount, loadFont, missingCharacters, unitWidth } from './fonts';
import { DrawOp, layoutDocument, LaidOutDocument, TextMetrics } from './layout';
import type { DocumentModel, SignatureArea } from './model';

export interface RenderOptions {
  /**
   * Embed only the glyphs used (default). `false` embeds the whole 15 MB font — only for tests
   * that compare subset rendering against the full font.
   */
  subsetFonts?: boolean;
  producer?: string;
}

export interface RenderedDocument {
  bytes: Uint8Array;
  pageCount: number;
  /** One per party, in model order: where sign.ts stamps and places the signature field. */
  signatureAreas: SignatureArea[];
  /** Free of any drawing: where a later revision's signatures and stamp go (layout.ts). */
  actsArea?: LaidOutDocument['actsArea'];
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** Characters the font lacks (they would print as boxes); the caller decides whether to refuse. */
  missingCharacters: string[];
}

export const fontMetrics: TextMetrics = { width: unitWidth, glyphs: glyphCount };

/** Subset font names carry a six-letter tag (PDF 32000 §9.6.4); derive it from content to stay deterministic. */
const subsetTag = (seed: string): string => {
  const h = createHash('sha256').update(seed).digest();
  return Array.from(h.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
};

const allText = (layout: LaidOutDocument, weight: FontWeight) =>
  layout.pages
    .flat()
    .map((op) => (op.op === 'text' && op.weight === weight ? op.text : ''))
    .join('');

export const renderDocument = async (model: DocumentModel, options: RenderOptions = {}): Promise<RenderedDocument> => {
  const subset = options.subsetFonts ?? true;
  const layout = layoutDocument(model, fontMetrics);

  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = new Map<FontWeight, PDFFont>();
  const missing = new Set<string>();
  for (const weight of ['regular', 'bold'] as const) {
    const text = allText(layout, weight);
    if (!text) continue;
    const f = loadFont(weight);
    doc.registerFontkit(f.fontkit as never);
    const psName = f.font.postscriptName ?? `NotoSerifSC-${weight}`;
    const pdfFont = await doc.embedFont(f.bytes, {
      subset,
      customName: subset ? `${subsetTag(`${weight}\n${text}`)}+${psName}` : psName,
    });
    if (!subset) widthsForLaidOutGlyphs(pdfFont, f.font);
    fonts.set(weight, pdfFont);
    missingCharacters(weight, text).forEach((c) => missing.add(c));
  }

  for (const ops of layout.pages) {
    const page = doc.addPage([layout.pageSize.width, layout.pageSize.height]);
    for (const op of ops) drawOp(page, op, fonts);
  }

  doc.setTitle(model.title, { showInWindowTitleBar: true });
  doc.setLanguage('zh-CN');
  doc.setKeywords([model.contractNo, ...(model.metadata?.keywords ?? [])]);
  if (model.metadata?.subject) doc.setSubject(model.metadata.subject);
  if (model.metadata?.author) doc.setAuthor(model.metadata.author);
  if (model.metadata?.createdAt) {
    doc.setCreationDate(model.metadata.createdAt);
    doc.setModificationDate(model.metadata.createdAt);
  }
  doc.setProducer(options.producer ?? 'esign-personal-backend');

  const bytes = await doc.save({ useObjectStreams: false });
  return {
    bytes,
    pageCount: layout.pages.length,
    signatureAreas: layout.signatureAreas,
    ...(layout.actsArea ? { actsArea: layout.actsArea } : {}),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    missingCharacters: [...missing],
  };
};

/** The parts of pdf-lib's whole-font embedder this module adjusts (not in its public types). */
interface FullFontEmbedder {
  encodeText(text: string): unknown;
  allGlyphsInFontSortedById(): Glyph[];
  glyphCache: { access(): Glyph[]; invalidate(): void };
  fontFeatures?: unknown;
}

/**
 * pdf-lib's whole-font embedding writes widths (W) and ToUnicode only for glyphs reachable from
 * the font's cmap, but shaping substitutes glyphs that are not — digits after Latin letters
 * ("IMG-2025") take a proportional form — which then print at the default width, a full em
 * apart. The subset embedder records the glyphs actually drawn; this gives the whole-font one
 * the same list, so the test reference that compares subset against full font draws the same
 * advances (only the full-font path needs it; contracts are always subset).
 */
const widthsForLaidOutGlyphs = (pdfFont: PDFFont, font: Font): void => {
  const e = (pdfFont as unknown as { embedder: FullFontEmbedder }).embedder;
  const drawn = new Map<number, Glyph>();
  const encode = e.encodeText.bind(e);
  e.encodeText = (text: string) => {
    for (const g of font.layout(text, e.fontFeatures as never).glyphs) drawn.set(g.id, g);
    return encode(text);
  };
  let glyphs: Glyph[] | null = null;
  e.glyphCache = {
    access: () => {
      if (glyphs) return glyphs;
      const byId = new Map(e.allGlyphsInFontSortedById().map((g) => [g.id, g]));
      for (const [id, g] of drawn) if (!byId.has(id)) byId.set(id, g);
      return (glyphs = [...byId.values()].sort((a, b) => a.id - b.id));
    },
    invalidate: () => {
      glyphs = null;
    },
  };
};

type Page = ReturnType<PDFDocument['addPage']>;

const drawOp = (page: Page, op: DrawOp, fonts: Map<FontWeight, PDFFont>) => {
  switch (op.op) {
    case 'text': {
      const font = fonts.get(op.weight);
      if (!font) throw new Error(`font ${op.weight} not embedded`);
      if (op.charSpacing) page.pushOperators(setCharacterSpacing(op.charSpacing));
      page.drawText(op.text, { x: op.x, y: op.y, size: op.size, font, color: grayscale(op.gray) });
      if (op.charSpacing) page.pushOperators(setCharacterSpacing(0));
      return;
    }
    case 'line':
      page.drawLine({
        start: { x: op.x1, y: op.y1 },
        end: { x: op.x2, y: op.y2 },
        thickness: op.width,
        color: grayscale(op.gray),
        dashArray: op.dash,
      });
      return;
    case 'rect':
      page.drawRectangle({
        x: op.x,
        y: op.y,
        width: op.w,
        height: op.h,
        color: op.fillGray !== undefined ? grayscale(op.fillGray) : undefined,
        borderColor: op.strokeGray !== undefined ? grayscale(op.strokeGray) : undefined,
        borderWidth: op.strokeGray !== undefined ? (op.lineWidth ?? 0.5) : 0,
        borderDashArray: op.dash,
      });
      return;
  }
};
