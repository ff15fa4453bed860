/**
 * The WeChat mini-program server APIs the backend calls (P3 share links, M1 subscription
 * messages), behind a port. The production adapter (shared/adapters/wechat/) calls
 * api.weixin.qq.com with a stable access token fetched once and cached; the local adapter
 * (shared/adapters/local/local-wechat.ts) draws a real QR code and serves URL Links itself.
 *
 * Failures: `miniProgramCode` and `urlLink` throw AppError PROVIDER_ERROR with details
 * {provider:'wechat', errcode, retryable} — retryable means "the same call later may work"
 * (busy, frequency limits), not "the request is wrong". `sendSubscribeMessage` answers a result
 * instead, because "the user has no subscription left" (43101) is an ordinary outcome that sends
 * the message on by SMS, not an error.
 */

/** Which build of the mini-program a code or link opens. */
export type WechatEnvVersion = 'release' | 'trial' | 'develop';

/**
 * wxacode.getUnlimited (https://developers.weixin.qq.com/miniprogram/dev/server/API/qrcode-link/qr-code/api_getunlimitedqrcode.html):
 * `scene` at most 32 visible characters of [0-9A-Za-z] and !#$&'()*+,/:;=?@-._~; `page` without a
 * leading '/' and without a query (the scene reaches the page as `query.scene`).
 */
export interface MiniProgramCodeRequest {
  scene: string;
  page: string;
  /** 280–1280 px, default 430. */
  width?: number;
  /** Default true: the page must exist in the published version. */
  checkPath?: boolean;
  envVersion?: WechatEnvVersion;
}

export interface MiniProgramCode {
  contentType: 'image/png' | 'image/jpeg';
  bytes: Buffer;
}

/**
 * urllink.generate (https://developers.weixin.qq.com/miniprogram/dev/server/API/qrcode-link/url-link/api_generateurllink.html):
 * `path` without a query, `query` at most 1024 characters; a link expires at most 30 days after
 * it is made (expire_type 0 with expire_time).
 */
export interface UrlLinkRequest {
  path: string;
  query: string;
  /** When the link should stop working; the adapter caps it at 30 days from now. */
  expiresAt: Date;
  envVersion?: WechatEnvVersion;
}

export interface UrlLink {
  /** https://wxaurl.cn/… (production) or the emulator's address (local). */
  url: string;
  /** When it really expires (after capping). */
  expiresAt: Date;
}

/** subscribeMessage.send (https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html). */
export interface SubscribeMessage {
  toOpenid: string;
  templateId: string;
  /** A page of the mini-program, query allowed ('pages/contract/index?id=…'). */
  page?: string;
  /** Field key (thing1, time2 …) → value; values must pass shared/messages/subscribe-templates.ts. */
  data: Readonly<Record<string, string>>;
  /** developer | trial | formal (default formal). */
  state?: 'developer' | 'trial' | 'formal';
}

export type SubscribeResult =
  | { ok: true }
  | {
      ok: false;
      errcode: number;
      errmsg: string;
      /** The same send later may succeed (busy, throttled). */
      retryable: boolean;
      /** 43101: the user has not (or no longer) accepted this template — send by SMS instead. */
      refused: boolean;
    };

export interface Wechat {
  miniProgramCode(req: MiniProgramCodeRequest): Promise<MiniProgramCode>;
  urlLink(req: UrlLinkRequest): Promise<UrlLink>;
  sendSubscribeMessage(msg: SubscribeMessage): Promise<SubscribeResult>;
}

/** What getUnlimited accepts as a scene: at most 32 of these (so no %, no CJK). */
export const WXACODE_SCENE_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

/** What generate_urllink accepts as a query: at most 1024 of these. */
export const URL_LINK_QUERY_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~%]{0,1024}$/;

/** URL Links live at most this long (WeChat: 最长有效期为30天). */
export const URL_LINK_MAX_DAYS = 30;
