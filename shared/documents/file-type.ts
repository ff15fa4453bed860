/**
 * What an uploaded own file is (U1), by its content — never by its name alone — and whether it
 * may be read at all, within bounded limits (size, pages, zip entries and unpacked bytes), so a
 * zip bomb or a PDF of thousands of pages is refused by arithmetic, not by running out of memory.
 *
 * pdf, doc (OLE2 compound file with a WordDocument stream), docx / xlsx (OOXML zip whose
 * [Content_Types].xml names the main part and that part is present), png, jpg. The file's name
 * must agree with its content (a PDF renamed .docx is refused), so what the user sees is what
 * we sign.
 *
 * May import: errors, pdf-lib, fflate, pngjs. Pure (no I/O).
 */
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { PDFDocument } from '@cantoo/pdf-lib';
import { AppError } from '../errors';

export type OwnFileType = 'pdf' | 'doc' | 'docx' | 'xlsx' | 'png' | 'jpg';
export const IMAGE_TYPES: readonly OwnFileType[] = ['png', 'jpg'];
export const OFFICE_TYPES = ['doc', 'docx', 'xlsx'] as const;
export type OfficeType = (typeof OFFICE_TYPES)[number];

export interface FileLimits {
  /** A document (pdf, doc, docx, xlsx): WeChat's chat-file limit is far above what we sign; 20 MB. */
  maxFileBytes: number;
  /** An image from the chat, album or camera: 10 MB. */
  maxImageBytes: number;
  /** Pages of the prepared PDF. */
  maxPages: number;
  /** OOXML: entries in the package, and the declared unpacked size of all of them together. */
  maxZipEntries: number;
  maxUnpackedBytes: number;
  /** Images: width × height, checked from the header before anything is decoded. */
  maxImagePixels: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 20 * 1024 * 1024,
  maxImageBytes: 10 * 1024 * 1024,
  maxPages: 200,
  maxZipEntries: 5000,
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxImagePixels: 50_000_000,
};

const EXTENSIONS: Record<OwnFileType, readonly string[]> = {
  pdf: ['pdf'], doc: ['doc'], docx: ['docx'], xlsx: ['xlsx'], png: ['png'], jpg: ['jpg', 'jpeg'],
};

export const CONTENT_TYPES: Record<OwnFileType, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpg: 'image/jpeg',
};

const OOXML_MAIN: Record<'docx' | 'xlsx', string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
};

const unsupported = (reason: string) => new AppError('UNSUPPORTED_FILE_TYPE', '不支持的文件类型，请上传 PDF、Word（doc/docx）、Excel（xlsx）文件或 PNG、JPG 图片', { reason });
const unreadable = (reason: string) => new AppError('FILE_UNREADABLE', undefined, { reason });
const tooLarge = (limit: string, max: number) => new AppError('FILE_TOO_LARGE', undefined, { limit, max });

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);
const ascii = (b: Uint8Array, from: number, to: number) => Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, Math.min(to, b.length) - from)).toString('latin1');

/** The content's type, or UNSUPPORTED_FILE_TYPE. Reads headers only (plus the OOXML content types, bounded). */
export const detectType = (b: Uint8Array, limits: FileLimits = DEFAULT_FILE_LIMITS): OwnFileType => {
  if (b.length === 0) throw unreadable('empty');
  if (ascii(b, 0, 5) === '%PDF-') return 'pdf';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return oleType(b);
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return ooxmlType(b, limits);
  throw unsupported('unknown content');
};

// Directory entry names of a compound file are UTF-16LE; looking for the name is enough to tell
// a Word document from an encrypted OOXML package (the "EncryptedPackage" stream, MS-OFFCRYPTO)
// or an Excel 97 / PowerPoint file, which we do not take.
const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const OLE_ENCRYPTED = utf16('EncryptedPackage');
const OLE_WORD = utf16('WordDocument');

const oleType = (b: Uint8Array): OwnFileType => {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.length < 1536) throw unreadable('truncated compound file');
  if (buf.includes(OLE_ENCRYPTED)) throw unreadable('encrypted office package');
  if (buf.includes(OLE_WORD)) return 'doc';
  throw unsupported('compound file without a Word document');
};

