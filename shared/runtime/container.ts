/**
 * The composition root: picks adapters from the environment (ESIGN_PROVIDER=local, the default,
 * or cloud). Nothing else reads environment variables. Built on first use, never at require
 * time, so loading a function bundle does no I/O.
 */
import path from 'node:path';
import type { Clock, FaceVerifier, FileStorage, Ids, Payments, Sms, Store } from '../ports';
import { loadConfig, type AppConfig } from './config';
import { createLogger, type Log } from './logger';
import { MovableClock } from '../adapters/local/clock';
import { RandomIds } from '../adapters/local/ids';
import { FaceSimulator } from '../adapters/local/face-simulator';
import { SmsOutbox } from '../adapters/local/sms-outbox';
import { InstantPayments } from '../adapters/local/instant-payments';
import { DirFiles } from '../adapters/local/dir-files';
import { openSqliteStore } from '../adapters/local/sqlite-store';

export interface Deps {
  config: AppConfig;
  store: Store;
  clock: Clock;
  ids: Ids;
  face: FaceVerifier;
  sms: Sms;
  payments: Payments;
  files: FileStorage;
  log: Log;
}

/** The local adapters' controls, for the emulator and tests (time travel, face outcomes, file URLs). */
export interface LocalHandles {
  clock: MovableClock;
  face: FaceSimulator;
  files: DirFiles;
}

export interface Container extends Deps {
  local: LocalHandles | null;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  clock?: Clock & Partial<MovableClock>;
  log?: Log;
}

export const createContainer = (env: Record<string, string | undefined>, overrides: ContainerOverrides = {}): Container => {
  const config = loadConfig(env);
  if (config.provider === 'cloud') {
    // The production adapters (CloudBase, FaceID, SMS, SES, WeChat Pay) are wired by the
    // production-adapters work; refusing here beats silently running the local stand-ins in the cloud.
    throw new Error('ESIGN_PROVIDER=cloud is not available in this build yet');
  }
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const clock = (overrides.clock as MovableClock | undefined) ?? new MovableClock();
  const ids = new RandomIds();
  const store = openSqliteStore(path.join(config.dataDir, 'esign.sqlite'));
  const face = new FaceSimulator();
  const files = new DirFiles(path.join(config.dataDir, 'files'), clock);
  return {
    config, store, clock, ids, face, files, log,
    sms: new SmsOutbox(store, clock, ids),
    payments: new InstantPayments(),
    local: { clock, face, files },
    close: () => store.close(),
  };
};

let current: Container | null = null;

/** The process's container, created on first call (a cold start pays for it once). */
export const getContainer = (): Container => (current ??= createContainer(process.env));

/** Tests and the emulator install their own. */
export const setContainer = (c: Container | null): void => {
  current = c;
};
