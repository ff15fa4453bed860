/**
 * Share links (P3): the share token, how it rides in a 小程序码's scene and in a URL Link's query,
 * and the emulator's own URL Links. Pure (the caller passes random bytes and the time); imports
 * the Wechat port's constants only.
 *
 * Token design. A share token is the only thing a stranger needs to reach a contract's share page
 * (where share-open decides whether they may take the free place), so it is unguessable: 128
 * random bits. wxacode.getUnlimited's scene holds at most 32 characters of
 * [0-9A-Za-z!#$&'()*+,/:;=?@-._~] — no '%', so nothing may need URL-encoding — and base64url's
 * alphabet [A-Za-z0-9-_] is inside it: 16 bytes → 22 characters, the scene is the bare token
 * (10 characters to spare). The same token goes in the URL Link's query as `token=<token>`.
 * Tokens made before this design were 18 bytes (24 characters); they fit too and stay valid.
 *
 * The mini-program's share page reads `decodeURIComponent(query.scene)` when opened from the code
 * and `query.token` when opened from a URL Link or a share card; both are passed to share-open.
 */
import { URL_LINK_MAX_DAYS, URL_LINK_QUERY_RE, WXACODE_SCENE_RE, type UrlLinkRequest } from '../ports/wechat';

/** The mini-program page that opens a shared contract. */
export const SHARE_PAGE = 'pages/share/index';

export const SHARE_TOKEN_BYTES = 16;
/** New tokens are 22 characters; the legacy 24-character ones are still accepted. */
const SHARE_TOKEN_RE = /^[A-Za-z0-9_-]{22}$|^[A-Za-z0-9_-]{24}$/;

/** A new share token from `SHARE_TOKEN_BYTES` random bytes (node:crypto randomBytes in the caller). */
export const newShareToken = (random: (bytes: number) => Buffer): string => {
  const b = random(SHARE_TOKEN_BYTES);
  if (b.length !== SHARE_TOKEN_BYTES) throw new RangeError(`a share token needs ${SHARE_TOKEN_BYTES} random bytes`);
  return b.toString('base64url');
};

export const isShareToken = (s: unknown): s is string => typeof s === 'string' && SHARE_TOKEN_RE.test(s);

/** The 小程序码's scene for a token: the token itself (checked to fit). */
export const shareScene = (token: string): string => {
  if (!isShareToken(token) || !WXACODE_SCENE_RE.test(token)) throw new RangeError('not a share token');
  return token;
};

/**
 * The token in what the share page received as `scene` or `token` (possibly still
 * URI-encoded, as WeChat hands the scene over), or null when it is not one.
 */
export const tokenFromShareQuery = (raw: unknown): string | null => {
  if (typeof raw !== 'string') return null;
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return isShareToken(s) ? s : null;
};

/**
 * The URL Link for a share token: the share page with `token=…`, expiring with the contract
 * (capped at WeChat's 30 days; contract-share makes a new one when asked after that).
 */
export const shareUrlLinkRequest = (token: string, contractExpiresAt: Date, now: Date): UrlLinkRequest => {
  const query = `token=${shareScene(token)}`;
  if (!URL_LINK_QUERY_RE.test(query)) throw new RangeError('query not allowed in a URL Link');
  return { path: SHARE_PAGE, query, expiresAt: new Date(Math.min(contractExpiresAt.getTime(), now.getTime() + URL_LINK_MAX_DAYS * 86_400_000)) };
};

export { localCodeContent, parseLocalCodeContent, localUrlLinkUrl, localUrlLinkId, type LocalUrlLinkDoc } from '../ports/wechat-protocol';
import type { LocalUrlLinkDoc } from '../ports/wechat-protocol';

/**
 * Where a local URL Link leads now, as a real one would: the page and query, or why not (an
 * unknown id, or past its expiry — WeChat's H5 page then says the link has expired).
 */
export const resolveLocalUrlLink = (doc: LocalUrlLinkDoc | null, now: Date): { ok: true; path: string; query: string; target: string } | { ok: false; reason: 'unknown' | 'expired' } => {
  if (!doc) return { ok: false, reason: 'unknown' };
  if (Date.parse(doc.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, path: doc.path, query: doc.query, target: doc.query ? `${doc.path}?${doc.query}` : doc.path };
};
