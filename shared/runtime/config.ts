/**
 * Settings, read from an env-like record by the composition root only (nothing else reads env).
 * Numbers that are rules of the product live in config/*.json, not in code.
 */
import path from 'node:path';
import lprTable from '../../config/lpr.json';
import fees from '../../config/fees.json';
import { parseLprTable, type LprTable } from '../rules/lpr';

export interface AppConfig {
  provider: 'local' | 'cloud';
  /** Local provider: where the SQLite file, files and keys live. */
  dataDir: string;
  lprTable: LprTable;
  fees: { initiation: Record<string, number> };
  /** C2: a contract awaiting fill or signatures expires this many days after initiation. */
  contractTtlDays: number;
  /** A face check's BizToken is valid this long (FaceID: 2 h). */
  faceCheckTtlMinutes: number;
  /** R4 催办: at most once per interval, and this many per China day, per contract. */
  urge: { minIntervalMinutes: number; perDay: number };
  /** Batch size for the timers. */
  timerBatch: number;
  /** Where share links point (the mini-program path with the token). */
  shareLinkBase: string;
  logLevel: string;
}

export const loadConfig = (env: Record<string, string | undefined>): AppConfig => {
  const provider = env.ESIGN_PROVIDER === 'cloud' ? 'cloud' : 'local';
  return {
    provider,
    dataDir: path.resolve(env.ESIGN_DATA_DIR ?? '.data'),
    lprTable: parseLprTable(lprTable),
    fees: { initiation: fees.initiation },
    contractTtlDays: 30,
    faceCheckTtlMinutes: 120,
    urge: { minIntervalMinutes: 10, perDay: 5 },
    timerBatch: Number(env.ESIGN_TIMER_BATCH ?? 200),
    shareLinkBase: env.ESIGN_SHARE_LINK_BASE ?? 'pages/share/index?token=',
    logLevel: env.ESIGN_LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
  };
};