/** The OOXML package: every entry's declared size checked first, then only [Content_Types].xml unpacked. */
const ooxmlType = (b: Uint8Array, limits: FileLimits): OwnFileType => {
  const entries = zipEntries(b, limits);
  const types = entries.get('[Content_Types].xml');
  if (types === undefined) throw unsupported('zip without [Content_Types].xml');
  const xml = Buffer.from(types).toString('utf8');
  for (const type of ['docx', 'xlsx'] as const) {
    const m = new RegExp(`<Override[^>]*PartName="/([^"]+)"[^>]*ContentType="${OOXML_MAIN[type].replace(/[.+]/g, '\\$&')}"`).exec(xml)
      ?? new RegExp(`<Override[^>]*ContentType="${OOXML_MAIN[type].replace(/[.+]/g, '\\$&')}"[^>]*PartName="/([^"]+)"`).exec(xml);
    if (m) {
      if (!entries.has(m[1]!)) throw unsupported(`${type} main part missing`);
      return type;
    }
  }
  throw unsupported('zip that is not a Word or Excel document');
};

/**
 * A zip's entries, bounded: the count and the total of the declared unpacked sizes are checked
 * before inflating, and fflate inflates each into a buffer of exactly its declared size, so a
 * lying header cannot grow memory either. Bad compressed data → FILE_UNREADABLE.
 */
export const zipEntries = (b: Uint8Array, limits: FileLimits = DEFAULT_FILE_LIMITS): Map<string, Uint8Array> => {
  let count = 0;
  let total = 0;
  let out: Record<string, Uint8Array>;
  try {
    // First pass: sizes only (the filter sees each central-directory entry, nothing is inflated).
    unzipSync(b, {
      filter: (f) => {
        count += 1;
        total += f.originalSize;
        if (count > limits.maxZipEntries) throw tooLarge('zipEntries', limits.maxZipEntries);
        if (total > limits.maxUnpackedBytes) throw tooLarge('unpackedBytes', limits.maxUnpackedBytes);
        return false;
      },
    });
    // Second pass: everything (bounded by the totals above), so corrupt data anywhere is found now
    // rather than by the converter.
    out = unzipSync(b);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unreadable('bad zip');
  }
  return new Map(Object.entries(out));
};

export interface SniffedFile {
  type: OwnFileType;
  contentType: string;
}

/**
 * The checks before conversion: type by content, the name's extension agreeing with it, the
 * size limit for its kind, and for images their header (dimensions within bounds, complete data).
 */
export const sniffFile = (bytes: Uint8Array, name: string, limits: FileLimits = DEFAULT_FILE_LIMITS): SniffedFile => {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase();
  // A size check first: nothing of an oversized upload is parsed.
  const isImageName = ext === 'png' || ext === 'jpg' || ext === 'jpeg';
  if (bytes.length > limits.maxFileBytes || (isImageName && bytes.length > limits.maxImageBytes))
    throw tooLarge('bytes', isImageName ? limits.maxImageBytes : limits.maxFileBytes);
  const type = detectType(bytes, limits);
  if (!ext || !EXTENSIONS[type].includes(ext)) throw unsupported(`name does not match content (${type})`);
  if (type === 'png') pngInfo(bytes, limits);
  if (type === 'jpg') jpegInfo(bytes, limits);
  return { type, contentType: CONTENT_TYPES[type] };
};

export interface ImageInfo {
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
}

/** A PNG's size from IHDR (bounded), then decoded by pngjs, which checks every CRC and the zlib stream. */
export const pngInfo = (b: Uint8Array, limits: FileLimits = DEFAULT_FILE_LIMITS): ImageInfo => {
  if (b.length < 33 || ascii(b, 12, 16) !== 'IHDR') throw unreadable('png header');
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const width = dv.getUint32(16);
  const height = dv.getUint32(20);
  if (width === 0 || height === 0) throw unreadable('png without pixels');
  if (width * height > limits.maxImagePixels) throw tooLarge('imagePixels', limits.maxImagePixels);
  try {
    PNG.sync.read(Buffer.from(b.buffer, b.byteOffset, b.length));
  } catch {
    throw unreadable('png data');
  }
  return { width, height, orientation: 1 };
};

