/**
 * Fee rules (SPEC F1, F3, I6, R2, R3, U4): what a user pays, computed on the server from
 * config/fees.json and the user's facts (free initiations used this China month, an active saver
 * card, the coupon they picked). Pure: the operations gather the facts and carry out the quote.
 *
 * The price, in this order:
 *  1. the list price of the item for the contract's kind ('*' is every template not listed);
 *     a payer-initiated receipt has no fee at all (R3: 确认开具, no payment step);
 *  2. the cheapest of: the saver card's price for the item (省钱月卡, when active) and, for
 *     initiations of quota kinds (own files, templates), a free initiation from the monthly quota
 *     (U4) while some remain — on a tie the card wins, so a free initiation is never spent when
 *     the card already makes it free;
 *  3. one coupon, if the user picked one and something is left to pay: it is applied to what
 *     remains after step 2 and consumed only when it lowered the price. Coupons do not combine
 *     with each other (one per payment).
 * A price of 0 passes the payment gate with no order (payment status 'waived').
 */
import { AppError } from '../errors';
import { addDays, addMonths, chinaDay, chinaDayStartUtc } from './dates';

export const FEE_ITEMS = ['initiation', 'evidence_report', 'saver_card'] as const;
/** What can be paid for: a contract's initiation, an evidence report (C9), the saver card itself. */
export type FeeItem = (typeof FEE_ITEMS)[number];

/** The price-table key standing for every template kind that has no row of its own. */
export const ANY_TEMPLATE = '*';

export interface InitiationFee {
  feeFen: number;
  /** Initiations of this kind are free up to the monthly quota (own files, templates — U4). */
  freeQuota: boolean;
}

export interface CouponCampaign {
  title: string;
  type: 'amount_off' | 'percent_off';
  /** amount_off: fen taken off. */
  amountOffFen: number;
  /** percent_off: 1–100. */
  percentOff: number;
  /** The coupon applies only when the price before it is at least this (满减 threshold). */
  minPriceFen: number;
  /** A coupon is valid from issue through this many China days (the day of issue counts). */
  validDays: number;
  items: FeeItem[];
  /** Contract kinds it applies to; null = every kind. */
  kinds: string[] | null;
}

export interface FeeConfig {
  initiation: Record<string, InitiationFee>;
  /** Free initiations of quota kinds per user per China calendar month (U4). */
  monthlyFreeQuota: number;
  evidenceReport: Record<string, number>;
  saverCard: { priceFen: number; initiationFen: Record<string, number>; evidenceReportFen: Record<string, number> };
  campaigns: Record<string, CouponCampaign>;
}

// ── reading config/fees.json ─────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Thrown at cold start: a bad price file must stop the function, never charge a wrong price. */
const bad = (path: string, problem: string): never => {
  throw new Error(`config/fees.json ${path}: ${problem}`);
};
const fen = (v: unknown, path: string): number =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : bad(path, 'must be a whole number of fen ≥ 0');
const table = (v: unknown, path: string): Record<string, number> => {
  if (!isObj(v)) return bad(path, 'must be an object of kind → fen');
  if (!(ANY_TEMPLATE in v)) bad(path, `needs a "${ANY_TEMPLATE}" row for the other templates`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fen(x, `${path}.${k}`)]));
};

