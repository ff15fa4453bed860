/**
 * No template's text can print a missing or swapped glyph (T4). Two checks, each on every
 * character the 18 templates' texts and golden examples use:
 * - the fonts' cmaps: each character has a glyph in the weight it may be drawn in (both weights:
 *   titles, headings and table headers are bold, the rest regular);
 * - one render: every one of those characters once, in both weights, drawn with the embedded
 *   subset (as every contract is drawn) rasterises pixel for pixel like the same pages drawn with
 *   the whole font — the technique of test/documents/glyph.test.ts.
 * Checking each distinct character once replaces rendering and rasterising every example (43 s,
 * issue 17): a glyph is embedded and drawn the same wherever it appears.
 */
import type { Block, DocumentModel } from '../../shared/documents/model';
import { renderDocument } from '../../shared/documents/render';
import { missingCharacters } from '../../shared/documents/fonts';
import { allKinds } from '../../shared/kinds/registry';
import { compareRasters, rasterizeAll, run, tempDir, writeTemp } from '../documents/tools';
import { exampleModel } from '../support/templates';

jest.setTimeout(180_000);

/** All examples in one model; signature fields renamed per kind (a PDF's field names are unique). */
const allExamples = async (): Promise<DocumentModel> => {
  const blocks: Block[] = [];
  for (const spec of allKinds()) {
    const m = await exampleModel(spec);
    blocks.push({ kind: 'heading', text: m.title });
    for (const b of m.blocks) {
      blocks.push(b.kind === 'signatureAreas' ? { ...b, parties: b.parties.map((p) => ({ ...p, fieldName: `${spec.kind}_${p.fieldName}` })) } : b);
    }
  }
  return { contractNo: 'GOLDEN', title: '合同模板范文', blocks };
};

/** Every string the examples' models hold (texts, cells, names), as the distinct characters they use. */
const charactersOf = (model: DocumentModel): string[] => {
  const chars = new Set<string>();
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (key !== 'kind' && key !== 'fieldName') for (const ch of v) if (ch.trim()) chars.add(ch);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(model.title);
  walk(model.blocks);
  return [...chars].sort();
};

test('every character of every template\'s text and example is in both fonts\' cmaps', async () => {
  const chars = charactersOf(await allExamples());
  expect(chars.length).toBeGreaterThan(500); // really the templates' Chinese, not a handful
  expect(missingCharacters('regular', chars.join(''))).toEqual([]);
  expect(missingCharacters('bold', chars.join(''))).toEqual([]);
});

test('every character the templates use, once in each weight: subset and full-font pages rasterise identically', async () => {
  const chars = charactersOf(await allExamples());
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += 30) lines.push(chars.slice(i, i + 30).join(''));
  const model: DocumentModel = {
    contractNo: 'GLYPHS',
    title: '模板用字',
    blocks: [
      ...lines.map((text) => ({ kind: 'heading' as const, text })),
      ...lines.map((text) => ({ kind: 'paragraph' as const, text })),
    ],
  };
  const dir = tempDir('esign-glyphs-');
  const subset = await renderDocument(model, { subsetFonts: true });
  const full = await renderDocument(model, { subsetFonts: false });
  expect(subset.missingCharacters).toEqual([]);
  expect(subset.pageCount).toBeGreaterThanOrEqual(2);
  const subsetFile = writeTemp(dir, 'subset.pdf', subset.bytes);
  expect(run('pdffonts', [subsetFile]).stdout).toMatch(/[A-Z]{6}\+NotoSerifSC-Regular/);
  expect(full.bytes.length).toBeGreaterThan(10 * subset.bytes.length); // really the whole font

  const a = rasterizeAll(subsetFile);
  const b = rasterizeAll(writeTemp(dir, 'full.pdf', full.bytes));
  expect([a.length, b.length]).toEqual([subset.pageCount, subset.pageCount]);
  const pages = a.map((page, i) => ({ page: i + 1, ...compareRasters(page, b[i]!) }));
  expect(pages.filter((p) => !p.sameSize || p.differing !== 0)).toEqual([]);
  // Every page carries text (a blank page would compare equal and prove nothing).
  expect(pages.filter((p) => p.inked < 500)).toEqual([]);
});
