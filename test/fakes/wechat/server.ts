/**
 * A local server speaking the WeChat mini-program server APIs the backend calls, for the
 * production adapter's tests (shared/adapters/wechat/). Written from WeChat's API pages, not from
 * the adapter, and checking what WeChat checks:
 *
 * - POST /cgi-bin/stable_token {grant_type:'client_credential', appid, secret, force_refresh}
 *   → {access_token, expires_in}; the normal mode answers the current token while it is valid,
 *   force_refresh makes a new one and kills the old. 40013 wrong appid, 40125 wrong secret.
 * - Every other endpoint takes ?access_token= and answers 40001 for anything but a live token.
 * - POST /wxa/getwxacodeunlimit {scene, page, check_path, env_version, width} → a real PNG (a QR
 *   code of `fakewxa://<page>?scene=<scene>`: the real 小程序码 is a proprietary round code), or
 *   JSON 40169 (scene over 32 or outside !#$&'()*+,/:;=?@-._~ and alphanumerics), 41030 (page
 *   unknown with check_path, or with '/' first or a query), 40097 (width outside 280–1280).
 * - POST /wxa/generate_urllink {path, query, expire_type, expire_time|expire_interval, env_version}
 *   → {errcode:0, errmsg:'ok', url_link:'https://wxaurl.cn/<ticket>'}; 40165 bad path, 40212 bad
 *   query, 85401 expire time missing, past or more than 30 days away; `links` keeps what each resolves to.
 * - POST /cgi-bin/message/subscribe/send {touser, template_id, page, data:{key:{value}}, miniprogram_state, lang}
 *   → {errcode:0}; 40003 unknown openid, 40037 unknown template, 47003 a value breaking its
 *   kind's rule (its own checks, below) or a key the template does not have, 41030 bad page,
 *   43101 no subscription left (`grant` gives one, each send spends one).
 * Tests can make the next call of an endpoint fail with any errcode (`failNext`), revoke the
 * live token as another instance's force_refresh would (`revokeToken`), and count calls.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import QRCode from 'qrcode';
import { listen, readBody, sendJson, type Listening } from '../http';

export interface FakeTemplate {
  /** Field key → kind, as the MP console shows for the picked library template. */
  fields: Record<string, string>;
}

export interface SentSubscribe {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, string>;
  state: string;
}

const SCENE_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;
const QUERY_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~%]{0,1024}$/;

/** WeChat's value rules (订阅消息参数值内容限制说明), written here independently of shared/messages. */
const HAN = /[\u4E00-\u9FFF]/;
const VALUE_RULES: Record<string, (v: string) => boolean> = {
  thing: (v) => [...v].length >= 1 && [...v].length <= 20 && !/[\n\r]/.test(v),
  phrase: (v) => /^[\u4E00-\u9FFF]{1,5}$/.test(v),
  name: (v) => (HAN.test(v) ? [...v].length <= 10 : v.length <= 20) && v.length > 0 && !/\d/.test(v),
  time: (v) => /^(\d{4}年\d{1,2}月\d{1,2}日 |\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$/.test(v),
  date: (v) => /^(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})( \d{2}:\d{2})?$/.test(v),
  amount: (v) => /^[¥$]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
  character_string: (v) => /^[\x21-\x7E]{1,32}$/.test(v),
  number: (v) => /^\d{1,32}(\.\d+)?$/.test(v),
};

export class WechatFake {
  readonly calls: Record<string, number> = {};
  readonly sent: SentSubscribe[] = [];
  /** ticket → what the URL Link opens. */
  readonly links = new Map<string, { path: string; query: string; expireTime: number; envVersion: string }>();
  /** The last scene/page drawn as a code. */
  readonly codes: Array<{ scene: string; page: string; width: number; envVersion: string }> = [];
  private token: { value: string; expiresAt: number } | null = null;
  private readonly credits = new Map<string, number>();
  private readonly failing = new Map<string, Array<{ errcode: number; errmsg: string }>>();
  private server: Listening | null = null;

  constructor(
    readonly appId: string,
    private readonly secret: string,
    /** Published pages (check_path / subscribe page). */
    private readonly pages: ReadonlySet<string>,
    private readonly templates: ReadonlyMap<string, FakeTemplate>,
    private readonly openids: ReadonlySet<string>,
    /** Seconds a token lives (WeChat: 7200). */
    private readonly tokenSeconds = 7200,
  ) {}

  get url(): string {
    if (!this.server) throw new Error('not started');
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await listen(http.createServer((req, res) => void this.handle(req, res)));
    return this;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }

  /** The user accepted `templateId` once (wx.requestSubscribeMessage → 'accept'). */
  grant(openid: string, templateId: string, n = 1): void {
    this.credits.set(`${openid} ${templateId}`, (this.credits.get(`${openid} ${templateId}`) ?? 0) + n);
  }

  creditsOf(openid: string, templateId: string): number {
    return this.credits.get(`${openid} ${templateId}`) ?? 0;
  }

  failNext(path: string, errcode: number, errmsg = 'fake failure'): void {
    this.failing.set(path, [...(this.failing.get(path) ?? []), { errcode, errmsg }]);
  }

  /** Someone else force-refreshed: the token every instance holds is dead. */
  revokeToken(): void {
    this.token = null;
  }

