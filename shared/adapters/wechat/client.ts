/**
 * The Wechat port on the mini-program server APIs (api.weixin.qq.com), on Node's fetch:
 * - wxacode.getUnlimited  POST /wxa/getwxacodeunlimit?access_token=  → image bytes, or JSON error
 * - urllink.generate      POST /wxa/generate_urllink?access_token=   → {errcode:0, url_link}
 * - subscribeMessage.send POST /cgi-bin/message/subscribe/send?access_token= → {errcode, errmsg}
 * (URLs of each in shared/ports/wechat.ts.) Every call takes the cached stable access token
 * (./access-token.ts); an answer saying the token is bad (40001/40014/42001) drops it, fetches
 * the current one and retries the call once. Other errcodes become WechatApiError
 * (PROVIDER_ERROR, retryable for busy/quota codes), or a result for subscribe sends.
 *
 * May import ports, errors and this folder; never shared/runtime.
 */
import type { Clock } from '../../ports/clock';
import {
  URL_LINK_MAX_DAYS,
  type MiniProgramCode,
  type MiniProgramCodeRequest,
  type SubscribeMessage,
  type SubscribeResult,
  type UrlLink,
  type UrlLinkRequest,
  type Wechat,
  type WechatEnvVersion,
} from '../../ports/wechat';
import { StableAccessToken } from './access-token';
import { RETRYABLE_ERRCODES, TOKEN_ERRCODES, apiError, isWechatApiError, transportError } from './errors';
import { fetchPostJson, jsonOf, type PostJson, type RawAnswer } from './http';

export interface WechatSettings {
  /** https://api.weixin.qq.com, or a test server. */
  baseUrl: string;
  appId: string;
  /** The AppSecret, read when a token is needed (SSM in the cloud). */
  secret: () => Promise<string>;
  timeoutMs: number;
  /** The build codes and links open, and subscribe messages jump to. */
  envVersion: WechatEnvVersion;
}

export const DEFAULT_WECHAT_BASE_URL = 'https://api.weixin.qq.com';

const MINIPROGRAM_STATE: Record<WechatEnvVersion, 'formal' | 'trial' | 'developer'> = { release: 'formal', trial: 'trial', develop: 'developer' };

const isPng = (b: Buffer): boolean => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a;
const isJpeg = (b: Buffer): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

export class WechatApi implements Wechat {
  readonly tokens: StableAccessToken;

  constructor(
    private readonly settings: WechatSettings,
    private readonly clock: Clock,
    private readonly post: PostJson = fetchPostJson,
  ) {
    this.tokens = new StableAccessToken(settings, post, clock);
  }

  /**
   * POSTs `body` to `api` with the access token. `isTokenError(answer)` says whether the answer
   * is a refused token; then the token is dropped and the call made once more with a fresh one.
   */
  private async call(api: string, body: unknown): Promise<RawAnswer> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get();
      const answer = await this.post(`${this.settings.baseUrl}${api}?access_token=${encodeURIComponent(token)}`, body, this.settings.timeoutMs);
      const errcode = errcodeOf(answer);
      if (errcode !== null && TOKEN_ERRCODES.has(errcode) && attempt === 0) {
        this.tokens.invalidate(token);
        continue;
      }
      return answer;
    }
  }

  async miniProgramCode(req: MiniProgramCodeRequest): Promise<MiniProgramCode> {
    const api = '/wxa/getwxacodeunlimit';
    const answer = await this.call(api, {
      scene: req.scene,
      page: req.page,
      check_path: req.checkPath ?? true,
      env_version: req.envVersion ?? this.settings.envVersion,
      width: req.width ?? 430,
    });
    if (isPng(answer.body)) return { contentType: 'image/png', bytes: answer.body };
    if (isJpeg(answer.body)) return { contentType: 'image/jpeg', bytes: answer.body };
    const j = jsonOf(api, answer);
    throw apiError(api, typeof j.errcode === 'number' ? j.errcode : 0, String(j.errmsg ?? 'neither an image nor an error'));
  }

  async urlLink(req: UrlLinkRequest): Promise<UrlLink> {
    const api = '/wxa/generate_urllink';
    const now = this.clock.now().getTime();
    if (req.expiresAt.getTime() <= now) throw new RangeError('a URL Link must expire in the future');
    // expire_type 0 = at expire_time (Unix seconds), at most 30 days away.
    const expiresAt = new Date(Math.min(req.expiresAt.getTime(), now + URL_LINK_MAX_DAYS * 86_400_000));
    const expireTime = Math.floor(expiresAt.getTime() / 1000);
    const j = jsonOf(api, await this.call(api, {
      path: req.path,
      query: req.query,
      expire_type: 0,
      expire_time: expireTime,
      env_version: req.envVersion ?? this.settings.envVersion,
    }));
    const errcode = typeof j.errcode === 'number' ? j.errcode : 0;
    if (errcode !== 0) throw apiError(api, errcode, String(j.errmsg ?? ''));
    if (typeof j.url_link !== 'string' || !/^https:\/\//.test(j.url_link)) throw transportError(api, 'answer without url_link');
    return { url: j.url_link, expiresAt: new Date(expireTime * 1000) };
  }

  async sendSubscribeMessage(msg: SubscribeMessage): Promise<SubscribeResult> {
    const api = '/cgi-bin/message/subscribe/send';
    let answer: RawAnswer;
    try {
      answer = await this.call(api, {
        touser: msg.toOpenid,
        template_id: msg.templateId,
        ...(msg.page ? { page: msg.page } : {}),
        data: Object.fromEntries(Object.entries(msg.data).map(([k, value]) => [k, { value }])),
        miniprogram_state: msg.state ?? MINIPROGRAM_STATE[this.settings.envVersion],
        lang: 'zh_CN',
      });
    } catch (e) {
      // No answer, or no token: said as a result so the outbox decides (a transport failure may
      // have delivered the message; WeChat has no idempotency key, so the retry may duplicate it).
      if (isWechatApiError(e)) return { ok: false, errcode: e.errcode, errmsg: e.errmsg, retryable: e.retryable, refused: false };
      throw e;
    }
    let j: Record<string, unknown>;
    try {
      j = jsonOf(api, answer);
    } catch {
      return { ok: false, errcode: 0, errmsg: `HTTP ${answer.status} without a JSON answer`, retryable: true, refused: false };
    }
    const errcode = typeof j.errcode === 'number' ? j.errcode : 0;
    if (errcode === 0) return { ok: true };
    return { ok: false, errcode, errmsg: String(j.errmsg ?? '').slice(0, 300), retryable: RETRYABLE_ERRCODES.has(errcode), refused: errcode === 43101 };
  }
}

/** The errcode of a JSON answer, or null for an image or unreadable body. */
const errcodeOf = (a: RawAnswer): number | null => {
  if (isPng(a.body) || isJpeg(a.body)) return null;
  try {
    const v = JSON.parse(a.body.toString('utf8')) as { errcode?: unknown };
    return typeof v.errcode === 'number' ? v.errcode : null;
  } catch {
    return null;
  }
};