/**
 * A JPEG walked marker by marker: the frame header (SOFn) gives the size, APP1 Exif the
 * orientation; the file must end with EOI (a cut-off upload is refused, not half drawn).
 */
export const jpegInfo = (b: Uint8Array, limits: FileLimits = DEFAULT_FILE_LIMITS): ImageInfo => {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  let i = 2;
  let orientation = 1;
  let size: { width: number; height: number } | null = null;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw unreadable('jpeg marker');
    const marker = b[i + 1]!;
    if (marker === 0xff) { i += 1; continue; }
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = dv.getUint16(i + 2);
    if (len < 2 || i + 2 + len > b.length) throw unreadable('truncated jpeg');
    if (marker === 0xe1 && ascii(b, i + 4, i + 10) === 'Exif\0\0') orientation = exifOrientation(b.subarray(i + 10, i + 2 + len)) ?? orientation;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      size = { height: dv.getUint16(i + 5), width: dv.getUint16(i + 7) };
    if (marker === 0xda) break; // start of scan: entropy-coded data follows up to EOI
    i += 2 + len;
  }
  if (!size || size.width === 0 || size.height === 0) throw unreadable('jpeg without a frame');
  if (size.width * size.height > limits.maxImagePixels) throw tooLarge('imagePixels', limits.maxImagePixels);
  let end = b.length;
  while (end > 0 && b[end - 1] === 0x00) end -= 1; // some cameras pad after EOI
  if (end < 2 || b[end - 2] !== 0xff || b[end - 1] !== 0xd9) throw unreadable('truncated jpeg');
  return { ...size, orientation };
};

/** Tag 0x0112 of IFD0 in a TIFF block (either byte order); null when absent or malformed. */
export const exifOrientation = (tiff: Uint8Array): number | null => {
  if (tiff.length < 8) return null;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const dv = new DataView(tiff.buffer, tiff.byteOffset, tiff.length);
  const ifd = dv.getUint32(4, le);
  if (ifd + 2 > tiff.length) return null;
  const n = dv.getUint16(ifd, le);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > tiff.length) return null;
    if (dv.getUint16(e, le) === 0x0112) {
      const v = dv.getUint16(e + 8, le);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
};

export interface PdfInfo {
  pages: Array<{ width: number; height: number }>;
}

/**
 * A PDF we can sign: complete (%%EOF at its end), not encrypted, at least one page and at most
 * the limit. pdf-lib parses it (its memory is bounded by the file size checked before).
 */
export const pdfInfo = async (b: Uint8Array, limits: FileLimits = DEFAULT_FILE_LIMITS): Promise<PdfInfo> => {
  if (!ascii(b, Math.max(0, b.length - 1024), b.length).includes('%%EOF')) throw unreadable('truncated pdf');
  // The encryption dictionary is named by the trailer (or the xref stream's dictionary, which is
  // never encrypted itself): at the end of the file, or at its start when linearized.
  const ENCRYPT = /\/Encrypt\s*\d+\s+\d+\s+R|\/Encrypt\s*<</;
  if (ENCRYPT.test(ascii(b, Math.max(0, b.length - 65536), b.length)) || ENCRYPT.test(ascii(b, 0, 8192))) throw unreadable('encrypted pdf');
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(b, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
  } catch {
    throw unreadable('corrupt pdf');
  }
  if (doc.isEncrypted || doc.context.trailerInfo.Encrypt) throw unreadable('encrypted pdf');
  let count: number;
  try {
    count = doc.getPageCount();
  } catch {
    throw unreadable('corrupt page tree');
  }
  if (count === 0) throw unreadable('no pages');
  if (count > limits.maxPages) throw tooLarge('pages', limits.maxPages);
  return {
    // In each page's own user space (the space signature fields are placed in), unrotated.
    pages: doc.getPages().map((p) => {
      const { width, height } = p.getSize();
      return { width: Math.round(width * 100) / 100, height: Math.round(height * 100) / 100 };
    }),
  };
};
