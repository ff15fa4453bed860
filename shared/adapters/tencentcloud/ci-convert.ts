/**
 * The DocumentConverter port on Tencent Cloud 数据万象 (Cloud Infinite) document conversion: the
 * original already sits in the environment's storage bucket (a COS bucket), and
 *   GET https://<bucket>.cos.<region>.myqcloud.com/<key>?ci-process=doc-preview&dstType=pdf
 * answers the whole document as one PDF (https://cloud.tencent.com/document/product/460/47074).
 * Signed with the COS signature (cos-auth.ts); the function role's temporary keys add
 * x-cos-security-token. A refusal about the document itself (4xx other than auth) is
 * FILE_UNREADABLE; anything else is PROVIDER_ERROR naming CI's code.
 */
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { ConvertInput, DocumentConverter } from '../../ports/converter';
import { cosAuthorization } from './cos-auth';

export interface CiSettings {
  bucket: string;
  region: string;
  credentials: () => { secretId: string; secretKey: string; token?: string } | null;
  /** Tests: send to this origin instead of https://<bucket>.cos.<region>.myqcloud.com (Host unchanged). */
  endpoint?: string;
  timeoutMs?: number;
}

const MAX_PDF_BYTES = 200 * 1024 * 1024;

const get = (url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: Buffer }> =>
  new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_PDF_BYTES) req.destroy(new Error('too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

const failure = (providerCode: string) => new AppError('PROVIDER_ERROR', undefined, { provider: 'ci', providerCode });

export class CiDocumentConverter implements DocumentConverter {
  constructor(private readonly s: CiSettings, private readonly clock: Clock) {}

  async toPdf(input: ConvertInput): Promise<Buffer> {
    const creds = this.s.credentials();
    if (!creds) throw failure('NoCredentials');
    const host = `${this.s.bucket}.cos.${this.s.region}.myqcloud.com`;
    const path = `/${input.storageKey}`;
    const params = { 'ci-process': 'doc-preview', dstType: 'pdf' };
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const headers: Record<string, string> = { host };
    const authorization = cosAuthorization({ secretId: creds.secretId, secretKey: creds.secretKey, method: 'GET', path, params, headers, start: now - 60, end: now + 600 });
    const url = `${this.s.endpoint ?? `https://${host}`}${path.split('/').map(encodeURIComponent).join('/')}?ci-process=doc-preview&dstType=pdf`;
    // node:http rather than fetch: the signed Host header must go out as signed (fetch rewrites it).
    const res = await get(url, { authorization, host, ...(creds.token ? { 'x-cos-security-token': creds.token } : {}) }, this.s.timeoutMs ?? 60_000).catch(() => {
      throw failure('Unreachable');
    });
    const body = res.body;
    if (res.status === 200 && body.subarray(0, 5).toString('latin1') === '%PDF-') return body;
    const code = /<Code>([^<]{1,80})<\/Code>/.exec(body.toString('utf8'))?.[1] ?? `HTTP${res.status}`;
    if (res.status === 400 || res.status === 415 || res.status === 422) throw new AppError('FILE_UNREADABLE', undefined, { reason: 'converter could not open the file', providerCode: code });
    throw failure(code);
  }
}
