/**
 * The saver card (省钱月卡): one document per user, `card_<openid>`. Each purchase (a paid order, or
 * a grant at price 0 with a coupon) extends it by one month from where it ends (rules/fees.ts).
 * The ids of the purchases applied are kept on the card and the extension is a compare-and-set,
 * so a purchase notified ten times extends the card once.
 */
import { AppError } from '../errors';
import type { Doc } from '../ports/store';
import { extendSaverCard } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';

export const CARDS = collectionName('cards');

export interface SaverCard extends Doc {
  _id: string;
  openid: string;
  validFrom: string;
  validUntil: string;
  /** Purchases applied (order ids, or `coupon:<id>` for a grant at price 0), oldest first. */
  purchases: string[];
  updatedAt: string;
}

export const cardId = (openid: string): string => `card_${openid}`;

export const loadCard = (deps: Deps, openid: string): Promise<SaverCard | null> => deps.store.get<SaverCard>(CARDS, cardId(openid));

export const cardActive = (card: SaverCard | null, now: string): boolean => card !== null && card.validFrom <= now && now < card.validUntil;

/** Applies one purchase to the user's card, once. Returns the card as it stands afterwards. */
export const grantCard = async (deps: Deps, openid: string, purchaseId: string): Promise<SaverCard> => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock.now().toISOString();
    const card = await loadCard(deps, openid);
    if (card?.purchases.includes(purchaseId)) return card;
    const { from, until } = extendSaverCard(card?.validUntil ?? null, now);
    const next: SaverCard = {
      _id: cardId(openid), openid,
      // A lapsed card starts over; an active one keeps its start and runs on.
      validFrom: card && card.validUntil > now ? card.validFrom : from,
      validUntil: until,
      purchases: [...(card?.purchases ?? []), purchaseId],
      updatedAt: now,
    };
    const ok = card
      ? await deps.store.compareAndSet(CARDS, next, card.version ?? 0)
      : (await deps.store.commit({ collection: CARDS, doc: next, expectedVersion: 0 }, [])).ok;
    if (ok) return next;
  }
  throw new AppError('CONFLICT');
};
