/**
 * One POST of JSON to api.weixin.qq.com (or the test server standing in for it) on Node's fetch,
 * with a timeout. Returns the raw answer: some endpoints answer an image on success and JSON on
 * failure, so the caller decides how to read it. Transport failures become retryable
 * WechatApiErrors without the URL (its query holds the access token).
 */
import { transportError } from './errors';

export interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export type PostJson = (url: string, body: unknown, timeoutMs: number) => Promise<RawAnswer>;

export const fetchPostJson: PostJson = async (url, body, timeoutMs) => {
  const api = new URL(url).pathname;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const name = (e as { name?: string }).name;
    throw transportError(api, name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${name ?? 'error'}`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status >= 500) throw transportError(api, `HTTP ${res.status}`);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: bytes };
};

/** The answer as JSON; anything else is a transport failure. */
export const jsonOf = (api: string, a: RawAnswer): Record<string, unknown> => {
  try {
    const v: unknown = JSON.parse(a.body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw transportError(api, `HTTP ${a.status} with a body that is not a JSON object`);
};
