/**
 * The one-year LPR and the legal interest cap for private lending (I5).
 *
 * 《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》(2020 second revision, 法释〔2020〕17号)
 * art. 25: courts do not support agreed interest above four times the one-year LPR **at the time
 * the contract is formed** (合同成立时), the LPR being the one the National Interbank Funding Center
 * publishes monthly since 2019-08-20; art. 28 caps an agreed overdue rate the same way.
 *
 * The numbers live only in config/lpr.json. Functions here take the table as an argument so that
 * a new quote is a config change, and tests can pass their own tables; nothing here reads files.
 * The composition root loads the file once: `parseLprTable(require('config/lpr.json'))`.
 */
import { fail } from '../errors';
import { compareDays, isValidDay, type Day } from './dates';

export interface LprEntry {
  /** First China day on which this value is the one in force. */
  effectiveFrom: Day;
  /** One-year LPR in basis points (3.00% = 300). */
  oneYearBp: number;
}
export type LprTable = readonly LprEntry[];

/** The multiple of the one-year LPR courts enforce (art. 25). */
export const LEGAL_CAP_LPR_MULTIPLE = 4;

const badConfig = (why: string): never => fail('INTERNAL', `LPR table: ${why}`);

/**
 * Validates the configured table (the file's `table` array, or a bare array): non-empty, valid
 * days strictly ascending, positive integer basis points. A broken table is a deployment bug
 * (INTERNAL), found when the function starts, not when a user hits it.
 */
export const parseLprTable = (raw: unknown): LprTable => {
  const rows = Array.isArray(raw) ? raw : (raw as { table?: unknown } | null)?.table;
  if (!Array.isArray(rows) || rows.length === 0) return badConfig('no entries');
  const out: LprEntry[] = [];
  for (const r of rows as unknown[]) {
    const { effectiveFrom, oneYearBp } = (r ?? {}) as Record<string, unknown>;
    if (!isValidDay(effectiveFrom)) return badConfig(`bad effectiveFrom ${String(effectiveFrom)}`);
    if (!Number.isSafeInteger(oneYearBp) || (oneYearBp as number) <= 0) return badConfig(`bad oneYearBp at ${effectiveFrom}`);
    const prev = out[out.length - 1];
    if (prev && compareDays(prev.effectiveFrom, effectiveFrom) >= 0) return badConfig(`not ascending at ${effectiveFrom}`);
    out.push(Object.freeze({ effectiveFrom, oneYearBp: oneYearBp as number }));
  }
  return Object.freeze(out);
};

/**
 * The one-year LPR in force on China day `day`: the entry with the latest effectiveFrom ≤ day
 * (a scan, so an unsorted table still gives the right answer; the table has a dozen rows).
 * Throws INTERNAL when the table has no value that early — callers only ask about today, so this
 * means the table is wrong, not the user.
 */
export const lprOn = (table: LprTable, day: Day): number => {
  let best: LprEntry | undefined;
  for (const e of table) {
    if (compareDays(e.effectiveFrom, day) <= 0 && (!best || compareDays(e.effectiveFrom, best.effectiveFrom) > 0)) best = e;
  }
  return best ? best.oneYearBp : badConfig(`no value in force on ${day}`);
};

/** The cap on agreed (and overdue) annual interest for a contract formed on `day`: 4 × LPR, in bp. */
export const legalRateCapBp = (table: LprTable, day: Day): number => LEGAL_CAP_LPR_MULTIPLE * lprOn(table, day);
