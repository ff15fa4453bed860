/**
 * CloudBase storage as the API and COS behave for the SDK's uploadFile / getTempFileURL /
 * downloadFile:
 *
 *  - storage.getUploadMetadata {path} → {url, token, authorization, fileId, cosFileId}; the SDK then
 *    PUTs the bytes to `url` with `authorization` and `x-cos-security-token` headers, and COS answers
 *    an empty body or an XML <Error> (SignatureDoesNotMatch, …);
 *  - storage.batchGetDownloadUrl {file_list:[{fileid, max_age}]} → download_list items
 *    {fileID, tempFileURL, code} — code SUCCESS or STORAGE_FILE_NONEXIST; the URL carries a signature
 *    and an expiry and is refused (403 AccessDenied) once expired or tampered with.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import { DbError } from './database';

const MIME: Record<string, string> = { '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.json': 'application/json' };
const cosError = (code: string, message: string): string =>
  `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n<Code>${code}</Code>\n<Message>${message}</Message>\n<Resource>/</Resource>\n<RequestId>${randomUUID()}</RequestId>\n<TraceId>${randomBytes(12).toString('base64')}</TraceId>\n</Error>`;

export class FakeStorage {
  private readonly files = new Map<string, Buffer>();
  private readonly secret = randomBytes(32);
  /** The max_age of every temporary URL asked for, newest last. */
  readonly issuedMaxAges: number[] = [];

  constructor(private readonly envId: string, readonly bucket: string, private readonly baseUrl: () => string) {}

  private sign(...parts: Array<string | number>): string {
    return createHmac('sha256', this.secret).update(parts.join('\n')).digest('hex');
  }

  fileId(cloudPath: string): string {
    return `cloud://${this.envId}.${this.bucket}/${cloudPath}`;
  }

  private pathOf(fileId: string): string | null {
    const prefix = `cloud://${this.envId}.${this.bucket}/`;
    return fileId.startsWith(prefix) ? fileId.slice(prefix.length) : null;
  }

  uploadMetadata(cloudPath: unknown): Record<string, string> {
    if (typeof cloudPath !== 'string' || cloudPath === '' || cloudPath.startsWith('/')) throw new DbError('INVALID_PARAM', 'path must be a relative cloud path');
    const token = randomBytes(16).toString('hex');
    return {
      url: `${this.baseUrl()}/cos/${this.bucket}/${encodeURI(cloudPath)}`,
      token,
      authorization: `q-sign-algorithm=sha1&q-ak=FAKE&q-signature=${this.sign('put', cloudPath, token)}`,
      fileId: this.fileId(cloudPath),
      cosFileId: randomBytes(8).toString('hex'),
    };
  }

  downloadUrls(list: unknown): Array<{ fileID: string; tempFileURL: string; code: string }> {
    if (!Array.isArray(list)) throw new DbError('INVALID_PARAM', 'file_list must be an array');
    return list.map((item: { fileid?: string; max_age?: number }) => {
      const fileID = String(item.fileid ?? '');
      const p = this.pathOf(fileID);
      if (p === null || !this.files.has(p)) return { fileID, tempFileURL: '', code: 'STORAGE_FILE_NONEXIST' };
      const maxAge = Number(item.max_age ?? 7200);
      this.issuedMaxAges.push(maxAge);
      const t = Math.floor(Date.now() / 1000) + maxAge;
      return { fileID, tempFileURL: `${this.baseUrl()}/cos/${this.bucket}/${encodeURI(p)}?t=${t}&sign=${this.sign('get', p, t)}`, code: 'SUCCESS' };
    });
  }

  deleteFiles(list: unknown): Array<{ fileID: string; code: string }> {
    if (!Array.isArray(list)) throw new DbError('INVALID_PARAM', 'fileid_list must be an array');
    return list.map((fileID: string) => {
      const p = this.pathOf(String(fileID));
      if (p === null || !this.files.delete(p)) return { fileID, code: 'STORAGE_FILE_NONEXIST' };
      return { fileID, code: 'SUCCESS' };
    });
  }

  content(cloudPath: string): Buffer | undefined {
    return this.files.get(cloudPath);
  }

  /** PUT/GET /cos/<bucket>/<path>: the COS side of an upload or a temporary URL. */
  handleCos(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://cos');
    const prefix = `/cos/${this.bucket}/`;
    const xml = (status: number, code: string, message: string): void => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(cosError(code, message));
    };
    if (!url.pathname.startsWith(prefix)) return xml(404, 'NoSuchBucket', 'The specified bucket does not exist.');
    const p = decodeURI(url.pathname.slice(prefix.length));
    if (req.method === 'PUT') {
      const token = String(req.headers['x-cos-security-token'] ?? '');
      const auth = String(req.headers.authorization ?? '');
      const expected = `q-sign-algorithm=sha1&q-ak=FAKE&q-signature=${this.sign('put', p, token)}`;
      if (auth.length !== expected.length || !timingSafeEqual(Buffer.from(auth), Buffer.from(expected))) {
        return xml(403, 'SignatureDoesNotMatch', 'The Signature you specified does not match what we calculated.');
      }
      this.files.set(p, Buffer.from(body));
      res.writeHead(200, { etag: `"${this.sign('etag', p).slice(0, 32)}"` });
      return void res.end();
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const t = Number(url.searchParams.get('t'));
      const sign = url.searchParams.get('sign') ?? '';
      if (!Number.isInteger(t) || sign !== this.sign('get', p, t)) return xml(403, 'AccessDenied', 'Request has invalid signature.');
      if (t < Math.floor(Date.now() / 1000)) return xml(403, 'AccessDenied', 'Request has expired');
      const file = this.files.get(p);
      if (!file) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, { 'content-type': MIME[path.extname(p).toLowerCase()] ?? 'application/octet-stream', 'content-length': file.length });
      return void res.end(req.method === 'HEAD' ? undefined : file);
    }
    return xml(405, 'MethodNotAllowed', 'The specified method is not allowed.');
  }
}
