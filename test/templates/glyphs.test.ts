/**
 * Rendering every template's golden form shows no missing or swapped glyph (T4): the 18 example
 * contracts, one after another in one document, drawn with the embedded subset (as every contract
 * is drawn) rasterise pixel for pixel like the same pages drawn with the whole font — the
 * technique of test/documents/glyph.test.ts (which covers a subset of very few characters) over
 * every character the templates' texts and examples use. One document rather than eighteen:
 * poppler loads the 15 MB font once per page, so eighteen full-font files would cost minutes.
 */
import type { Block, DocumentModel } from '../../shared/documents/model';
import { renderDocument } from '../../shared/documents/render';
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

test('every template\'s example: subset and full-font pages rasterise identically', async () => {
  const model = await allExamples();
  const dir = tempDir('esign-glyphs-');
  const subset = await renderDocument(model, { subsetFonts: true });
  const full = await renderDocument(model, { subsetFonts: false });
  expect(subset.missingCharacters).toEqual([]);
  expect(subset.pageCount).toBeGreaterThanOrEqual(allKinds().length);
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
