/**
 * Own files through the emulator as the mini-program does it (U1): the bytes go to storage first
 * (POST /_emulator/storage/upload → fileID, like wx.cloud.uploadFile), then file-import checks and
 * prepares them — a docx and an xlsx through the real LibreOffice, a pdf as it is, a jpg as one A4
 * page — answering pages, a preview link and both SHA-256s; the original is kept beside the PDF
 * under our own keys. Every refusal has its code and stores nothing.
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from '@cantoo/pdf-lib';
import { Client, person, startTestEmulator, storeSnapshot, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { pdftotext, tempDir, writeTemp } from '../documents/tools';
import { makeDocx, makeJpeg, makePdf, makePng, makeXlsx } from '../files/make-files';

jest.setTimeout(120_000);
let emu: Emulator;
let client: Client;
let alice: Person;
let bob: Person;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const upload = async (p: Person, name: string, bytes: Uint8Array): Promise<string> => {
  const res = await fetch(`${emu.url}/_emulator/storage/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-openid': p.openid, 'content-type': 'application/octet-stream' }, body: bytes });
  expect(res.status).toBe(200);
  return ((await res.json()) as { fileID: string }).fileID;
};

const importFile = async (p: Person, name: string, bytes: Uint8Array) => client.call('file-import', p.openid, { fileID: await upload(p, name, bytes), name });
const download = async (url: string) => Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer());

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('own-files'));
  await client.advanceToChinaHour(10);
  alice = person('o-of-alice', '林自有', 35, client.today());
  bob = person('o-of-bob', '许他人', 41, client.today());
  for (const p of [alice, bob]) await client.verify(p);
}, 60_000);
afterAll(() => emu.close());

describe('U1 file-import through the emulator', () => {
  test('U1 a docx, an xlsx, a pdf and a jpg each become PDF pages with their sizes, a preview and both hashes; the original is kept beside the PDF', async () => {
    const docx = makeDocx(['Cooperation agreement of Lin'], 1);
    const xlsx = makeXlsx([['Total', 4321]]);
    const pdf = await makePdf(3, [612, 792]);
    const jpg = makeJpeg(300, 150, 6);
    const cases = [
      { name: '合作协议.docx', bytes: docx, type: 'docx', pages: 2, text: 'Cooperation agreement of Lin' },
      { name: '报价单.xlsx', bytes: xlsx, type: 'xlsx', pages: 1, text: '4321' },
      { name: '租房合同.pdf', bytes: pdf, type: 'pdf', pages: 3, text: 'Own file page 3' },
      { name: '欠条照片.jpg', bytes: jpg, type: 'jpg', pages: 1, text: null },
    ];
    for (const c of cases) {
      const r = await importFile(alice, c.name, c.bytes);
      expect(r.ok).toBe(true);
      const d = r.data;
      expect(d).toMatchObject({ type: c.type, originalName: c.name, originalSha256: sha(c.bytes) });
      expect(d.fileId).toMatch(/^fi_/);
      expect(d.pages).toHaveLength(c.pages);
      if (c.type === 'pdf') expect(d.pages[0]).toEqual({ width: 612, height: 792 });
      if (c.type === 'jpg') expect(d.pages[0]).toEqual({ width: 595.28, height: 841.89 });
      const preview = await download(d.previewUrl);
      expect(sha(preview)).toBe(d.pdfSha256);
      expect((await PDFDocument.load(preview)).getPageCount()).toBe(c.pages);
      if (c.text) expect(pdftotext(writeTemp(tempDir(), 'p.pdf', preview))).toContain(c.text);
      // Stored under our keys (never the name), original beside the PDF.
      const stored = await emu.container.store.get<any>('file_imports', d.fileId);
      expect(stored.openid).toBe(alice.openid);
      expect(stored.ownFile.pdfKey).toBe(`ownfiles/${d.fileId}/document.pdf`);
      expect(stored.ownFile.originals).toEqual([{ name: c.name, sha256: sha(c.bytes), key: `ownfiles/${d.fileId}/original-1.${c.type}` }]);
      expect(sha((await emu.container.files.get(stored.ownFile.originals[0].key))!)).toBe(sha(c.bytes));
    }
  });

  test('U1 the album: several images in order, one page each; the camera takes one photo', async () => {
    const images = [{ name: '1.jpg', bytes: makeJpeg() }, { name: '2.png', bytes: makePng() }, { name: '3.jpg', bytes: makeJpeg(100, 300) }];
    const list = [];
    for (const i of images) list.push({ fileID: await upload(alice, i.name, i.bytes), name: i.name });
    const r = await client.ok('file-import', alice.openid, { images: list, source: 'album' });
    expect(r.pages).toHaveLength(3);
    expect(r.originals).toEqual(images.map((i) => ({ name: i.name, sha256: sha(i.bytes) })));
    const camera = await client.call('file-import', alice.openid, { images: list.slice(0, 2), source: 'camera' });
    expect([camera.ok, camera.error?.code]).toEqual([false, 'VALIDATION_FAILED']);
  });

  test('U1 refusals: each with its code, nothing stored; someone else\'s upload is NOT_FOUND', async () => {
    const before = await storeSnapshot(emu.container.store);
    const big = Buffer.alloc(20 * 1024 * 1024 + 1); big.write('%PDF-1.7');
    const enc = Buffer.from(await makePdf(1));
    const cases: Array<[string, Uint8Array, string]> = [
      ['病毒.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), 'UNSUPPORTED_FILE_TYPE'],
      ['page.docx', Buffer.from('<html><body>x</body></html>'), 'UNSUPPORTED_FILE_TYPE'],
      ['renamed.docx', enc, 'UNSUPPORTED_FILE_TYPE'],
      ['huge.pdf', big, 'FILE_TOO_LARGE'],
      ['cut.pdf', enc.subarray(0, enc.length - 30), 'FILE_UNREADABLE'],
      ['cut.jpg', makeJpeg().subarray(0, 400), 'FILE_UNREADABLE'],
    ];
    for (const [name, bytes, code] of cases) {
      const r = await importFile(alice, name, bytes);
      expect([name, r.error?.code]).toEqual([name, code]);
    }
    const alicesFile = await upload(alice, 'a.pdf', await makePdf(1));
    const stolen = await client.call('file-import', bob.openid, { fileID: alicesFile, name: 'a.pdf' });
    expect(stolen.error?.code).toBe('NOT_FOUND');
    const forged = await client.call('file-import', bob.openid, { fileID: `cloud://x/uploads/${bob.openid}/../../ownfiles/x`, name: 'a.pdf' });
    expect(forged.error?.code).toBe('NOT_FOUND');
    expect(await storeSnapshot(emu.container.store)).toBe(before);
  });
});
