/**
 * The local Wechat port (the default provider): nothing leaves the machine.
 * - miniProgramCode draws a real QR code PNG (the `qrcode` package) encoding what the mini-program
 *   page would receive, `<page>?scene=<scene>` (shared/ports/wechat-protocol.ts localCodeContent),
 *   so a test or a phone's scanner reads back the same page and scene; it refuses what WeChat
 *   refuses (a scene over 32 characters or outside its alphabet, a page with '/' first or a query).
 * - urlLink stores the link (collection url_links) and answers an address on the emulator,
 *   `<baseUrl>/_emulator/urllink/<id>`, which the emulator resolves with resolveLocalUrlLink.
 * - sendSubscribeMessage checks the data as WeChat does and writes it to subscribe_outbox (the
 *   emulator shows it like the SMS outbox); a template id not configured is refused like 40037.
 * May import ports, the store's collection names, shared/messages' pure helpers and the WeChat
 * adapter's error type; never shared/runtime.
 */
import QRCode from 'qrcode';
import type { Clock } from '../../ports/clock';
import type { Ids } from '../../ports/ids';
import type { Store } from '../../ports/store';
import {
  URL_LINK_MAX_DAYS,
  URL_LINK_QUERY_RE,
  WXACODE_SCENE_RE,
  type MiniProgramCode,
  type MiniProgramCodeRequest,
  type SubscribeMessage,
  type SubscribeResult,
  type UrlLink,
  type UrlLinkRequest,
  type Wechat,
} from '../../ports/wechat';
import { checkSubscribeData, localCodeContent, localUrlLinkUrl, type LocalUrlLinkDoc } from '../../ports/wechat-protocol';
import { collectionName } from '../../store/collections';
import { apiError } from '../wechat/errors';

export class LocalWechat implements Wechat {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
    /** The emulator's address, known once it listens (http://127.0.0.1:<port>). */
    private readonly baseUrl: () => string,
    /** Subscribe template ids that exist (config); null = any. */
    private readonly templateIds: ReadonlySet<string> | null = null,
  ) {}

  async miniProgramCode(req: MiniProgramCodeRequest): Promise<MiniProgramCode> {
    const api = '/wxa/getwxacodeunlimit';
    if (!WXACODE_SCENE_RE.test(req.scene)) throw apiError(api, 40169, 'invalid length for scene, or the data is not json string');
    if (req.page.startsWith('/') || req.page.includes('?')) throw apiError(api, 41030, 'invalid page');
    const width = req.width ?? 430;
    if (width < 280 || width > 1280) throw apiError(api, 40097, 'invalid args');
    const bytes = await QRCode.toBuffer(localCodeContent(req.page, req.scene), { type: 'png', width, margin: 2, errorCorrectionLevel: 'M' });
    return { contentType: 'image/png', bytes };
  }

  async urlLink(req: UrlLinkRequest): Promise<UrlLink> {
    const api = '/wxa/generate_urllink';
    const now = this.clock.now();
    if (req.expiresAt.getTime() <= now.getTime()) throw new RangeError('a URL Link must expire in the future');
    if (req.path.startsWith('/') || req.path.includes('?')) throw apiError(api, 40165, 'invalid weapp pagepath');
    if (!URL_LINK_QUERY_RE.test(req.query)) throw apiError(api, 40212, 'invalid query');
    // As WeChat: whole seconds, at most 30 days.
    const expiresAt = new Date(Math.floor(Math.min(req.expiresAt.getTime(), now.getTime() + URL_LINK_MAX_DAYS * 86_400_000) / 1000) * 1000);
    const id = this.ids.token(12);
    const doc: LocalUrlLinkDoc = { _id: id, path: req.path, query: req.query, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
    await this.store.insert(collectionName('urlLinks'), doc);
    return { url: localUrlLinkUrl(this.baseUrl(), id), expiresAt };
  }

  async sendSubscribeMessage(msg: SubscribeMessage): Promise<SubscribeResult> {
    if (this.templateIds && !this.templateIds.has(msg.templateId)) return { ok: false, errcode: 40037, errmsg: 'invalid template id', retryable: false, refused: false };
    const problems = checkSubscribeData(msg.data);
    if (problems.length) return { ok: false, errcode: 47003, errmsg: `argument invalid! ${problems[0]}`, retryable: false, refused: false };
    await this.store.insert(collectionName('subscribeOutbox'), {
      _id: this.ids.id('subm'),
      toOpenid: msg.toOpenid,
      templateId: msg.templateId,
      page: msg.page ?? null,
      data: { ...msg.data },
      createdAt: this.clock.now().toISOString(),
    });
    return { ok: true };
  }
}