const parseCampaign = (v: unknown, path: string): CouponCampaign => {
  if (!isObj(v)) return bad(path, 'must be an object');
  const type = v.type === 'amount_off' || v.type === 'percent_off' ? v.type : bad(`${path}.type`, 'must be amount_off or percent_off');
  const items = Array.isArray(v.items) && v.items.length > 0 && v.items.every((i) => (FEE_ITEMS as readonly unknown[]).includes(i))
    ? (v.items as FeeItem[])
    : bad(`${path}.items`, `must list some of ${FEE_ITEMS.join(', ')}`);
  const kinds = v.kinds === undefined ? null : Array.isArray(v.kinds) && v.kinds.every((k) => typeof k === 'string') ? (v.kinds as string[]) : bad(`${path}.kinds`, 'must be a list of kinds');
  const percentOff = type === 'percent_off' ? fen(v.percentOff, `${path}.percentOff`) : 0;
  if (type === 'percent_off' && (percentOff < 1 || percentOff > 100)) bad(`${path}.percentOff`, 'must be 1–100');
  const amountOffFen = type === 'amount_off' ? fen(v.amountOffFen, `${path}.amountOffFen`) : 0;
  if (type === 'amount_off' && amountOffFen < 1) bad(`${path}.amountOffFen`, 'must be ≥ 1');
  const validDays = fen(v.validDays, `${path}.validDays`);
  if (validDays < 1) bad(`${path}.validDays`, 'must be ≥ 1');
  return {
    title: typeof v.title === 'string' && v.title !== '' ? v.title : bad(`${path}.title`, 'must be a title'),
    type, amountOffFen, percentOff, minPriceFen: fen(v.minPriceFen ?? 0, `${path}.minPriceFen`), validDays, items, kinds,
  };
};

export const parseFeeConfig = (raw: unknown): FeeConfig => {
  if (!isObj(raw)) return bad('', 'must be an object');
  if (!isObj(raw.initiation) || !(ANY_TEMPLATE in raw.initiation)) bad('initiation', `must be an object with a "${ANY_TEMPLATE}" row`);
  const initiation: Record<string, InitiationFee> = {};
  for (const [kind, row] of Object.entries(raw.initiation as Obj)) {
    if (!isObj(row) || typeof row.freeQuota !== 'boolean') bad(`initiation.${kind}`, 'must be {feeFen, freeQuota}');
    initiation[kind] = { feeFen: fen((row as Obj).feeFen, `initiation.${kind}.feeFen`), freeQuota: (row as Obj).freeQuota as boolean };
  }
  // F1/I6: IOU and receipt initiation is always paid — a config that made them free or quota-covered is a mistake.
  for (const kind of ['iou', 'receipt']) {
    const row = initiation[kind];
    if (!row || row.feeFen === 0 || row.freeQuota) bad(`initiation.${kind}`, 'IOU and receipt initiation is always paid (F1)');
  }
  const card = isObj(raw.saverCard) ? raw.saverCard : bad('saverCard', 'must be an object');
  const config: FeeConfig = {
    initiation,
    monthlyFreeQuota: fen(raw.monthlyFreeQuota, 'monthlyFreeQuota'),
    evidenceReport: table(raw.evidenceReport, 'evidenceReport'),
    saverCard: {
      priceFen: fen(card.priceFen, 'saverCard.priceFen'),
      initiationFen: table(card.initiationFen, 'saverCard.initiationFen'),
      evidenceReportFen: table(card.evidenceReportFen, 'saverCard.evidenceReportFen'),
    },
    campaigns: {},
  };
  if (config.saverCard.priceFen < 1) bad('saverCard.priceFen', 'the card is sold: must be ≥ 1');
  const campaigns = isObj(raw.coupons) && isObj(raw.coupons.campaigns) ? raw.coupons.campaigns : bad('coupons.campaigns', 'must be an object');
  for (const [name, c] of Object.entries(campaigns)) config.campaigns[name] = parseCampaign(c, `coupons.campaigns.${name}`);
  return config;
};

// ── the facts of one price ───────────────────────────────────────────────────────────────────

/** A coupon as the rules see it (the stored document carries more). */
export interface CouponTerms {
  id: string;
  openid: string;
  type: 'amount_off' | 'percent_off';
  amountOffFen: number;
  percentOff: number;
  minPriceFen: number;
  items: readonly FeeItem[];
  kinds: readonly string[] | null;
  /** ISO instant; the coupon is void from then on. */
  expiresAt: string;
  used: boolean;
  /** Held by another unpaid order or initiation (it comes back if that one is not paid). */
  heldElsewhere: boolean;
}

