import { readFileSync } from 'node:fs';
import { sampleIou } from './fixtures';

jest.setTimeout(30_000);

type IouModule = typeof import('../../shared/documents/iou-document');
type FontsModule = typeof import('../../shared/documents/fonts');

test('importing the document modules reads no font; the first render reads each font once, later renders none', async () => {
  const fs = require('node:fs') as { readFileSync: typeof readFileSync };
  const spy = jest.spyOn(fs, 'readFileSync');
  const ttfReads = () => spy.mock.calls.filter((c) => String(c[0]).endsWith('.ttf')).length;
  let iou!: IouModule;
  jest.isolateModules(() => {
    iou = require('../../shared/documents/iou-document');
    require('../../shared/documents/sign');
    require('../../shared/documents/seal');
    require('../../shared/documents/verify');
  });
  expect(ttfReads()).toBe(0);
  await iou.renderIou(sampleIou());
  expect(ttfReads()).toBe(2); // regular and bold
  await iou.renderIou(sampleIou());
  expect(ttfReads()).toBe(2);
  spy.mockRestore();
});

test('fonts can be supplied as bytes (bundled functions without node_modules)', async () => {
  let fonts!: FontsModule;
  let iou!: IouModule;
  jest.isolateModules(() => {
    fonts = require('../../shared/documents/fonts');
    iou = require('../../shared/documents/iou-document');
  });
  const regular = readFileSync(require.resolve('@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf'));
  fonts.configureDocumentFonts({ regular: new Uint8Array(regular), bold: new Uint8Array(regular) });
  expect(fonts.loadFont('bold').font.postscriptName).toBe('NotoSerifSC-Regular');
  const r = await iou.renderIou(sampleIou());
  expect(r.pageCount).toBe(3);
});

test('the text layer does not depend on what the process drew before: 大 reads 大 even after the radical ⼤ (same glyph) was laid out', async () => {
  // fontkit caches a glyph with the code points it was first asked for; Noto draws 大 (U+5927) and
  // the Kangxi radical ⼤ (U+2F24) with one glyph, so a form value pasted with radicals used to make
  // every later contract of the warm process extract as "⼤写".
  const { pdftotext, tempDir, writeTemp } = await import('./tools');
  let render!: typeof import('../../shared/documents/render');
  jest.isolateModules(() => {
    render = require('../../shared/documents/render');
  });
  const doc = (text: string) => render.renderDocument({ contractNo: '1', title: '收据', blocks: [{ kind: 'paragraph', text }] });
  const dir = tempDir();
  const first = await doc('⼤写⼋⽶'); // radicals, as text copied out of another PDF may carry
  const later = await doc('大写：八米');
  const read = (name: string, bytes: Uint8Array) => pdftotext(writeTemp(dir, name, bytes)).replace(/\s/g, '');
  expect(read('later.pdf', later.bytes)).toContain('大写：八米');
  // The radical itself reads as its unified ideograph (its NFKC form), which search expects.
  expect(read('first.pdf', first.bytes)).toContain('大写八米');
  // A glyph that is not its NFKC form keeps its own code point: ① is not "1".
  expect(read('circled.pdf', (await doc('①1')).bytes)).toContain('①1');
});
