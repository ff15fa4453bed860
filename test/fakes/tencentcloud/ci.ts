/**
 * A local 数据万象 (COS + CI) endpoint: objects put in `objects`, GET <key>?ci-process=doc-preview&dstType=pdf
 * answered with a PDF (one page per <w:p> found, made with pdf-lib) — after checking the COS
 * signature from scratch (its own canonicalisation, not the adapter's), the key time window and
 * the security token. Errors come as COS's XML <Error><Code>…</Code></Error>.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { strFromU8, unzipSync } from 'fflate';
import { PDFDocument } from '@cantoo/pdf-lib';
import { listen, type Listening } from '../http';

export interface CiFake extends Listening {
  objects: Map<string, Buffer>;
  requests: Array<{ key: string; query: string; authorized: boolean }>;
}

const xmlError = (res: http.ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>fake</RequestId></Error>`);
};

const sha1hex = (s: string) => createHash('sha1').update(s).digest('hex');
const hmacHex = (k: string, s: string) => createHmac('sha1', k).update(s).digest('hex');
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

export const startCiFake = async (o: { secretId: string; secretKey: string; token?: string; nowSeconds: () => number }): Promise<CiFake> => {
  const objects = new Map<string, Buffer>();
  const requests: CiFake['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const key = decodeURIComponent(u.pathname.slice(1));
    const auth = Object.fromEntries(String(req.headers.authorization ?? '').split('&').map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)]; }));
    const check = (): string | null => {
      if (auth['q-sign-algorithm'] !== 'sha1' || auth['q-ak'] !== o.secretId) return 'InvalidAccessKeyId';
      const [start, end] = String(auth['q-key-time']).split(';').map(Number);
      if (!(start! <= o.nowSeconds() && o.nowSeconds() <= end!)) return 'RequestTimeTooSkewed';
      const paramNames = String(auth['q-url-param-list'] ?? '').split(';').filter(Boolean);
      const headerNames = String(auth['q-header-list'] ?? '').split(';').filter(Boolean);
      const lowerQuery = new Map([...u.searchParams].map(([k, v]) => [k.toLowerCase(), v]));
      if (!lowerQuery.has('ci-process') || !paramNames.includes('ci-process')) return 'AccessDenied';
      const params = paramNames.map((k) => `${k}=${uriEncode(lowerQuery.get(decodeURIComponent(k)) ?? '')}`).join('&');
      const headers = headerNames.map((k) => `${k}=${uriEncode(String(req.headers[decodeURIComponent(k)] ?? ''))}`).join('&');
      const httpString = ['get', `/${key}`, params, headers, ''].join('\n');
      const expected = hmacHex(hmacHex(o.secretKey, auth['q-key-time']!), ['sha1', auth['q-sign-time'], sha1hex(httpString), ''].join('\n'));
      if (expected !== auth['q-signature']) return 'SignatureDoesNotMatch';
      if (o.token && req.headers['x-cos-security-token'] !== o.token) return 'InvalidToken';
      return null;
    };
    const problem = check();
    requests.push({ key, query: u.search, authorized: problem === null });
    if (problem) return xmlError(res, 403, problem);
    if (u.searchParams.get('ci-process') !== 'doc-preview' || u.searchParams.get('dstType') !== 'pdf') return xmlError(res, 400, 'InvalidArgument');
    const obj = objects.get(key);
    if (!obj) return xmlError(res, 404, 'NoSuchKey');
    const isZip = obj[0] === 0x50 && obj[1] === 0x4b;
    const isOle = obj[0] === 0xd0 && obj[1] === 0xcf;
    if (!isZip && !isOle) return xmlError(res, 400, 'InvalidDocument');
    const doc = await PDFDocument.create();
    let text = obj.toString('latin1');
    try { text = strFromU8(unzipSync(obj)['word/document.xml'] ?? new Uint8Array()); } catch { /* OLE2: raw */ }
    const paragraphs = Math.max(1, (text.match(/<w:p>/g) ?? []).length);
    for (let i = 0; i < paragraphs; i++) doc.addPage([595.28, 841.89]);
    const pdf = Buffer.from(await doc.save());
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
    res.end(pdf);
  });
  return { ...(await listen(server)), objects, requests };
};
