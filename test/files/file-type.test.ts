/**
 * U1: own files are typed by content, within bounded limits, and every refusal has its code —
 * files made here (pdf-lib, fflate, pngjs, jpeg-js, qpdf for the encrypted PDF).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { PDFDocument } from '@cantoo/pdf-lib';
import { AppError } from '../../shared/errors';
import { DEFAULT_FILE_LIMITS, exifOrientation, jpegInfo, pdfInfo, sniffFile } from '../../shared/documents/file-type';
import { makeDocx, makeJpeg, makeOle, makePdf, makePng, makeXlsx } from './make-files';

const code = (f: () => unknown) => {
  try { f(); } catch (e) { return { code: (e as AppError).code, reason: (e as AppError).details?.reason ?? (e as AppError).details?.limit }; }
  return { code: 'none' };
};
const acode = async (f: () => Promise<unknown>) => {
  try { await f(); } catch (e) { return { code: (e as AppError).code, reason: (e as AppError).details?.reason ?? (e as AppError).details?.limit }; }
  return { code: 'none' };
};

describe('U1 file types by content', () => {
  test.each([
    ['合同.pdf', async () => makePdf(1), 'pdf'],
    ['合同.docx', async () => makeDocx(), 'docx'],
    ['报价.xlsx', async () => makeXlsx(), 'xlsx'],
    ['老合同.doc', async () => makeOle(['Root Entry', 'WordDocument', '1Table']), 'doc'],
    ['签名.PNG', async () => makePng(), 'png'],
    ['照片.jpeg', async () => makeJpeg(), 'jpg'],
    ['照片.jpg', async () => makeJpeg(40, 20, 6), 'jpg'],
  ])('U1 %s is accepted as %s', async (name, make, type) => {
    expect(sniffFile(await make(), name).type).toBe(type);
  });

  test.each([
    ['a plain zip', 'a.docx', () => zipSync({ 'readme.txt': strToU8('hello') })],
    ['a docx whose content types name a missing main part', 'a.docx', () => zipSync({ '[Content_Types].xml': strToU8('<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>') })],
    ['a pptx-like package', 'a.docx', () => zipSync({ '[Content_Types].xml': strToU8('<Types><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'), 'ppt/presentation.xml': strToU8('<p/>') })],
    ['an exe renamed .pdf', 'a.pdf', () => Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200)])],
    ['html', 'a.docx', () => Buffer.from('<!doctype html><html><body>hi</body></html>')],
    ['svg', 'a.png', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['an Excel 97 compound file', 'a.doc', () => makeOle(['Root Entry', 'Workbook'])],
    ['a PDF renamed .docx', 'a.docx', () => Buffer.from('%PDF-1.7\n%%EOF')],
    ['a docx renamed .pdf', 'a.pdf', () => makeDocx()],
    ['a name without extension', 'contract', () => makeDocx()],
  ])('U1 %s → UNSUPPORTED_FILE_TYPE', (_what, name, make) => {
    expect(code(() => sniffFile(make(), name)).code).toBe('UNSUPPORTED_FILE_TYPE');
  });

  test('U1 size limits: over 20 MB a file, over 10 MB an image → FILE_TOO_LARGE before parsing', () => {
    const big = Buffer.alloc(DEFAULT_FILE_LIMITS.maxFileBytes + 1);
    big.write('%PDF-1.7');
    expect(code(() => sniffFile(big, 'a.pdf'))).toEqual({ code: 'FILE_TOO_LARGE', reason: 'bytes' });
    const photo = Buffer.concat([makeJpeg(), Buffer.alloc(DEFAULT_FILE_LIMITS.maxImageBytes)]);
    expect(code(() => sniffFile(photo, 'a.jpg'))).toEqual({ code: 'FILE_TOO_LARGE', reason: 'bytes' });
    // the same bytes count as a document under the file limit: the image limit is the image's
    expect(photo.length).toBeLessThan(DEFAULT_FILE_LIMITS.maxFileBytes);
  });

  test('U1 a zip bomb is refused from the declared sizes, not by inflating it', () => {
    const bomb = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    expect(code(() => sniffFile(bomb, 'a.docx', { ...DEFAULT_FILE_LIMITS, maxUnpackedBytes: 1024 * 1024 }))).toEqual({ code: 'FILE_TOO_LARGE', reason: 'unpackedBytes' });
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.xml`, strToU8('x')]));
    expect(code(() => sniffFile(zipSync(many), 'a.docx', { ...DEFAULT_FILE_LIMITS, maxZipEntries: 20 }))).toEqual({ code: 'FILE_TOO_LARGE', reason: 'zipEntries' });
  });

  test('U1 bad compressed data in a docx → FILE_UNREADABLE', () => {
    const docx = Buffer.from(makeDocx());
    // the first entry's deflate stream starts after its 30-byte local header and name; 0xFF is the reserved block type
    const nameLen = docx.readUInt16LE(26);
    const extra = docx.readUInt16LE(28);
    docx[30 + nameLen + extra] = 0xff;
    expect(code(() => sniffFile(docx, 'a.docx'))).toEqual({ code: 'FILE_UNREADABLE', reason: 'bad zip' });
    expect(code(() => sniffFile(makeDocx().subarray(0, 200), 'a.docx')).code).toBe('FILE_UNREADABLE');
  });

  test('U1 an encrypted OOXML (OLE2 EncryptedPackage) → FILE_UNREADABLE', () => {
    expect(code(() => sniffFile(makeOle(['Root Entry', 'EncryptionInfo', 'EncryptedPackage']), 'a.docx'))).toEqual({ code: 'FILE_UNREADABLE', reason: 'encrypted office package' });
  });

  test('U1 images: truncated JPEG / PNG → FILE_UNREADABLE; EXIF orientation read', () => {
    const j = makeJpeg(64, 32, 8);
    expect(jpegInfo(j)).toEqual({ width: 64, height: 32, orientation: 8 });
    expect(jpegInfo(makeJpeg(64, 32))).toEqual({ width: 64, height: 32, orientation: 1 });
    expect(code(() => sniffFile(j.subarray(0, j.length - 100), 'a.jpg')).code).toBe('FILE_UNREADABLE');
    const p = makePng();
    expect(code(() => sniffFile(p.subarray(0, p.length - 20), 'a.png')).code).toBe('FILE_UNREADABLE');
    const tiffLe = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(exifOrientation(tiffLe)).toBe(3);
  });

  test('U1 PDFs: pages and sizes; encrypted, truncated, zero pages, too many pages refused', async () => {
    expect(await pdfInfo(await makePdf(2, [600, 400]))).toEqual({ pages: [{ width: 600, height: 400 }, { width: 600, height: 400 }] });
    const plain = await makePdf(1);
    expect(await acode(() => pdfInfo(plain.subarray(0, plain.length - 40)))).toEqual({ code: 'FILE_UNREADABLE', reason: 'truncated pdf' });
    const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
    expect(await acode(() => pdfInfo(empty))).toEqual({ code: 'FILE_UNREADABLE', reason: 'no pages' });
    expect(await acode(async () => pdfInfo(await makePdf(6), { ...DEFAULT_FILE_LIMITS, maxPages: 5 }))).toEqual({ code: 'FILE_TOO_LARGE', reason: 'pages' });
    const dir = mkdtempSync(join(tmpdir(), 'esign-enc-'));
    writeFileSync(join(dir, 'in.pdf'), plain);
    const q = spawnSync('qpdf', ['--encrypt', 'user', 'owner', '256', '--', join(dir, 'in.pdf'), join(dir, 'enc.pdf')]);
    expect(q.status).toBe(0);
    expect(await acode(() => pdfInfo(readFileSync(join(dir, 'enc.pdf'))))).toEqual({ code: 'FILE_UNREADABLE', reason: 'encrypted pdf' });
  });
});
