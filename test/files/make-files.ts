/**
 * Real own files made by the tests themselves (U1): minimal but valid OOXML packages (what Word
 * and Excel need to open them), PDFs from pdf-lib, PNG from pngjs, JPEG from jpeg-js with an
 * EXIF orientation block, and the broken variants the checks must refuse.
 */
import { zipSync, strToU8 } from 'fflate';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export const makeDocx = (paragraphs: string[] = ['Cooperation agreement', 'Party A and Party B agree.'], pageBreaks = 0): Uint8Array => {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('')
    + Array.from({ length: pageBreaks }, (_, i) => `<w:p><w:r><w:br w:type="page"/><w:t>Page ${i + 2}</w:t></w:r></w:p>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    '_rels/.rels': strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="word/document.xml"/></Relationships>`),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`),
  });
};

export const makeXlsx = (rows: Array<[string, number]> = [['Item', 1], ['Total', 2]]): Uint8Array => {
  const cells = rows.map(([a, b], i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${a}</t></is></c><c r="B${i + 1}"><v>${b}</v></c></row>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    '_rels/.rels': strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    'xl/workbook.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${cells}</sheetData></worksheet>`),
  });
};

export const makePdf = async (pages = 2, size: [number, number] = [595.28, 841.89]): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) doc.addPage(size).drawText(`Own file page ${i + 1}`, { x: 50, y: size[1] - 80, size: 18, font });
  return doc.save();
};

/** An RGBA PNG: left half red, right half blue (so a test can tell which way it was drawn). */
export const makePng = (width = 120, height = 60): Buffer => {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * 4;
    const left = x < width / 2;
    png.data[o] = left ? 255 : 0; png.data[o + 1] = 0; png.data[o + 2] = left ? 0 : 255; png.data[o + 3] = 255;
  }
  return PNG.sync.write(png);
};

/** A JPEG, left half red and right half blue, with an APP1 Exif block carrying `orientation` (big-endian TIFF). */
export const makeJpeg = (width = 200, height = 100, orientation: number | null = null): Buffer => {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * 4;
    const left = x < width / 2;
    data[o] = left ? 255 : 0; data[o + 1] = 0; data[o + 2] = left ? 0 : 255; data[o + 3] = 255;
  }
  const raw = jpeg.encode({ data, width, height }, 90).data;
  if (orientation === null) return raw;
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1'); tiff.writeUInt16BE(42, 2); tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); tiff.writeUInt16BE(3, 12); tiff.writeUInt32BE(1, 14); tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt32BE(0, 22);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4); app1[0] = 0xff; app1[1] = 0xe1; app1.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([raw.subarray(0, 2), app1, payload, raw.subarray(2)]);
};

/** A compound-file header followed by directory names (what the sniffer looks at). */
export const makeOle = (streams: string[]): Buffer => {
  const header = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  let at = 512;
  for (const s of streams) { Buffer.from(s, 'utf16le').copy(header, at); at += 128; }
  return header;
};
