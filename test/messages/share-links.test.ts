/**
 * P3 share links: a 128-bit token that fits the 小程序码's 32-character scene; the local WeChat
 * adapter's QR code PNG decodes — with jsQR and with zbarimg — to the share page and that scene;
 * its URL Links resolve to the share page with the token until they expire.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { FixedClock } from '../../shared/adapters/local/clock';
import { RandomIds } from '../../shared/adapters/local/ids';
import { LocalWechat } from '../../shared/adapters/local/local-wechat';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { WechatApiError } from '../../shared/adapters/wechat';
import {
  SHARE_PAGE,
  isShareToken,
  localCodeContent,
  localUrlLinkId,
  newShareToken,
  parseLocalCodeContent,
  resolveLocalUrlLink,
  shareScene,
  shareUrlLinkRequest,
  tokenFromShareQuery,
  type LocalUrlLinkDoc,
} from '../../shared/messages/share-links';
import { WXACODE_SCENE_RE } from '../../shared/ports/wechat';
import type { Store } from '../../shared/ports/store';
import { collectionName } from '../../shared/store/collections';

const T0 = new Date('2026-11-29T02:00:00.000Z');
let dir: string;
let store: Store;
const clock = new FixedClock(T0);
let wx: LocalWechat;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esign-share-'));
  store = openSqliteStore(path.join(dir, 'db.sqlite'));
  wx = new LocalWechat(store, clock, new RandomIds(), () => 'http://127.0.0.1:8787');
});
afterAll(() => store.close());

const jsqrDecode = (bytes: Buffer): string | null => {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
};
const zbarDecode = (bytes: Buffer): string => {
  const file = path.join(dir, `code-${randomBytes(4).toString('hex')}.png`);
  fs.writeFileSync(file, bytes);
  return execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' }).replace(/\n$/, '');
};

describe('P3 share token', () => {
  it('is 128 random bits as 22 base64url characters, the bare scene of a 小程序码', () => {
    const t = newShareToken(randomBytes);
    expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(t, 'base64url')).toHaveLength(16);
    expect(shareScene(t)).toBe(t);
    expect(WXACODE_SCENE_RE.test(t)).toBe(true);
  });

  it('property: every token fits the scene alphabet and 32 characters, and round-trips through the page query', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const t = newShareToken(() => Buffer.from(bytes));
        expect(t.length).toBeLessThanOrEqual(32);
        expect(WXACODE_SCENE_RE.test(shareScene(t))).toBe(true);
        expect(tokenFromShareQuery(encodeURIComponent(t))).toBe(t);
        expect(tokenFromShareQuery(t)).toBe(t);
        expect(parseLocalCodeContent(localCodeContent(SHARE_PAGE, t))).toEqual({ page: SHARE_PAGE, scene: t });
      }),
    );
  });

  it('the legacy 24-character tokens stay valid; anything else is not a token', () => {
    expect(isShareToken(randomBytes(18).toString('base64url'))).toBe(true);
    for (const bad of ['', 'short', 'x'.repeat(23), 'a%2Fb'.padEnd(22, 'c'), '借'.repeat(22), 42, null]) expect(isShareToken(bad)).toBe(false);
    expect(tokenFromShareQuery('%E0%A4%A')).toBeNull(); // broken URI encoding
    expect(() => newShareToken(() => Buffer.alloc(8))).toThrow(RangeError);
  });

  it('the URL Link request opens the share page with the token and expires with the contract, at most 30 days', () => {
    const t = newShareToken(randomBytes);
    const soon = new Date(T0.getTime() + 10 * 86_400_000);
    expect(shareUrlLinkRequest(t, soon, T0)).toEqual({ path: SHARE_PAGE, query: `token=${t}`, expiresAt: soon });
    expect(shareUrlLinkRequest(t, new Date(T0.getTime() + 90 * 86_400_000), T0).expiresAt).toEqual(new Date(T0.getTime() + 30 * 86_400_000));
  });
});

describe('local 小程序码: a real QR code PNG with the same page and scene', () => {
  it('decodes with jsQR and with zbarimg to the share page and the token, which share-open accepts', async () => {
    const token = newShareToken(randomBytes);
    const code = await wx.miniProgramCode({ scene: shareScene(token), page: SHARE_PAGE });
    expect(code.contentType).toBe('image/png');
    expect(code.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const expected = `${SHARE_PAGE}?scene=${token}`;
    expect(jsqrDecode(code.bytes)).toBe(expected);
    expect(zbarDecode(code.bytes)).toBe(expected);
    const read = parseLocalCodeContent(zbarDecode(code.bytes));
    expect(read).toEqual({ page: SHARE_PAGE, scene: token });
    expect(tokenFromShareQuery(read!.scene)).toBe(token);
  });

  it('refuses what WeChat refuses, as WeChat would', async () => {
    const err = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as WechatApiError);
    expect((await err(wx.miniProgramCode({ scene: 'x'.repeat(33), page: SHARE_PAGE })))?.details).toMatchObject({ errcode: 40169 });
    expect((await err(wx.miniProgramCode({ scene: 'abc', page: '/pages/share/index' })))?.details).toMatchObject({ errcode: 41030 });
  });
});

describe('local URL Links: resolve to the share page until they expire', () => {
  it('is stored, served at /_emulator/urllink/<id>, and resolves to path + query', async () => {
    const token = newShareToken(randomBytes);
    const link = await wx.urlLink(shareUrlLinkRequest(token, new Date(T0.getTime() + 7 * 86_400_000), clock.now()));
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/_emulator\/urllink\/[A-Za-z0-9_-]{16}$/);
    expect(link.expiresAt).toEqual(new Date(T0.getTime() + 7 * 86_400_000));
    const id = localUrlLinkId(link.url)!;
    const doc = await store.get<LocalUrlLinkDoc>(collectionName('urlLinks'), id);
    expect(resolveLocalUrlLink(doc, clock.now())).toEqual({ ok: true, path: SHARE_PAGE, query: `token=${token}`, target: `${SHARE_PAGE}?token=${token}` });
    expect(tokenFromShareQuery(new URLSearchParams(doc!.query).get('token'))).toBe(token);
    // The moment it expires it leads nowhere; an unknown id neither.
    expect(resolveLocalUrlLink(doc, new Date(T0.getTime() + 7 * 86_400_000))).toEqual({ ok: false, reason: 'expired' });
    expect(resolveLocalUrlLink(null, clock.now())).toEqual({ ok: false, reason: 'unknown' });
    expect(localUrlLinkId('http://127.0.0.1:8787/_emulator/urllink/../../etc')).toBeNull();
  });

  it('a query WeChat would refuse is refused locally too', async () => {
    await expect(wx.urlLink({ path: SHARE_PAGE, query: 'token=借条', expiresAt: new Date(T0.getTime() + 3600_000) })).rejects.toMatchObject({ details: { errcode: 40212 } });
  });
});