  get liveToken(): string | null {
    return this.token && this.token.expiresAt > Date.now() ? this.token.value : null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname;
    this.calls[path] = (this.calls[path] ?? 0) + 1;
    if (req.method !== 'POST') return sendJson(res, 405, { errcode: 43002, errmsg: 'require POST method' });
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse((await readBody(req)).toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    }
    const queued = this.failing.get(path);
    if (path !== '/cgi-bin/stable_token' && queued?.length) {
      const f = queued.shift()!;
      return sendJson(res, 200, f);
    }
    if (path === '/cgi-bin/stable_token') return sendJson(res, 200, this.stableToken(body));
    if (u.searchParams.get('access_token') !== this.liveToken || this.liveToken === null) return sendJson(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    switch (path) {
      case '/wxa/getwxacodeunlimit':
        return this.code(body, res);
      case '/wxa/generate_urllink':
        return sendJson(res, 200, this.urlLink(body));
      case '/cgi-bin/message/subscribe/send':
        return sendJson(res, 200, this.subscribe(body));
      default:
        return sendJson(res, 404, { errcode: 404, errmsg: 'unknown api' });
    }
  }

  private stableToken(b: Record<string, unknown>): Record<string, unknown> {
    if (b.grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
    if (b.appid !== this.appId) return { errcode: 40013, errmsg: 'invalid appid' };
    if (b.secret !== this.secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    const now = Date.now();
    if (b.force_refresh === true || !this.token || this.token.expiresAt <= now) {
      this.token = { value: `fake_${randomBytes(24).toString('base64url')}`, expiresAt: now + this.tokenSeconds * 1000 };
    }
    return { access_token: this.token.value, expires_in: Math.round((this.token.expiresAt - now) / 1000) };
  }

  private async code(b: Record<string, unknown>, res: http.ServerResponse): Promise<void> {
    const scene = b.scene;
    const page = b.page ?? '';
    const width = b.width ?? 430;
    if (typeof scene !== 'string' || !SCENE_RE.test(scene)) return sendJson(res, 200, { errcode: 40169, errmsg: 'invalid length for scene, or the data is not json string' });
    if (typeof page !== 'string' || page.startsWith('/') || page.includes('?') || (b.check_path !== false && page !== '' && !this.pages.has(page))) return sendJson(res, 200, { errcode: 41030, errmsg: 'invalid page' });
    if (typeof width !== 'number' || width < 280 || width > 1280) return sendJson(res, 200, { errcode: 40097, errmsg: 'invalid args' });
    const envVersion = String(b.env_version ?? 'release');
    this.codes.push({ scene, page, width, envVersion });
    const png = await QRCode.toBuffer(`fakewxa://${page}?scene=${encodeURIComponent(scene)}`, { type: 'png', width, margin: 2 });
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    res.end(png);
  }

  private urlLink(b: Record<string, unknown>): Record<string, unknown> {
    const path = b.path ?? '';
    const query = b.query ?? '';
    if (typeof path !== 'string' || path.startsWith('/') || path.includes('?') || (path !== '' && !this.pages.has(path))) return { errcode: 40165, errmsg: 'invalid weapp pagepath' };
    if (typeof query !== 'string' || !QUERY_RE.test(query)) return { errcode: 40212, errmsg: 'invalid query' };
    const now = Math.floor(Date.now() / 1000);
    let expireTime: number;
    if ((b.expire_type ?? 0) === 0) {
      if (typeof b.expire_time !== 'number' || b.expire_time <= now || b.expire_time > now + 30 * 86400 + 60) return { errcode: 85401, errmsg: 'time limit between 1min and 30 days' };
      expireTime = b.expire_time;
    } else if (b.expire_type === 1) {
      if (typeof b.expire_interval !== 'number' || b.expire_interval < 1 || b.expire_interval > 30) return { errcode: 85401, errmsg: 'time limit between 1min and 30 days' };
      expireTime = now + b.expire_interval * 86400;
    } else return { errcode: 40097, errmsg: 'invalid args' };
    const ticket = randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 11);
    this.links.set(ticket, { path, query, expireTime, envVersion: String(b.env_version ?? 'release') });
    return { errcode: 0, errmsg: 'ok', url_link: `https://wxaurl.cn/${ticket}` };
  }

  private subscribe(b: Record<string, unknown>): Record<string, unknown> {
    const touser = String(b.touser ?? '');
    if (!this.openids.has(touser)) return { errcode: 40003, errmsg: 'invalid openid' };
    const templateId = String(b.template_id ?? '');
    const template = this.templates.get(templateId);
    if (!template) return { errcode: 40037, errmsg: 'invalid template id' };
    const page = b.page === undefined ? null : String(b.page);
    if (page !== null && !this.pages.has(page.split('?')[0]!)) return { errcode: 41030, errmsg: 'invalid page' };
    const data = b.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return { errcode: 47003, errmsg: 'argument invalid! data is empty' };
    const flat: Record<string, string> = {};
    for (const [key, kind] of Object.entries(template.fields)) {
      const v = (data as Record<string, { value?: unknown }>)[key]?.value;
      if (typeof v !== 'string' || v === '') return { errcode: 47003, errmsg: `argument invalid! data.${key}.value is empty` };
      const ok = VALUE_RULES[kind];
      if (!ok || !ok(v)) return { errcode: 47003, errmsg: `argument invalid! data.${key}.value invalid` };
      flat[key] = v;
    }
    const state = String(b.miniprogram_state ?? 'formal');
    if (!['developer', 'trial', 'formal'].includes(state)) return { errcode: 40097, errmsg: 'invalid args' };
    const credit = this.creditsOf(touser, templateId);
    if (credit <= 0) return { errcode: 43101, errmsg: 'user refuse to accept the msg' };
    this.credits.set(`${touser} ${templateId}`, credit - 1);
    this.sent.push({ touser, templateId, page, data: flat, state });
    return { errcode: 0, errmsg: 'ok' };
  }
}
