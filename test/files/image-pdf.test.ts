/**
 * U1: images become one A4 page each, scaled to fit, EXIF orientation honoured — checked on the
 * page as poppler renders it (left half of the stored image is red, right half blue).
 */
import { rasterize, tempDir, writeTemp } from '../documents/tools';
import { imagesToPdf, A4 } from '../../shared/documents/image-pdf';
import { pdfInfo } from '../../shared/documents/file-type';
import { makeJpeg, makePng } from './make-files';

const at = (r: ReturnType<typeof rasterize>, fx: number, fy: number) => {
  const o = (Math.floor(fy * r.height) * r.width + Math.floor(fx * r.width)) * 3;
  const [R, , B] = [r.rgb[o]!, r.rgb[o + 1]!, r.rgb[o + 2]!];
  return R > 200 && B < 60 ? 'red' : B > 200 && R < 60 ? 'blue' : 'other';
};

describe('U1 images → A4 pages', () => {
  test('U1 album: three images, one A4 page each, in order; orientation 6 stands the wide photo up (stored left = shown top)', async () => {
    const pdf = await imagesToPdf([
      { type: 'jpg', bytes: makeJpeg(200, 100) },
      { type: 'jpg', bytes: makeJpeg(200, 100, 6) },
      { type: 'png', bytes: makePng(120, 60) },
    ]);
    expect((await pdfInfo(pdf)).pages).toEqual(Array(3).fill({ width: A4.width, height: A4.height }));
    const file = writeTemp(tempDir(), 'album.pdf', pdf);
    const upright = rasterize(file, 1, 36);
    expect([at(upright, 0.25, 0.5), at(upright, 0.75, 0.5)]).toEqual(['red', 'blue']);
    // wide image scaled to the page width: above and below it, white page
    expect(at(upright, 0.5, 0.1)).toBe('other');
    const turned = rasterize(file, 2, 36);
    expect([at(turned, 0.5, 0.25), at(turned, 0.5, 0.75)]).toEqual(['red', 'blue']);
    const png = rasterize(file, 3, 36);
    expect([at(png, 0.25, 0.5), at(png, 0.75, 0.5)]).toEqual(['red', 'blue']);
  });

  test('U1 orientation 8 (90° counter-clockwise) puts stored left at the bottom; 3 turns it over', async () => {
    const file = writeTemp(tempDir(), 'o.pdf', await imagesToPdf([{ type: 'jpg', bytes: makeJpeg(200, 100, 8) }, { type: 'jpg', bytes: makeJpeg(200, 100, 3) }]));
    const r8 = rasterize(file, 1, 36);
    expect([at(r8, 0.5, 0.25), at(r8, 0.5, 0.75)]).toEqual(['blue', 'red']);
    const r3 = rasterize(file, 2, 36);
    expect([at(r3, 0.25, 0.5), at(r3, 0.75, 0.5)]).toEqual(['blue', 'red']);
  });
});
