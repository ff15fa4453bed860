/**
 * Own files (U1): an upload the caller put in cloud storage (wx.cloud.uploadFile → fileID, the
 * emulator's POST /_emulator/storage/upload) checked by content and limits, converted to PDF
 * (Office through the DocumentConverter port, images one A4 page each), and kept as an import
 * record: the original(s) beside the PDF under keys we generate (never from the file's name),
 * with both SHA-256s and the pages' sizes — what contract-create (kind own_file) places
 * signature fields on and the evidence report names.
 *
 * May import: ports, documents (file-type, image-pdf), store, errors.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { Deps } from '../ports/operation';
import { FILE_IMPORTS, uploadKey, type FileImportDoc } from './own-file-imports';
import { DEFAULT_FILE_LIMITS, IMAGE_TYPES, pdfInfo, sniffFile, type FileLimits } from '../documents/file-type';
import { imagesToPdf } from '../documents/image-pdf';

/** Imports a caller may prepare per 24 hours (each one costs a conversion). */
export const IMPORTS_PER_DAY = 50;
/** The album (相册) takes up to nine images in one contract; the camera one photo. */
export const MAX_ALBUM_IMAGES = 9;
export const PREVIEW_URL_SECONDS = 600;


const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface ImportRequest {
  files: Array<{ fileID: string; name: string }>;
  source: 'chat' | 'album' | 'camera';
}

/** Checks, converts and stores; nothing is stored when any check fails. */
export const importOwnFile = async (deps: Deps, openid: string, req: ImportRequest, limits: FileLimits = DEFAULT_FILE_LIMITS): Promise<FileImportDoc> => {
  const now = deps.clock.now();
  const recent = await deps.store.find<FileImportDoc>(FILE_IMPORTS, { openid, createdAt: { $gte: new Date(now.getTime() - 86_400_000).toISOString() } }, { limit: IMPORTS_PER_DAY });
  if (recent.length >= IMPORTS_PER_DAY) throw new AppError('RATE_LIMITED', undefined, { action: 'file_import', retryAfterSeconds: 3600 });
  if (req.source === 'camera' && req.files.length !== 1) throw new AppError('VALIDATION_FAILED', '拍照只能上传一张照片', { fields: [{ field: '/files', rule: 'maxItems' }] });

  const read = [];
  for (const f of req.files) {
    const bytes = await deps.files.get(uploadKey(f.fileID, openid));
    if (!bytes) throw new AppError('NOT_FOUND', '文件不存在，请重新上传');
    read.push({ ...f, bytes, ...sniffFile(bytes, f.name, limits) });
  }
  const images = read.every((r) => IMAGE_TYPES.includes(r.type));
  if (req.files.length > 1 && !images) throw new AppError('VALIDATION_FAILED', '多个文件时只能是图片', { fields: [{ field: '/files', rule: 'images' }] });
  if (req.source !== 'chat' && !images) throw new AppError('UNSUPPORTED_FILE_TYPE', '相册和拍照只能上传 PNG 或 JPG 图片');

  const id = deps.ids.id('fi');
  const originals = read.map((r, i) => ({ name: r.name, sha256: sha256(r.bytes), key: `ownfiles/${id}/original-${i + 1}.${r.type}`, bytes: r.bytes, contentType: r.contentType }));
  // The converter in the cloud reads the original from storage, so it is stored before converting;
  // a failed conversion leaves an orphan original under our key, no record (nothing refers to it).
  for (const o of originals) await deps.files.put(o.key, o.bytes, o.contentType);
  const first = read[0]!;
  let pdf: Uint8Array;
  if (images) pdf = await imagesToPdf(read.map((r) => ({ type: r.type as 'png' | 'jpg', bytes: r.bytes })), limits);
  else if (first.type === 'pdf') pdf = first.bytes;
  else pdf = await deps.converter.toPdf({ bytes: first.bytes, type: first.type as 'doc' | 'docx' | 'xlsx', storageKey: originals[0]!.key });
  const info = await pdfInfo(pdf, limits);
  const pdfKey = `ownfiles/${id}/document.pdf`;
  await deps.files.put(pdfKey, Buffer.from(pdf), 'application/pdf');

  const doc: FileImportDoc = {
    _id: id, openid, source: req.source, createdAt: now.toISOString(),
    ownFile: {
      importId: id, type: first.type as string,
      originalName: first.name, originalSha256: originals[0]!.sha256, pdfSha256: sha256(pdf), pages: info.pages,
      originals: originals.map(({ name, sha256: h, key }) => ({ name, sha256: h, key })), pdfKey,
    },
  };
  const r = await deps.store.commit({ collection: FILE_IMPORTS, doc, expectedVersion: 0 });
  if (!r.ok) throw new AppError('CONFLICT');
  return doc;
};