export interface PriceFacts {
  item: FeeItem;
  /** The contract's kind (initiation, evidence report); ignored for the saver card. */
  kind?: string;
  /** The contract's flow: a payer-initiated receipt has no fee (R3). */
  flow?: string;
  /** Who pays: a coupon is bound to its owner. */
  buyer: string;
  now: string;
  /** Free initiations this buyer used in the current China month. */
  freeQuotaUsed: number;
  cardActive: boolean;
  coupon: CouponTerms | null;
}

export type PriceStep =
  | { rule: 'list_price'; fen: number }
  | { rule: 'no_fee'; fen: 0; why: 'payer_issued_receipt' }
  | { rule: 'free_quota'; fen: 0; used: number; limit: number }
  | { rule: 'saver_card'; fen: number }
  | { rule: 'coupon'; fen: number; couponId: string; offFen: number };

export interface Quote {
  item: FeeItem;
  kind: string | null;
  listFen: number;
  /** What is charged. */
  amountFen: number;
  /** How the price came about, in order; the last step's fen is amountFen. */
  steps: PriceStep[];
  /** Taking this price uses one of the month's free initiations. */
  usesFreeQuota: boolean;
  /** The coupon this price uses up; null when none was picked or it was not needed. */
  couponId: string | null;
  /** A coupon was picked but nothing was left to pay after the card or the free quota: it stays unused. */
  couponNotNeeded: boolean;
  /** For initiations of quota kinds: the month's free initiations. */
  freeQuota: { limit: number; used: number; remaining: number } | null;
}

/** The China calendar month of an instant, 'YYYY-MM' — the free quota's period (U4). */
export const chinaMonth = (instant: Date | string): string => chinaDay(new Date(instant)).slice(0, 7);

const row = <T>(t: Record<string, T>, kind: string): T => (t[kind] ?? t[ANY_TEMPLATE]) as T;

/** The list price before quota, card and coupon. */
export const listPrice = (config: FeeConfig, item: FeeItem, kind: string, flow?: string): number => {
  if (item === 'saver_card') return config.saverCard.priceFen;
  if (item === 'evidence_report') return row(config.evidenceReport, kind);
  return flow === 'receipt_payer' ? 0 : row(config.initiation, kind).feeFen;
};

const cardPrice = (config: FeeConfig, item: FeeItem, kind: string): number | null =>
  item === 'initiation' ? row(config.saverCard.initiationFen, kind) : item === 'evidence_report' ? row(config.saverCard.evidenceReportFen, kind) : null;

export type CouponProblem = 'not_owner' | 'used' | 'in_use' | 'expired' | 'not_applicable' | 'below_minimum';

/** Why this coupon cannot lower this price (null: it can). `priceFen` is the price before the coupon. */
export const couponProblem = (c: CouponTerms, f: Pick<PriceFacts, 'item' | 'kind' | 'buyer' | 'now'>, priceFen: number): CouponProblem | null => {
  if (c.openid !== f.buyer) return 'not_owner';
  if (c.used) return 'used';
  if (f.now >= c.expiresAt) return 'expired';
  if (c.heldElsewhere) return 'in_use';
  if (!c.items.includes(f.item)) return 'not_applicable';
  if (f.item !== 'saver_card' && c.kinds !== null && !c.kinds.includes(f.kind ?? '')) return 'not_applicable';
  if (priceFen < c.minPriceFen) return 'below_minimum';
  return null;
};

/**
 * Fen taken off by a coupon. Percent-off rounds the discount down to a whole fen, so a coupon
 * never gives more than it says (50% of 3.01 元 takes 1.50 元 off); never more than the price.
 */
export const couponDiscount = (c: Pick<CouponTerms, 'type' | 'amountOffFen' | 'percentOff'>, priceFen: number): number =>
  Math.min(priceFen, c.type === 'amount_off' ? c.amountOffFen : Math.floor((priceFen * c.percentOff) / 100));

