/**
 * The composition root: picks adapters from the environment (ESIGN_PROVIDER=local, the default,
 * or cloud). Nothing else reads environment variables. Built on first use, never at require
 * time, so loading a function bundle does no I/O.
 */
import path from 'node:path';
import type { Clock } from '../ports';
import type { Deps } from '../ports/operation';

import { loadConfig } from './config';
import { type AppConfig } from '../ports/config';
import { createLogger } from './logger';
import { functionSpec } from './registry';
import { type Log } from '../ports/log';
import { MovableClock } from '../adapters/local/clock';
import { RandomIds } from '../adapters/local/ids';
import { FaceSimulator } from '../adapters/local/face-simulator';
import { SmsOutbox } from '../adapters/local/sms-outbox';
import { LocalWechatPay } from '../adapters/local/local-wechatpay';
import { DirFiles } from '../adapters/local/dir-files';
import { LibreOfficeConverter } from '../adapters/local/libreoffice';
import { MailOutbox } from '../adapters/local/mail-outbox';
import { LocalWechat } from '../adapters/local/local-wechat';
import type { FaultSwitch } from '../adapters/local/faults';
import { openSqliteStore } from '../adapters/local/sqlite-store';
import { readOrCreateLocalCa } from '../adapters/local/local-ca';
import { DeferredLocalTsa } from '../adapters/local/tsa';
import { loadPlatformCa } from '../documents/ca';
import { LocalSecrets } from '../adapters/local/local-secrets';
import { SoterSimulator } from '../adapters/local/soter-simulator';

/** The local adapters' controls, for the emulator and tests (time travel, face outcomes, file URLs, the WeChat Pay simulator). */
export interface LocalHandles {
  clock: MovableClock;
  face: FaceSimulator;
  files: DirFiles;
  payments: LocalWechatPay;
  /** Provider faults for the outbox's retries (POST /_emulator/faults). */
  faults: { sms: FaultSwitch; email: FaultSwitch };
  /** The emulator's address, once it listens: where local URL Links point (/_emulator/urllink/<id>). */
  setBaseUrl(url: string): void;
  /** The embedded TSA (`unavailable` = the TSA is down). */
  tsa: DeferredLocalTsa;
  /** The users' "phones" for WeChat SOTER: sign a challenge as wx.startSoterAuthentication would (POST /_emulator/soter/sign). */
  soter: SoterSimulator;
}

export interface Container extends Deps {
  local: LocalHandles | null;
  /**
   * Done once per process before the first call of function `fn` (handler.ts awaits it): in the
   * cloud, reads the secrets synchronous code needs (SSM), so a cold start pays for them once and
   * a warm call never does. Locally nothing to do. A failure is retried by the next call.
   */
  prepare(fn: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  clock?: Clock & Partial<MovableClock>;
  log?: Log;
}

export const createContainer = (env: Record<string, string | undefined>, overrides: ContainerOverrides = {}): Container => {
  const loaded = loadConfig(env);
  if (loaded.provider === 'cloud') return cloudContainer(loaded, env, overrides);
  const config = withLocalSigning(loaded);
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const clock = (overrides.clock as MovableClock | undefined) ?? new MovableClock();
  const ids = new RandomIds();
  const store = openSqliteStore(path.join(config.dataDir, 'esign.sqlite'));
  const face = new FaceSimulator();
  const files = new DirFiles(path.join(config.dataDir, 'files'), clock);
  // The real WeChat Pay client and notification checks, against the local simulator (keys under the data dir).
  const payments = new LocalWechatPay(config.dataDir, clock);
  const sms = new SmsOutbox(store, clock, ids);
  const mailer = new MailOutbox(store, files, clock, ids);
  let baseUrl = 'http://127.0.0.1';
  const wechat = new LocalWechat(store, clock, ids, () => baseUrl);
  const s = config.signing;
  const tsa = new DeferredLocalTsa(() => loadPlatformCa({ rootCertPem: s.rootCertPem!, issuingCertPem: s.issuingCertPem!, issuingKeyPem: s.issuingKeyPem!, ...(s.rootCrlPem ? { rootCrlPem: s.rootCrlPem } : {}) }), clock);
  const secrets = new LocalSecrets(config.dataDir);
  const soter = new SoterSimulator();
  return {
    config, store, clock, ids, face, files, log, sms, mailer, wechat, secrets, soter,
    payments, tsa, converter: new LibreOfficeConverter(),
    local: { clock, face, soter, files, payments, faults: { sms: sms.faults, email: mailer.faults }, tsa, setBaseUrl: (url) => { baseUrl = url; } },
    prepare: async () => undefined,
    close: async () => {
      await payments.close();
      await store.close();
    },
  };
};

/**
 * Locally, the platform CA is the data directory's own (made on first start) unless configured:
 * the signer certificates and the embedded TSA's then chain to the same root.
 */
const withLocalSigning = (config: AppConfig): AppConfig => {
  const s = config.signing;
  if (s.rootCertPem && s.issuingCertPem && s.issuingKeyPem && s.signerIdSecret) return config;
  const local = readOrCreateLocalCa(config.dataDir);
  const { rootCertPem, issuingCertPem, issuingKeyPem, rootCrlPem } = local.pems;
  return { ...config, signing: { rootCertPem, issuingCertPem, issuingKeyPem, rootCrlPem: rootCrlPem ?? null, signerIdSecret: local.signerIdSecret } };
};

/**
 * The production adapters (shared/adapters/cloudbase/cloud-deps.ts), required here and only here so
 * that a local process never loads the cloud SDKs. Nothing local is used: the clock is the system
 * clock unless a test passes its own.
 */
const cloudContainer = (config: AppConfig, env: Record<string, string | undefined>, overrides: ContainerOverrides): Container => {
  const { cloudDeps } = require('../adapters/cloudbase/cloud-deps') as typeof import('../adapters/cloudbase/cloud-deps');
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const clock: Clock = overrides.clock ?? { now: () => new Date() };
  const ids = new RandomIds();
  const { prepare: readSecrets, ...deps } = cloudDeps(config, env, clock, ids);
  // One read per process and set of ports: an SCF instance runs one function; the emulator's
  // cloud mode runs them all in one process.
  const prepared = new Map<string, Promise<void>>();
  const container: Container = {
    config, clock, ids, log, ...deps, local: null,
    prepare: (fn) => {
      const ports = functionSpec(fn)?.ports ?? [];
      const key = [...ports].sort().join(',');
      let p = prepared.get(key);
      if (!p) {
        p = readSecrets(ports).then(({ rateLimitKey }) => {
          container.config = { ...container.config, rateLimitKey };
        });
        prepared.set(key, p);
        p.catch(() => prepared.delete(key));
      }
      return p;
    },
    close: () => deps.store.close(),
  };
  return container;
};

let current: Container | null = null;

/** The process's container, created on first call (a cold start pays for it once). */
export const getContainer = (): Container => (current ??= createContainer(process.env));

/** Tests and the emulator install their own. */
export const setContainer = (c: Container | null): void => {
  current = c;
};
