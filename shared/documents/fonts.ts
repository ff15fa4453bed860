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

export const loadFont = (weight: FontWeight): LoadedFont => {
  const hit = loaded.get(weight);
  if (hit) return hit;
  const src = sources[weight] ?? require.resolve(PACKAGE_FILES[weight]);
  const bytes = typeof src === 'string' ? new Uint8Array(readFileSync(src)) : src;
  const parsed = fontkit.create(bytes);
  if (!('unitsPerEm' in parsed)) throw new Error(`font for ${weight} is a collection, expected a single face`);
  const font = parsed as Font;
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
