/**
 * The production WeChat adapter (shared/adapters/wechat/) against a local server speaking the
 * mini-program server APIs (test/fakes/wechat): the stable access token fetched once, cached and
 * shared by concurrent callers; a refused token refreshed once; errcodes as PROVIDER_ERROR with
 * a retryable flag; 小程序码 bytes; URL Links capped at 30 days; subscription messages (P3, M1, N1).
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { FixedClock } from '../../shared/adapters/local/clock';
import { WechatApi, WechatApiError, type WechatSettings } from '../../shared/adapters/wechat';
import { AppError } from '../../shared/errors';
import { WechatFake } from '../fakes/wechat/server';

const APPID = 'wx0123456789abcdef';
const SECRET = 'fake-app-secret-0123456789abcdef';
const OPENID = 'oUser_abcdefghijklmnopqrstu';
const TEMPLATE = 'TPL_sign_todo_xxxxxxxxxxxxxxxxxxxxxxxxxxx';

let fake: WechatFake;
beforeAll(async () => {
  fake = await new WechatFake(
    APPID,
    SECRET,
    new Set(['pages/share/index', 'pages/contract/index']),
    new Map([[TEMPLATE, { fields: { thing1: 'thing', name2: 'name', thing3: 'thing', time4: 'time' } }]]),
    new Set([OPENID]),
  ).start();
});
afterAll(() => fake.close());

const T0 = new Date();
const settings = (over: Partial<WechatSettings> = {}): WechatSettings => ({ baseUrl: fake.url, appId: APPID, secret: async () => SECRET, timeoutMs: 5000, envVersion: 'release', ...over });
const make = (over: Partial<WechatSettings> = {}, clock = new FixedClock(T0)) => ({ wx: new WechatApi(settings(over), clock), clock });

const providerError = async (p: Promise<unknown>): Promise<WechatApiError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof WechatApiError) return e;
    throw e;
  }
  throw new Error('expected a WechatApiError');
};

const decodePng = (bytes: Buffer): string | null => {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
};

describe('stable access token', () => {
  it('is fetched once and reused, and one fetch serves concurrent callers', async () => {
    const { wx } = make();
    const before = fake.calls['/cgi-bin/stable_token'] ?? 0;
    await Promise.all(Array.from({ length: 10 }, () => wx.urlLink({ path: 'pages/share/index', query: 'token=a', expiresAt: new Date(Date.now() + 86_400_000) })));
    await wx.urlLink({ path: 'pages/share/index', query: 'token=b', expiresAt: new Date(Date.now() + 86_400_000) });
    expect(wx.tokens.fetches).toBe(1);
    expect((fake.calls['/cgi-bin/stable_token'] ?? 0) - before).toBe(1);
  });

  it('is asked for again shortly before it expires — not after, and not per call', async () => {
    const { wx, clock } = make();
    await wx.tokens.get();
    clock.advance((7200 - 301) * 1000);
    await wx.tokens.get();
    expect(wx.tokens.fetches).toBe(1);
    clock.advance(2000); // inside the last 5 minutes
    await wx.tokens.get();
    expect(wx.tokens.fetches).toBe(2);
  });

  it('a token WeChat refuses (40001, another instance force-refreshed) is refreshed once and the call retried', async () => {
    const { wx } = make();
    await wx.tokens.get();
    fake.revokeToken();
    const link = await wx.urlLink({ path: 'pages/share/index', query: 'token=c', expiresAt: new Date(Date.now() + 3600_000) });
    expect(link.url).toMatch(/^https:\/\/wxaurl\.cn\/[A-Za-z0-9]+$/);
    expect(wx.tokens.fetches).toBe(2);
  });

  it('refused twice: PROVIDER_ERROR 40001, not retryable, and only one refresh', async () => {
    const { wx } = make();
    await wx.tokens.get();
    fake.failNext('/wxa/generate_urllink', 40001, 'invalid credential');
    fake.failNext('/wxa/generate_urllink', 40001, 'invalid credential');
    const e = await providerError(wx.urlLink({ path: 'pages/share/index', query: 'token=d', expiresAt: new Date(Date.now() + 3600_000) }));
    expect([e.code, e.details]).toEqual(['PROVIDER_ERROR', { provider: 'wechat', api: '/wxa/generate_urllink', errcode: 40001, retryable: false }]);
    expect(wx.tokens.fetches).toBe(2);
  });

  it('a wrong AppSecret is PROVIDER_ERROR 40125 and the secret is not in the error', async () => {
    const { wx } = make({ secret: async () => 'wrong-secret' });
    const e = await providerError(wx.miniProgramCode({ scene: 'abc', page: 'pages/share/index' }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.details).toMatchObject({ errcode: 40125, retryable: false });
    expect(JSON.stringify({ m: e.message, d: e.details, x: e.errmsg })).not.toContain('wrong-secret');
  });
});

describe('wxacode.getUnlimited (小程序码)', () => {
  it('answers the image bytes for scene and page, with the build and width asked for', async () => {
    const { wx } = make({ envVersion: 'trial' });
    const scene = 'Ab3_-x9QwErTyUiOpAsDfG';
    const code = await wx.miniProgramCode({ scene, page: 'pages/share/index', width: 430 });
    expect(code.contentType).toBe('image/png');
    expect(code.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(decodePng(code.bytes)).toBe(`fakewxa://pages/share/index?scene=${scene}`);
    expect(fake.codes.at(-1)).toEqual({ scene, page: 'pages/share/index', width: 430, envVersion: 'trial' });
  });

  it.each([
    ['a scene over 32 characters', { scene: 'x'.repeat(33), page: 'pages/share/index' }, 40169],
    ['a scene with % (not allowed)', { scene: 'a%20b', page: 'pages/share/index' }, 40169],
    ['a page that is not published', { scene: 'abc', page: 'pages/nope/index' }, 41030],
    ['a page with a leading slash', { scene: 'abc', page: '/pages/share/index' }, 41030],
  ])('%s is PROVIDER_ERROR with WeChat\'s errcode, not retryable', async (_, req, errcode) => {
    const { wx } = make();
    const e = await providerError(wx.miniProgramCode(req));
    expect(e.details).toMatchObject({ provider: 'wechat', errcode, retryable: false });
  });

  it('a frequency limit (45009) or busy (-1) is retryable', async () => {
    const { wx } = make();
    for (const errcode of [45009, -1]) {
      fake.failNext('/wxa/getwxacodeunlimit', errcode, 'reach max api minute quota');
      const e = await providerError(wx.miniProgramCode({ scene: 'abc', page: 'pages/share/index' }));
      expect(e.details).toMatchObject({ errcode, retryable: true });
    }
  });
});

describe('urllink.generate (URL Link)', () => {
  it('expires at the contract\'s expiry, sent as expire_type 0 + expire_time, and opens path + query', async () => {
    const { wx } = make();
    const expiresAt = new Date(Math.floor((Date.now() + 10 * 86_400_000) / 1000) * 1000);
    const link = await wx.urlLink({ path: 'pages/share/index', query: 'token=Ab3_-x9QwErTyUiOpAsDfG', expiresAt });
    expect(link.expiresAt).toEqual(expiresAt);
    const ticket = link.url.slice('https://wxaurl.cn/'.length);
    expect(fake.links.get(ticket)).toEqual({ path: 'pages/share/index', query: 'token=Ab3_-x9QwErTyUiOpAsDfG', expireTime: expiresAt.getTime() / 1000, envVersion: 'release' });
  });

  it('is capped at 30 days (WeChat refuses longer)', async () => {
    const clock = new FixedClock(new Date());
    const { wx } = make({}, clock);
    const link = await wx.urlLink({ path: 'pages/share/index', query: 'token=x', expiresAt: new Date(Date.now() + 90 * 86_400_000) });
    expect(link.expiresAt.getTime()).toBe(Math.floor((clock.now().getTime() + 30 * 86_400_000) / 1000) * 1000);
  });

  it('a link that would expire in the past is a bug, refused before any call', async () => {
    const { wx, clock } = make();
    const before = fake.calls['/wxa/generate_urllink'] ?? 0;
    await expect(wx.urlLink({ path: 'pages/share/index', query: 'token=x', expiresAt: new Date(clock.now().getTime() - 1000) })).rejects.toThrow(RangeError);
    expect(fake.calls['/wxa/generate_urllink'] ?? 0).toBe(before);
  });

  it('a query WeChat refuses is PROVIDER_ERROR 40212', async () => {
    const { wx } = make();
    const e = await providerError(wx.urlLink({ path: 'pages/share/index', query: 'token=借条', expiresAt: new Date(Date.now() + 3600_000) }));
    expect(e.details).toMatchObject({ errcode: 40212, retryable: false });
  });
});

describe('subscribeMessage.send', () => {
  const msg = { toOpenid: OPENID, templateId: TEMPLATE, page: 'pages/contract/index?id=ct_1', data: { thing1: '房屋租赁合同', name2: '张三', thing3: '请查看并签署', time4: '2026年11月29日 10:05' } };

  it('without an accepted subscription: refused (43101) — the caller sends the SMS', async () => {
    const { wx } = make();
    expect(await wx.sendSubscribeMessage(msg)).toEqual({ ok: false, errcode: 43101, errmsg: 'user refuse to accept the msg', retryable: false, refused: true });
  });

  it('with one: delivered once, with the body shape WeChat reads, and the subscription is spent', async () => {
    const { wx } = make({ envVersion: 'trial' });
    fake.grant(OPENID, TEMPLATE);
    expect(await wx.sendSubscribeMessage(msg)).toEqual({ ok: true });
    expect(fake.sent.at(-1)).toEqual({ touser: OPENID, templateId: TEMPLATE, page: 'pages/contract/index?id=ct_1', data: msg.data, state: 'trial' });
    expect(fake.creditsOf(OPENID, TEMPLATE)).toBe(0);
    expect((await wx.sendSubscribeMessage(msg)).ok).toBe(false);
  });

  it('a value breaking its kind is 47003, not retryable; busy is retryable; neither spends the subscription', async () => {
    const { wx } = make();
    fake.grant(OPENID, TEMPLATE);
    expect(await wx.sendSubscribeMessage({ ...msg, data: { ...msg.data, thing1: '这是一个超过二十个字的合同名称用来测试字段长度限制' } })).toMatchObject({ ok: false, errcode: 47003, retryable: false, refused: false });
    fake.failNext('/cgi-bin/message/subscribe/send', -1, 'system error');
    expect(await wx.sendSubscribeMessage(msg)).toMatchObject({ ok: false, errcode: -1, retryable: true, refused: false });
    expect(fake.creditsOf(OPENID, TEMPLATE)).toBe(1);
    expect(await wx.sendSubscribeMessage(msg)).toEqual({ ok: true });
  });

  it('no token (wrong secret) is a result, not a throw, so the outbox can decide', async () => {
    const { wx } = make({ secret: async () => 'nope' });
    expect(await wx.sendSubscribeMessage(msg)).toMatchObject({ ok: false, errcode: 40125, retryable: false, refused: false });
  });
});
