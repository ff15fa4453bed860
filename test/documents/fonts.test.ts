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