/** The price of one item now, and why. A coupon that cannot be used is COUPON_UNAVAILABLE with the reason. */
export const quote = (config: FeeConfig, f: PriceFacts): Quote => {
  const kind = f.item === 'saver_card' ? null : f.kind ?? ANY_TEMPLATE;
  const listFen = listPrice(config, f.item, kind ?? ANY_TEMPLATE, f.flow);
  const steps: PriceStep[] = [{ rule: 'list_price', fen: listFen }];
  let price = listFen;
  let usesFreeQuota = false;

  const quotaKind = f.item === 'initiation' && f.flow !== 'receipt_payer' && row(config.initiation, kind ?? ANY_TEMPLATE).freeQuota;
  const limit = config.monthlyFreeQuota;
  const freeQuota = quotaKind ? { limit, used: f.freeQuotaUsed, remaining: Math.max(0, limit - f.freeQuotaUsed) } : null;

  if (f.item === 'initiation' && f.flow === 'receipt_payer') {
    steps.push({ rule: 'no_fee', fen: 0, why: 'payer_issued_receipt' });
    price = 0;
  } else {
    const card = f.cardActive ? cardPrice(config, f.item, kind ?? ANY_TEMPLATE) : null;
    const cardFen = card === null ? null : Math.min(card, price);
    if (cardFen !== null && (cardFen === 0 || !freeQuota || freeQuota.remaining === 0)) {
      if (cardFen < price) {
        steps.push({ rule: 'saver_card', fen: cardFen });
        price = cardFen;
      }
    } else if (freeQuota && freeQuota.remaining > 0 && price > 0) {
      steps.push({ rule: 'free_quota', fen: 0, used: freeQuota.used, limit });
      price = 0;
      usesFreeQuota = true;
    }
  }

  let couponId: string | null = null;
  let couponNotNeeded = false;
  if (f.coupon) {
    const problem = couponProblem(f.coupon, f, price);
    if (problem && !(price === 0 && problem === 'below_minimum')) {
      throw new AppError('COUPON_UNAVAILABLE', undefined, { couponId: f.coupon.id, reason: problem });
    }
    if (price === 0) couponNotNeeded = true;
    else {
      const off = couponDiscount(f.coupon, price);
      price -= off;
      couponId = f.coupon.id;
      steps.push({ rule: 'coupon', fen: price, couponId, offFen: off });
    }
  }
  return { item: f.item, kind, listFen, amountFen: price, steps, usesFreeQuota, couponId, couponNotNeeded, freeQuota };
};

// ── periods ──────────────────────────────────────────────────────────────────────────────────

/**
 * A saver card bought (or extended) at `start` covers one calendar month of China days: from the
 * day of `start` through the day before the same day next month (bought 03-15 → through 04-14).
 * When next month has no such day (bought 01-31), through next month's last day (02-28/29), so a
 * month is never shorter than the calendar allows. Returns the instant the card stops.
 */
export const saverCardUntil = (start: Date | string): string => {
  const day = chinaDay(new Date(start));
  const sameDayNextMonth = addMonths(day, 1); // clamped to the month's last day when it has no such day
  const clamped = sameDayNextMonth.slice(8) !== day.slice(8);
  return chinaDayStartUtc(clamped ? addDays(sameDayNextMonth, 1) : sameDayNextMonth).toISOString();
};

/** A further card continues where the current one ends, so buying early loses no day. */
export const extendSaverCard = (currentUntil: string | null, now: string): { from: string; until: string } => {
  const from = currentUntil !== null && currentUntil > now ? currentUntil : now;
  return { from, until: saverCardUntil(from) };
};

/** A coupon issued at `issuedAt` valid for `validDays` China days (the day of issue counts): the instant it lapses. */
export const couponExpiresAt = (issuedAt: Date | string, validDays: number): string =>
  chinaDayStartUtc(addDays(chinaDay(new Date(issuedAt)), validDays)).toISOString();
