/**
 * The mini-program's access token from the stable token API
 * (https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html):
 * POST /cgi-bin/stable_token {grant_type:'client_credential', appid, secret, force_refresh:false}
 * → {access_token, expires_in}. In the normal mode WeChat answers the same token while it is
 * valid and switches to a new one in its last 5 minutes (both valid meanwhile; expires_in ≥ 300),
 * so every instance asking independently is safe — but the API is limited (10 000/min, 500 000
 * per day), so a token is fetched once and kept until shortly before it expires, and concurrent
 * callers share the one fetch in flight. Never per call.
 *
 * force_refresh is never used: it invalidates the token every other instance holds, and is
 * limited to 20 a day. A token WeChat refuses (40001…) is dropped with `invalidate`, and the next
 * `get` asks again in the normal mode, which answers the current token.
 *
 * The AppSecret is read through `secret()` (from SSM in the cloud, never an env var) when a
 * token is needed, not at construction.
 */
import type { Clock } from '../../ports/clock';
import { apiError, transportError } from './errors';
import { jsonOf, type PostJson } from './http';

export interface AccessTokenSettings {
  baseUrl: string;
  appId: string;
  secret: () => Promise<string>;
  timeoutMs: number;
}

/** Refresh this long before the token's end (WeChat's own hand-over window is 5 minutes). */
const EARLY_MS = 300_000;

export class StableAccessToken {
  private cached: { token: string; refreshAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** How many times the token API was called (tests, metrics). */
  fetches = 0;

  constructor(
    private readonly settings: AccessTokenSettings,
    private readonly post: PostJson,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.cached && now < this.cached.refreshAt) return this.cached.token;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Drops `token` if it is the cached one (a refused token; a newer one is kept). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async fetch(): Promise<string> {
    this.fetches++;
    const api = '/cgi-bin/stable_token';
    const secret = await this.settings.secret();
    const answer = await this.post(`${this.settings.baseUrl}${api}`, { grant_type: 'client_credential', appid: this.settings.appId, secret, force_refresh: false }, this.settings.timeoutMs);
    const j = jsonOf(api, answer);
    if (typeof j.errcode === 'number' && j.errcode !== 0) throw apiError(api, j.errcode, String(j.errmsg ?? ''));
    const token = j.access_token;
    const expiresIn = j.expires_in;
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) throw transportError(api, 'answer without access_token/expires_in');
    const fetchedAt = this.clock.now().getTime();
    // Keep it until EARLY_MS before the end, but at least half its life (expires_in can be as short as 300 s).
    const keepMs = Math.max(expiresIn * 1000 - EARLY_MS, (expiresIn * 1000) / 2);
    this.cached = { token, refreshAt: fetchedAt + keepMs };
    return token;
  }
}
