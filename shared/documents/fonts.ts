/**
 * The CJK fonts (Noto Serif SC, OFL, TrueType, covers GB 2312 and far beyond), read and parsed
 * once per process on first use and shared by every render: parsing the 15 MB file is most of
 * a cold render, and a warm render reuses the parsed font (subsets are per document).
 *
 * Importing this module does no I/O. Bundled functions that do not ship node_modules call
 * configureDocumentFonts() with the paths (or bytes) of the .ttf files they carry.
 */
import { readFileSync } from 'node:fs';
import * as fontkit from '@cantoo/fontkit';
import type { Font, Glyph } from '@cantoo/fontkit';

export type FontWeight = 'regular' | 'bold';

const PACKAGE_FILES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
};

export interface LoadedFont {
  weight: FontWeight;
  bytes: Uint8Array;
  font: Font;
  /** Hands pdf-lib the already parsed font instead of letting it parse the bytes again. */
  fontkit: { create: () => Font };
}

let sources: Partial<Record<FontWeight, string | Uint8Array>> = {};
const loaded = new Map<FontWeight, LoadedFont>();
const widthCache = new Map<FontWeight, Map<string, number>>();

/** Overrides where the fonts come from (a path or the bytes); drops what was loaded. */
export const configureDocumentFonts = (src: Partial<Record<FontWeight, string | Uint8Array>>): void => {
  sources = { ...sources, ...src };
  loaded.clear();
  widthCache.clear();
};

interface CmapLookup {
  _cmapProcessor: { lookup(codePoint: number): number };
  getGlyph(id: number, codePoints?: number[]): Glyph | null;
}

/**
 * The text a glyph stands for in the PDF (its ToUnicode entry — what copy, search and pdftotext
 * read) must not depend on what the process drew before. fontkit caches one Glyph per glyph id
 * with the code points it was first asked for, and pdf-lib writes those into ToUnicode. Noto maps
 * several code points to one glyph — 大 U+5927 and the Kangxi radical ⼤ U+2F24, 八 and ⼋ … — so
 * once a radical was laid out (a pasted form value) or the whole font embedded (which walks the
 * character set in code-point order, radicals first), every later contract in that warm process
 * read "⼤写" where it shows 大写. Each glyph's code points are therefore canonicalised as it is
 * cached: a code point whose NFKC form is a single character on the very same glyph is replaced by
 * that form, so the glyph reads as the unified ideograph whatever came first; glyphs that differ
 * from their NFKC form (① and 1) keep their own code points.
 */
const canonicalToUnicode = (font: Font): void => {
  const f = font as unknown as CmapLookup;
  const getGlyph = f.getGlyph.bind(font);
  const canonical = (cp: number): number => {
    const n = String.fromCodePoint(cp).normalize('NFKC');
    const ncp = n.codePointAt(0)!;
    if (ncp === cp || n.length !== String.fromCodePoint(ncp).length) return cp;
    const gid = f._cmapProcessor.lookup(cp);
    return gid !== 0 && f._cmapProcessor.lookup(ncp) === gid ? ncp : cp;
  };
  f.getGlyph = (id, codePoints) => {
    const g = getGlyph(id, codePoints) as (Glyph & { codePoints: number[] }) | null;
    if (g && g.codePoints.some((cp) => canonical(cp) !== cp)) g.codePoints = g.codePoints.map(canonical);
    return g;
  };
};

export const loadFont = (weight: FontWeight): LoadedFont => {
  const hit = loaded.get(weight);
  if (hit) return hit;
  const src = sources[weight] ?? require.resolve(PACKAGE_FILES[weight]);
  const bytes = typeof src === 'string' ? new Uint8Array(readFileSync(src)) : src;
  const parsed = fontkit.create(bytes);
  if (!('unitsPerEm' in parsed)) throw new Error(`font for ${weight} is a collection, expected a single face`);
  const font = parsed as Font;
  canonicalToUnicode(font);
  const entry: LoadedFont = { weight, bytes, font, fontkit: { create: () => font } };
  loaded.set(weight, entry);
  return entry;
};

const MAX_CACHED_WIDTHS = 50_000;

/**
 * Width of a text run at size 1, as pdf-lib will draw it: the sum of the glyphs' advance widths
 * (pdf-lib emits glyph ids without kerning adjustments, so measuring kerned advances would
 * overflow lines by fractions of a point).
 */
export const unitWidth = (weight: FontWeight, text: string): number => {
  let cache = widthCache.get(weight);
  if (!cache) widthCache.set(weight, (cache = new Map()));
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const { font } = loadFont(weight);
  let w = 0;
  for (const g of font.layout(text).glyphs) w += g.advanceWidth;
  w /= font.unitsPerEm;
  if (cache.size > MAX_CACHED_WIDTHS) cache.clear();
  cache.set(text, w);
  return w;
};

export const glyphCount = (weight: FontWeight, text: string): number => loadFont(weight).font.layout(text).glyphs.length;

/** Characters the font cannot show (they would print as empty boxes). */
export const missingCharacters = (weight: FontWeight, text: string): string[] => {
  const { font } = loadFont(weight);
  const out = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || ch === '\u3000') continue;
    if (!font.hasGlyphForCodePoint(cp)) out.add(ch);
  }
  return [...out];
};

export const glyphFor = (weight: FontWeight, ch: string): Glyph | null => {
  const { font } = loadFont(weight);
  const cp = ch.codePointAt(0);
  return cp === undefined || !font.hasGlyphForCodePoint(cp) ? null : font.glyphForCodePoint(cp);
};
