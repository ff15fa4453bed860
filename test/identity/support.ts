/**
 * The identity modules' test bench: a real SQLite store in a temp dir, a clock the test moves,
 * the local secrets (files under the temp dir), the SMS and mail outboxes (what a phone or
 * mailbox would receive) and the SOTER simulator — the local adapters the emulator runs on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import identityJson from '../../config/identity.json';
import { FixedClock } from '../../shared/adapters/local/clock';
import { DirFiles } from '../../shared/adapters/local/dir-files';
import { RandomIds } from '../../shared/adapters/local/ids';
import { LocalSecrets } from '../../shared/adapters/local/local-secrets';
import { MailOutbox, type StoredEmail } from '../../shared/adapters/local/mail-outbox';
import { SmsOutbox } from '../../shared/adapters/local/sms-outbox';
import { SoterSimulator } from '../../shared/adapters/local/soter-simulator';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { AppError } from '../../shared/errors';
import { parseIdentityConfig, type IdentityConfig, type SoterDeps } from '../../shared/identity/config';
import type { CodeMessage } from '../../shared/identity/verification-codes';
import type { Store } from '../../shared/ports/store';

export interface Bench extends SoterDeps {
  clock: FixedClock;
  soter: SoterSimulator;
  sms: SmsOutbox;
  mailer: MailOutbox;
  dir: string;
  /** Delivers a code's message through the outbox adapters, as the operation would after its commit. */
  deliver(message: CodeMessage): Promise<void>;
  /** The six digits in the last SMS to `phone` / email to `to`, read like a user reads them. */
  lastSmsCode(phone: string): Promise<string>;
  lastEmailCode(to: string): Promise<string>;
  close(): Promise<void>;
}

/** 10:00 in China on a weekday. */
export const START = '2026-03-16T02:00:00.000Z';

export const identityConfig = (patch: (c: IdentityConfig) => void = () => {}): IdentityConfig => {
  const c = parseIdentityConfig(structuredClone(identityJson));
  patch(c);
  return c;
};

/** Cheap scrypt for the tests that do many hashes; the production cost is tested on its own. */
export const fastScrypt = (c: IdentityConfig): void => {
  c.signingPassword.scrypt = { ...c.signingPassword.scrypt, logN: 10 };
};

export const openBench = (name: string, config: IdentityConfig = identityConfig(fastScrypt)): Bench => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `esign-identity-${name}-`));
  const store: Store = openSqliteStore(path.join(dir, 'db.sqlite'));
  const clock = new FixedClock(new Date(START));
  const ids = new RandomIds();
  const sms = new SmsOutbox(store, clock, ids);
  const mailer = new MailOutbox(store, new DirFiles(path.join(dir, 'files'), clock), clock, ids);
  const digits = (text: string): string => {
    const m = /(\d{6})/.exec(text);
    if (!m) throw new Error(`no code in ${JSON.stringify(text)}`);
    return m[1]!;
  };
  return {
    store, clock, ids, sms, mailer, dir,
    secrets: new LocalSecrets(dir),
    soter: new SoterSimulator(),
    config: { identity: config },
    deliver: async (m) => {
      const r = m.channel === 'sms' ? await sms.send(m.sms) : await mailer.send(m.email);
      if (!r.ok) throw new Error(`delivery failed: ${r.code}`);
    },
    lastSmsCode: async (phone) => {
      const [last] = await store.find<{ _id: string; text: string }>('sms_outbox', { phone }, { orderBy: [['createdAt', 'desc'], ['_id', 'desc']], limit: 1 });
      if (!last) throw new Error(`no SMS to ${phone}`);
      return digits(last.text);
    },
    lastEmailCode: async (to) => {
      const [last] = await store.find<StoredEmail>('email_outbox', { to }, { orderBy: [['createdAt', 'desc'], ['_id', 'desc']], limit: 1 });
      if (!last) throw new Error(`no email to ${to}`);
      return digits(last.text);
    },
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The AppError a promise rejects with (fails the test if it resolves or throws something else). */
export const refusal = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal, got success');
};
