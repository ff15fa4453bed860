/**
 * Office documents → PDF (U1): LibreOffice headless locally (shared/adapters/local/libreoffice.ts),
 * Tencent Cloud 数据万象 document conversion in the cloud (shared/adapters/tencentcloud/ci-convert.ts).
 *
 * May import: errors. Nothing else.
 */
export type ConvertibleType = 'doc' | 'docx' | 'xlsx';

export interface ConvertInput {
  /** The original as uploaded (the local converter reads these bytes). */
  bytes: Buffer;
  type: ConvertibleType;
  /** Where the original already sits in our file storage (the cloud converter reads it there). */
  storageKey: string;
}

export interface DocumentConverter {
  /**
   * The document as one PDF. Throws AppError FILE_UNREADABLE when the converter cannot open it
   * (password, corrupt), PROVIDER_ERROR when the converter itself fails or times out.
   */
  toPdf(input: ConvertInput): Promise<Buffer>;
}
