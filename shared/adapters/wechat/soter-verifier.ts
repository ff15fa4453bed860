/**
 * The production SOTER adapter: WeChat's server API
 *
 *   POST https://api.weixin.qq.com/cgi-bin/soter/verify_signature?access_token=ACCESS_TOKEN
 *   body {"openid", "json_string", "json_signature"} → {"errcode":0,"errmsg":"ok","is_ok":true|false}
 *
 * (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/soter/verifySignature.html). The
 * access token comes from an AccessTokenSource (cached elsewhere, never fetched per call here).
 * `is_ok:false` is a definite "not this user's phone"; any errcode ≠ 0 (40001 invalid credential,
 * 42001 token expired, 47001 bad body, -1 system busy…) or a transport failure is PROVIDER_ERROR
 * with the WeChat code in details. `baseUrl` points it at a local server in tests.
 */
import { AppError } from '../../errors';
import type { AccessTokenSource, SoterSignatureInput, SoterVerifier } from '../../ports/soter';
import { TOKEN_ERRCODES } from './errors';

export interface WechatSoterOptions {
  /** Default https://api.weixin.qq.com. */
  baseUrl?: string;
  /** Default 5 s: the user is waiting at the signing step. */
  timeoutMs?: number;
}

const failure = (providerCode: string): AppError => new AppError('PROVIDER_ERROR', undefined, { provider: 'wechat-soter', providerCode });

export class WechatSoterVerifier implements SoterVerifier {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly tokens: AccessTokenSource, options: WechatSoterOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async verifySignature(input: SoterSignatureInput): Promise<boolean> {
    // A refused token (expired, or replaced by another instance) is dropped and the call made once
    // more with a fresh one, as the other WeChat APIs do (client.ts).
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.token();
      try {
        return await this.verifyWith(token, input);
      } catch (e) {
        const code = Number((e as AppError).details?.providerCode);
        if (attempt > 0 || !TOKEN_ERRCODES.has(code) || !this.tokens.invalidate) throw e;
        this.tokens.invalidate(token);
      }
    }
  }

  private async verifyWith(token: string, input: SoterSignatureInput): Promise<boolean> {
    const url = `${this.baseUrl}/cgi-bin/soter/verify_signature?access_token=${encodeURIComponent(token)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ openid: input.openid, json_string: input.jsonString, json_signature: input.jsonSignature }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw failure((e as Error).name === 'TimeoutError' ? 'timeout' : 'network');
    }
    if (!res.ok) throw failure(`http_${res.status}`);
    let body: { errcode?: unknown; is_ok?: unknown };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw failure('bad_json');
    }
    // WeChat omits errcode on success in some answers ({"is_ok":true}); a present non-zero one is an error.
    if (body.errcode !== undefined && body.errcode !== 0) throw failure(String(body.errcode));
    if (typeof body.is_ok !== 'boolean') throw failure('no_is_ok');
    return body.is_ok;
  }
}
