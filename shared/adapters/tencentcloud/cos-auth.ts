/**
 * COS request signing (XML API, `q-sign-algorithm=sha1`, https://cloud.tencent.com/document/product/436/7778):
 * SignKey = HMAC-SHA1(SecretKey, KeyTime); HttpString = method\npath\nparams\nheaders\n;
 * StringToSign = sha1\nKeyTime\nSHA1(HttpString)\n; Signature = HMAC-SHA1(SignKey, StringToSign).
 * Parameter and header names are lower-cased, sorted and URL-encoded, as are their values.
 * test/fakes/tencentcloud/ci.ts checks it independently.
 */
import { createHash, createHmac } from 'node:crypto';

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string, text: string) => createHmac('sha1', key).update(text).digest('hex');

const canon = (o: Record<string, string>) => {
  const entries = Object.entries(o).map(([k, v]) => [enc(k.toLowerCase()), enc(v)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { list: entries.map(([k]) => k).join(';'), text: entries.map(([k, v]) => `${k}=${v}`).join('&') };
};

export interface CosSignInput {
  secretId: string;
  secretKey: string;
  method: string;
  /** The object path, as in the URL before encoding ("/contracts/x/original.docx"). */
  path: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** Unix seconds. */
  start: number;
  end: number;
}

export const cosAuthorization = (i: CosSignInput): string => {
  const keyTime = `${i.start};${i.end}`;
  const p = canon(i.params);
  const h = canon(i.headers);
  const httpString = `${i.method.toLowerCase()}\n${i.path}\n${p.text}\n${h.text}\n`;
  const stringToSign = `sha1\n${keyTime}\n${createHash('sha1').update(httpString).digest('hex')}\n`;
  const signature = hmac(hmac(i.secretKey, keyTime), stringToSign);
  return `q-sign-algorithm=sha1&q-ak=${i.secretId}&q-sign-time=${keyTime}&q-key-time=${keyTime}&q-header-list=${h.list}&q-url-param-list=${p.list}&q-signature=${signature}`;
};
