/**
 * Subset embedding must draw exactly the glyphs the full font draws. Upstream pdf-lib with
 * @pdf-lib/fontkit swapped or dropped glyphs in documents using few distinct characters, so the
 * check is a page with a handful of characters, rasterised both ways and compared pixel by pixel.
 */
import { renderDocument } from '../../shared/documents/render';
import type { DocumentModel } from '../../shared/documents/model';
import { compareRasters, pdftotext, rasterize, run, tempDir, writeTemp } from './tools';

jest.setTimeout(120_000);

const fewCharacters: DocumentModel = {
  contractNo: '1',
  title: '出借人（甲方）',
  blocks: [{ kind: 'heading', text: '出借人（甲方）' }],
};

test('subset and full-font embedding rasterise identically, and the text is extractable', async () => {
  const dir = tempDir();
  const subset = await renderDocument(fewCharacters, { subsetFonts: true });
  const full = await renderDocument(fewCharacters, { subsetFonts: false });
  const subsetFile = writeTemp(dir, 'subset.pdf', subset.bytes);
  const fullFile = writeTemp(dir, 'full.pdf', full.bytes);

  // The two files really differ in what they embed (else the comparison proves nothing).
  expect(subset.bytes.length).toBeLessThan(60_000);
  expect(full.bytes.length).toBeGreaterThan(5_000_000);
  const fonts = run('pdffonts', [subsetFile]).stdout;
  expect(fonts).toMatch(/[A-Z]{6}\+NotoSerifSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);

  const { sameSize, differing, inked } = compareRasters(rasterize(subsetFile, 1), rasterize(fullFile, 1));
  expect(sameSize).toBe(true);
  expect(inked).toBeGreaterThan(500); // the title and heading are really drawn
  expect(differing).toBe(0);

  const text = pdftotext(subsetFile).replace(/\s+/g, '');
  expect(text).toBe('出借人（甲方）合同编号：1出借人（甲方）合同编号：1第1页/共1页');
});
