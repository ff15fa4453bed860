/**
 * The FileStorage port on CloudBase storage (COS behind the CloudBase API): PDFs, uploads and seal
 * images. A port key ("contracts/<id>/final.pdf") is the cloud path; its file ID is
 * `cloud://<envId>.<bucket>/<key>` (the form uploadFile returns), so reading a file never needs a
 * lookup table.
 *
 *   put           uploadFile({cloudPath, fileContent})
 *   get           downloadFile({fileID}) — a missing file is null, any other failure throws
 *   temporaryUrl  getTempFileURL({fileList:[{fileID, maxAge}]}) — keep maxAge short: the URL is a
 *                 bearer token for the document
 *
 * The content type is COS's to infer from the extension (uploadFile sends none); keys therefore
 * keep their extension.
 */
import type { FileStorage } from '../../ports/files';
import { ProviderFailure } from '../tencentcloud/provider-error';
import { cloudbaseFailure, errorCode } from './app';

export interface StorageApp {
  uploadFile(o: { cloudPath: string; fileContent: Buffer }): Promise<{ fileID?: string }>;
  downloadFile(o: { fileID: string }): Promise<{ fileContent?: Buffer }>;
  getTempFileURL(o: { fileList: Array<{ fileID: string; maxAge: number }> }): Promise<{ fileList: Array<{ fileID: string; tempFileURL: string; code: string }> }>;
}

export interface StorageSettings {
  envId: string;
  /** The environment's storage bucket, e.g. "7465-myenv-1250000000" (CloudBase console › 存储). */
  bucket: string;
}

const MISSING = new Set(['STORAGE_FILE_NONEXIST', 'FILE_NOT_EXIST']);
const KEY = /^(?!\/)(?!.*\/\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\u0000-\u001f\\]+$/;

export class CloudBaseFiles implements FileStorage {
  constructor(private readonly app: () => StorageApp, private readonly settings: StorageSettings) {}

  fileId(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid file key ${JSON.stringify(key)}`);
    return `cloud://${this.settings.envId}.${this.settings.bucket}/${key}`;
  }

  async put(key: string, content: Buffer, _contentType?: string): Promise<void> {
    this.fileId(key); // refuses keys that are not plain relative paths
    try {
      await this.app().uploadFile({ cloudPath: key, fileContent: content });
    } catch (e) {
      throw cloudbaseFailure('cloudbase-storage', e);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const fileID = this.fileId(key);
    try {
      const r = await this.app().downloadFile({ fileID });
      return r.fileContent ?? null;
    } catch (e) {
      if (MISSING.has(errorCode(e)) || /Status:404/.test((e as Error).message ?? '')) return null;
      throw cloudbaseFailure('cloudbase-storage', e);
    }
  }

  async temporaryUrl(key: string, maxAgeSeconds: number): Promise<string> {
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 1) throw new RangeError('maxAgeSeconds must be a positive integer');
    const fileID = this.fileId(key);
    let r;
    try {
      r = await this.app().getTempFileURL({ fileList: [{ fileID, maxAge: maxAgeSeconds }] });
    } catch (e) {
      throw cloudbaseFailure('cloudbase-storage', e);
    }
    const item = r.fileList[0];
    if (!item || item.code !== 'SUCCESS') throw new ProviderFailure('cloudbase-storage', item?.code ?? 'NoTempUrl', `no temporary URL for ${key}`);
    return item.tempFileURL;
  }
}
