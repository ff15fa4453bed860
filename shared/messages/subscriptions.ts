/**
 * Subscription-message consent (N1 channel order: a subscription message where the user accepted
 * one, then SMS). Pure logic and the document shape; `notify-subscribe` and the notifier wire it.
 * Imports the store port's types and the error table only.
 *
 * How WeChat's one-time subscriptions work (一次性订阅, https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html):
 * the mini-program calls wx.requestSubscribeMessage({tmplIds}) — at most 3 ids per call — and
 * the user answers per template 'accept' | 'reject' | 'ban' | 'filter'. Each 'accept' allows the
 * backend ONE subscribeMessage.send of that template to that user, at any later time; accepts add
 * up. WeChat keeps the real count and answers 43101 when there is none; ours is a mirror so the
 * notifier can choose the channel without a failed call, and it is corrected whenever WeChat
 * disagrees.
 *
 * `notify-subscribe {results: {templateId: 'accept'|…}}` → recordAcceptance → one compare-and-set
 * of the user's document. Only configured template ids count (a client cannot grow a document
 * with made-up keys), and a credit is capped (MAX_CREDITS_PER_TEMPLATE) so a scripted client
 * cannot either. The client's word is not proof — a lie only costs a 43101 and an SMS.
 *
 * Sending: takeCredit in the same commit as the subscription-message outbox row (so two events
 * cannot spend one credit), then the delivery:
 *   ok                     → done
 *   43101 (refused)        → clearCredits (WeChat has none) and the message goes by SMS
 *   any other failure      → WeChat did not deliver, so it did not spend the credit: restoreCredit
 *                            when the outbox gives up on this channel and falls back to SMS
 */
import { AppError } from '../errors';
import type { CasWrite, Doc } from '../ports/store';

/** Collection of the consent documents, one per user (shared/store/collections.ts `subscriptions`). */
export const SUBSCRIPTIONS_COLLECTION = 'subscriptions';

/** A bound on the mirror, not WeChat's rule: enough for every event of many contracts. */
export const MAX_CREDITS_PER_TEMPLATE = 20;
/** wx.requestSubscribeMessage takes at most 3 template ids per call. */
export const MAX_TEMPLATES_PER_REQUEST = 3;

export type SubscribeAnswer = 'accept' | 'reject' | 'ban' | 'filter';
const ANSWERS: readonly SubscribeAnswer[] = ['accept', 'reject', 'ban', 'filter'];

export interface SubscriptionDoc extends Doc {
  openid: string;
  /** Template id → sends left. */
  credits: Record<string, number>;
  updatedAt: string;
}

export const subscriptionId = (openid: string): string => `subs_${openid}`;

const empty = (openid: string, now: Date): SubscriptionDoc => ({ _id: subscriptionId(openid), openid, credits: {}, updatedAt: now.toISOString() });
const withCredits = (doc: SubscriptionDoc, credits: Record<string, number>, now: Date): SubscriptionDoc => ({
  _id: doc._id,
  openid: doc.openid,
  credits: Object.fromEntries(Object.entries(credits).filter(([, n]) => n > 0)),
  updatedAt: now.toISOString(),
});

/**
 * Checks what wx.requestSubscribeMessage answered, as notify-subscribe receives it: an object of
 * at most 3 template ids → answer. VALIDATION_FAILED {field:'results'} otherwise. (The success
 * callback also carries errMsg: 'requestSubscribeMessage:ok'; the client passes only the ids.)
 */
export const parseSubscribeResults = (raw: unknown): Record<string, SubscribeAnswer> => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('VALIDATION_FAILED', undefined, { field: 'results' });
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_TEMPLATES_PER_REQUEST) throw new AppError('VALIDATION_FAILED', undefined, { field: 'results', rule: 'count', max: MAX_TEMPLATES_PER_REQUEST });
  for (const [id, answer] of entries) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || !ANSWERS.includes(answer as SubscribeAnswer)) throw new AppError('VALIDATION_FAILED', undefined, { field: 'results', rule: 'entry' });
  }
  return Object.fromEntries(entries) as Record<string, SubscribeAnswer>;
};

/**
 * The user's document after they answered: +1 credit per accepted, configured template (capped).
 * 'reject', 'ban' and 'filter' leave earlier credits alone — they refuse this offer, and WeChat
 * answers 43101 if the user also turned the template off, which clears it then.
 */
export const recordAcceptance = (
  doc: SubscriptionDoc | null,
  openid: string,
  results: Readonly<Record<string, SubscribeAnswer>>,
  configuredTemplateIds: readonly string[],
  now: Date,
): { nextDoc: SubscriptionDoc; accepted: string[]; ignored: string[] } => {
  const base = doc ?? empty(openid, now);
  const credits = { ...base.credits };
  const accepted: string[] = [];
  const ignored: string[] = [];
  for (const [id, answer] of Object.entries(results)) {
    if (answer !== 'accept') continue;
    if (!configuredTemplateIds.includes(id)) {
      ignored.push(id);
      continue;
    }
    credits[id] = Math.min(MAX_CREDITS_PER_TEMPLATE, (credits[id] ?? 0) + 1);
    accepted.push(id);
  }
  return { nextDoc: withCredits(base, credits, now), accepted, ignored };
};

export const creditsFor = (doc: SubscriptionDoc | null, templateId: string): number => doc?.credits[templateId] ?? 0;

/** Which channel an event goes by first: a subscription message while a credit is left, else SMS. */
export const firstChannel = (doc: SubscriptionDoc | null, templateId: string | null | undefined): 'subscribe' | 'sms' =>
  templateId && creditsFor(doc, templateId) > 0 ? 'subscribe' : 'sms';

/** Spends one credit (in the commit of the outbox row); ok:false when none is left. */
export const takeCredit = (doc: SubscriptionDoc | null, templateId: string, now: Date): { ok: true; nextDoc: SubscriptionDoc } | { ok: false } => {
  if (!doc || creditsFor(doc, templateId) <= 0) return { ok: false };
  return { ok: true, nextDoc: withCredits(doc, { ...doc.credits, [templateId]: creditsFor(doc, templateId) - 1 }, now) };
};

/** WeChat did not deliver (and so did not spend): the credit comes back. */
export const restoreCredit = (doc: SubscriptionDoc | null, openid: string, templateId: string, now: Date): SubscriptionDoc => {
  const base = doc ?? empty(openid, now);
  return withCredits(base, { ...base.credits, [templateId]: Math.min(MAX_CREDITS_PER_TEMPLATE, creditsFor(base, templateId) + 1) }, now);
};

/** WeChat answered 43101: it holds no credit for this template, so neither do we. */
export const clearCredits = (doc: SubscriptionDoc, templateId: string, now: Date): SubscriptionDoc => {
  const credits = { ...doc.credits };
  delete credits[templateId];
  return withCredits(doc, credits, now);
};

export const subscriptionWrite = (read: SubscriptionDoc | null, nextDoc: SubscriptionDoc): CasWrite => ({
  collection: SUBSCRIPTIONS_COLLECTION,
  doc: nextDoc,
  expectedVersion: read?.version ?? 0,
});
