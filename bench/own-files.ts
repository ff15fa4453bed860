/**
 * Own files (U1): how long file-import's work takes — a 10-page docx checked and converted by the
 * real LibreOffice headless (a cold process with a fresh profile each time, as every import runs
 * it), and a 12-megapixel phone photo (EXIF orientation 6) checked and placed on an A4 page.
 * Store and storage round trips are left out: they are the other benchmarks' subject.
 */
import { LibreOfficeConverter } from '../shared/adapters/local/libreoffice';
import { pdfInfo, sniffFile } from '../shared/documents/file-type';
import { imagesToPdf } from '../shared/documents/image-pdf';
import { makeDocx, makeJpeg } from '../test/files/make-files';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => { const t = process.hrtime.bigint(); await f(); return Number(process.hrtime.bigint() - t) / 1e6; };

export const benchOwnFiles = async (runs = 3, photo: [number, number] = [4000, 3000]) => {
  const paragraphs = Array.from({ length: 20 }, (_, i) => `Clause ${i + 1}. The parties agree to the terms set out in this clause, which are binding on each of them.`);
  const docx = Buffer.from(makeDocx(paragraphs, 9));
  const converter = new LibreOfficeConverter();
  let pages = 0;
  const docxMs: number[] = [];
  for (let i = 0; i < runs; i++) docxMs.push(await time(async () => {
    sniffFile(docx, 'contract.docx');
    const pdf = await converter.toPdf({ bytes: docx, type: 'docx', storageKey: 'bench' });
    pages = (await pdfInfo(pdf)).pages.length;
  }));
  const jpg = makeJpeg(photo[0], photo[1], 6);
  let photoPdfBytes = 0;
  const photoMs: number[] = [];
  for (let i = 0; i < runs; i++) photoMs.push(await time(async () => {
    sniffFile(jpg, 'photo.jpg');
    const pdf = await imagesToPdf([{ type: 'jpg', bytes: jpg }]);
    await pdfInfo(pdf);
    photoPdfBytes = pdf.length;
  }));
  return { pages, docxBytes: docx.length, docxMedianMs: median(docxMs), photoBytes: jpg.length, photoMedianMs: median(photoMs), photoPdfBytes };
};

if (require.main === module) {
  void benchOwnFiles().then((r) => {
    console.log(`10-page docx (${(r.docxBytes / 1024).toFixed(1)} KB → ${r.pages} pages), check + LibreOffice + page sizes, median of 3: ${r.docxMedianMs.toFixed(0)} ms`);
    console.log(`12 MP photo (${(r.photoBytes / 1048576).toFixed(1)} MB jpg, EXIF 6) → A4 page, median of 3: ${r.photoMedianMs.toFixed(0)} ms (PDF ${(r.photoPdfBytes / 1048576).toFixed(1)} MB)`);
  });
}
