import { AppError } from '../errors';
import { FINAL_STATES, otherParties, type Contract } from '../domain/contract';
import type { ContractShareInput } from '../generated/schema-types';
import type { Doc } from '../ports/store';
import { requireCaller, type Operation } from '../ports/operation';
import type { Deps } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { SHARE_PAGE, shareScene, shareUrlLinkRequest } from '../messages/share-links';
import { collectionName } from '../store/collections';

const SHARE_LINKS = collectionName('shareLinks');
/** The 小程序码 PNG's download address lives this long; a new one is made on the next call. */
const QR_URL_SECONDS = 3600;
/** A URL Link this close to its end is made anew (WeChat caps one at 30 days; a contract may run longer). */
const RENEW_BEFORE_MS = 86_400_000;

interface ShareLinkDoc extends Doc {
  token: string;
  qrKey: string;
  urlLink: string;
  urlLinkExpiresAt: string;
  createdAt: string;
}

/** The stored share material when it still serves this token, else made anew (one getUnlimited and one generate). */
const material = async (deps: Deps, contract: Contract, expiresAt: Date): Promise<ShareLinkDoc> => {
  const now = deps.clock.now();
  const token = contract.shareToken;
  const known = await deps.store.get<ShareLinkDoc>(SHARE_LINKS, contract._id);
  if (known && known.token === token && Date.parse(known.urlLinkExpiresAt) - now.getTime() > Math.min(RENEW_BEFORE_MS, expiresAt.getTime() - now.getTime() - 1)) return known;
  const code = await deps.wechat.miniProgramCode({ scene: shareScene(token), page: SHARE_PAGE, checkPath: false });
  // The key is made from our own ids, never from caller input.
  const qrKey = `share/${contract._id}/${token}.${code.contentType === 'image/png' ? 'png' : 'jpg'}`;
  await deps.files.put(qrKey, code.bytes, code.contentType);
  const link = await deps.wechat.urlLink(shareUrlLinkRequest(token, expiresAt, now));
  const doc: ShareLinkDoc = { _id: contract._id, token, qrKey, urlLink: link.url, urlLinkExpiresAt: link.expiresAt.toISOString(), createdAt: now.toISOString() };
  // Last writer wins: two concurrent calls each made valid material for the same token.
  const ok = known ? await deps.store.compareAndSet(SHARE_LINKS, doc, known.version ?? 0) : await deps.store.insert(SHARE_LINKS, doc).then(() => true, () => false);
  if (!ok) deps.log.info({ contractId: contract._id }, 'share material made twice at once; the stored one stays');
  return doc;
};

/**
 * P3 分享: the initiator's share material for a contract that still has a free place — the share
 * token, the 小程序码 (wxacode.getUnlimited, the bare token as `scene`, the share page) as a
 * download address, and a URL Link (urllink.generate) that opens the share page with the token
 * and expires with the contract (at most WeChat's 30 days; asking again later makes a new one).
 * The code and the link are made once and reused, so asking again spends nothing at WeChat.
 */
export const contractShare: Operation<ContractShareInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  if (index !== 0) throw new AppError('FORBIDDEN', '仅发起人可以分享合同');
  if (FINAL_STATES.includes(contract.state) || !otherParties(contract, 0).some((i) => contract.parties[i]!.openid === null)) throw new AppError('INVALID_TRANSITION', '合同已无待邀请的签署方');
  if (!contract.expiresAt) throw new AppError('INVALID_TRANSITION', '请先完成支付再分享合同');
  const expiresAt = new Date(contract.expiresAt);
  const m = await material(deps, contract, expiresAt);
  return {
    token: m.token,
    page: SHARE_PAGE,
    scene: shareScene(m.token),
    qrCodeUrl: await deps.files.temporaryUrl(m.qrKey, QR_URL_SECONDS),
    urlLink: m.urlLink,
    expiresAt: m.urlLinkExpiresAt,
  };
};
