/**
 * Failures of the WeChat mini-program server APIs (api.weixin.qq.com): errcode → what it means for
 * us. A WechatApiError is an AppError PROVIDER_ERROR, so the runtime answers it as such, with
 * {provider:'wechat', errcode, retryable} in the details; errmsg stays off the caller's message
 * (it is for logs). Messages never contain the access token (it travels in the URL's query).
 *
 * Codes from the API pages (getStableAccessToken, getUnlimitedQRCode, generateUrlLink,
 * sendMessage) and the global return codes of the official-account/mini-program docs.
 */
import { AppError } from '../../errors';

/** The access token was refused: fetch a token again and retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([
  40001, // invalid credential, access_token is invalid or not latest
  40014, // invalid access_token
  42001, // access_token expired
]);

/** The same call later may work. */
export const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([
  -1, // 系统繁忙，请稍后重试
  45009, // reach max api daily quota limit / 调用分钟频率受限
  45011, // api minute-quota reach limit
  44990, // 生成 URL Link 频率过快
]);

/** Plain-words meaning of the codes we expect, for logs and support. */
export const ERRCODE_MEANINGS: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'access token invalid',
  40003: 'touser openid invalid',
  40013: 'appid invalid',
  40014: 'access token invalid',
  40037: 'subscribe template id invalid',
  40097: 'invalid arguments',
  40125: 'appsecret invalid',
  40164: 'caller IP not in the API IP whitelist',
  40165: 'url link path invalid',
  40169: 'scene invalid (length or characters)',
  40212: 'url link query invalid',
  41030: 'page does not exist in the published mini-program',
  42001: 'access token expired',
  43101: 'user has not accepted this subscribe message',
  44990: 'url link generated too fast',
  45009: 'frequency or daily quota reached',
  45011: 'minute quota reached',
  47003: 'template data invalid',
  48001: 'api unauthorized for this mini-program',
  85401: 'url link expire_time invalid',
  85402: 'url link env_version invalid',
};

export class WechatApiError extends AppError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    readonly retryable: boolean,
  ) {
    super('PROVIDER_ERROR', undefined, { provider: 'wechat', api, errcode, retryable });
    this.name = 'WechatApiError';
  }
}

export const isWechatApiError = (e: unknown): e is WechatApiError => e instanceof WechatApiError;

/** No answer we can read: network, timeout, HTTP 5xx, a body that is neither JSON nor an image. Retryable. */
export const transportError = (api: string, what: string): WechatApiError => new WechatApiError(api, 0, what.slice(0, 200), true);

export const apiError = (api: string, errcode: number, errmsg: string): WechatApiError =>
  new WechatApiError(api, errcode, String(errmsg ?? '').slice(0, 300), RETRYABLE_ERRCODES.has(errcode));
