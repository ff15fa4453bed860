/**
 * Verification codes (验证码, N1; used by A2 phone change, A4 email change and first-time 实名).
 * Part of shared/identity/ (see config.ts): imports rules, ports, store/collections and errors only.
 *
 * The rules, all configured in config/identity.json:
 * - six digits from `crypto.randomInt` (uniform, CSPRNG);
 * - only an HMAC-SHA256 of the code is stored, keyed by the `verification-code-hmac` secret and
 *   bound to the record and the moment it was issued — a copy of the database does not give the
 *   codes, and cannot test the 10^6 candidates without the key;
 * - valid `ttlSeconds` (5 minutes); used once; `maxWrongTries` (5) wrong entries make it void;
 * - a new code for the same user and purpose no sooner than `resendSeconds` (60 s) after the last,
 *   and it replaces the last (only the newest code works); the same interval per destination, so
 *   two accounts cannot take turns flooding one phone;
 * - at most `perDestinationPerDay` codes to one phone/address and `perUserPerDay` codes for one
 *   user per China day (M2).
 *
 * Storage: one document per user and purpose, `vc_<purpose>_<openid>` (verification_codes), moved
 * through CODE_TRANSITIONS by compare-and-set; one document per code sent in verification_sends,
 * `_id` = scope key + day + slot number, so two concurrent sends cannot both take the last slot
 * (the second is a duplicate id and its commit loses). Expiry is a moment, not a state: nothing
 * has to run for a code to expire.
 *
 * `issueCode` writes nothing: it returns the commit (the code document's compare-and-set plus the
 * cap slots) and the message, which the caller writes in one transaction with its outbox row
 * (or `commitIssuedCode` + the message port until the outbox exists). `checkCode` spends or
 * counts by compare-and-set itself: a wrong entry must count even when the operation then fails.
 * Destinations are never stored in the clear here (an HMAC and a masked form), never logged.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';
import type { MailMessage } from '../ports/mailer';
import type { SmsMessage } from '../ports/sms';
import type { Append, CasWrite, Doc } from '../ports/store';
import { addDays, chinaDay, chinaDayStartUtc } from '../rules/dates';
import { maskEmail, parseEmail } from '../rules/email';
import { maskPhone, parseMobile } from '../rules/phone';
import { collectionName } from '../store/collections';
import type { IdentityDeps } from './config';

export const VERIFICATION_CODES = collectionName('verificationCodes');
export const VERIFICATION_SENDS = collectionName('verificationSends');

export const CODE_CHANNELS = ['sms', 'email'] as const;
export type CodeChannel = (typeof CODE_CHANNELS)[number];

/** What a code proves, and the channel it goes out on. */
export const CODE_PURPOSES = {
  /** 实名认证: the phone entered is the person's (first verification only). */
  realname: 'sms',
  /** A2 更换手机号: the new number is the person's. */
  phone_change: 'sms',
  /** A4 更换邮箱: the new address is the person's. */
  email_change: 'email',
} as const satisfies Record<string, CodeChannel>;
export type CodePurpose = keyof typeof CODE_PURPOSES;

export type CodeStatus = 'active' | 'used' | 'locked';
export type CodeAction = 'wrong_entry' | 'last_wrong_entry' | 'right_entry';

/**
 * Every move of a code's status. A resend is not a move: it replaces the document with a new
 * `active` code (whatever the old one's status), after the resend interval.
 */
export const CODE_TRANSITIONS: ReadonlyArray<{ from: CodeStatus; action: CodeAction; to: CodeStatus }> = [
  { from: 'active', action: 'wrong_entry', to: 'active' }, // wrongTries + 1, still below the limit
  { from: 'active', action: 'last_wrong_entry', to: 'locked' }, // the limit reached: void
  { from: 'active', action: 'right_entry', to: 'used' }, // spent
];

export const moveCode = (from: CodeStatus, action: CodeAction): CodeStatus => {
  const row = CODE_TRANSITIONS.find((t) => t.from === from && t.action === action);
  if (!row) throw new Error(`verification code: no move ${action} from ${from}`);
  return row.to;
};

export interface VerificationCode extends Doc {
  _id: string;
  openid: string;
  purpose: CodePurpose;
  channel: CodeChannel;
  /** HMAC of the destination: checkCode compares it, nothing can read the number back. */
  destinationKey: string;
  /** '138****8000' / 'w***@example.com', for answers and support. */
  destinationMasked: string;
  /** HMAC-SHA256 (hex) of the code bound to this document and issuedAt. */
  codeHash: string;
  status: CodeStatus;
  wrongTries: number;
  issuedAt: string;
  expiresAt: string;
  /** No new code for this user and purpose before this moment. */
  resendAt: string;
  usedAt: string | null;
  lockedAt: string | null;
}

interface CodeSend extends Doc {
  key: string;
  day: string;
  at: string;
}

export type CodeMessage = { channel: 'sms'; sms: SmsMessage } | { channel: 'email'; email: MailMessage };

export interface IssuedCode {
  record: VerificationCode;
  /** Write these in one transaction (store.commit), with the message's outbox row if any. */
  commit: { write: CasWrite; appends: Append[] };
  /** The message carrying the code (the only place the code exists in the clear). */
  message: CodeMessage;
  destinationMasked: string;
  expiresAt: string;
  resendAfterSeconds: number;
}

export interface CodeRequest {
  openid: string;
  channel: CodeChannel;
  destination: string;
  purpose: CodePurpose;
}

export const codeSlotId = (purpose: CodePurpose, openid: string): string => `vc_${purpose}_${openid}`;

const hmac = (key: string, text: string): Buffer => createHmac('sha256', key).update(text).digest();

const codeHash = (key: string, id: string, issuedAt: string, code: string): Buffer => hmac(key, `code\n${id}\n${issuedAt}\n${code}`);

const limited = (ms: number, reason: string): never => {
  throw new AppError('RATE_LIMITED', '验证码发送过于频繁，请稍后再试', { reason, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });
};

/** Purpose, channel and destination checked and normalised; VALIDATION_FAILED / INVALID_PHONE otherwise. */
const parseRequest = (input: { channel: unknown; destination: unknown; purpose: unknown }): { purpose: CodePurpose; channel: CodeChannel; destination: string } => {
  if (typeof input.purpose !== 'string' || !Object.prototype.hasOwnProperty.call(CODE_PURPOSES, input.purpose)) {
    throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/purpose', rule: 'enum' }] });
  }
  const purpose = input.purpose as CodePurpose;
  if (input.channel !== CODE_PURPOSES[purpose]) {
    throw new AppError('VALIDATION_FAILED', CODE_PURPOSES[purpose] === 'sms' ? '该验证码只能发送到手机' : '该验证码只能发送到邮箱', { fields: [{ field: '/channel', rule: 'enum' }] });
  }
  const channel = input.channel as CodeChannel;
  const destination = channel === 'sms' ? parseMobile(input.destination) : parseEmail(input.destination, '/destination');
  return { purpose, channel, destination };
};

const destinationKeyOf = (key: string, channel: CodeChannel, destination: string): string =>
  `d_${channel}_${hmac(key, `destination\n${channel}\n${destination}`).subarray(0, 16).toString('hex')}`;

const messageFor = (channel: CodeChannel, destination: string, code: string, ttlMinutes: number): CodeMessage =>
  channel === 'sms'
    ? // Its own Tencent template (sms-texts.ts `verification_code`); the one parameter is the code.
      { channel, sms: { phone: destination, template: 'verification_code', params: [code] } }
    : {
        channel,
        email: {
          to: destination,
          subject: '电子签邮箱验证码',
          text: `您的验证码为${code}，${ttlMinutes}分钟内有效，用于绑定此邮箱。请勿泄露给他人；如非本人操作，请忽略本邮件。`,
        },
      };

/**
 * A new code for this user, purpose and destination: the commit to write and the message to send.
 * Refusals: VALIDATION_FAILED / INVALID_PHONE for the input; RATE_LIMITED with
 * details.retryAfterSeconds and details.reason ('resend' | 'destination_resend' |
 * 'destination_daily' | 'user_daily').
 */
export const issueCode = async (deps: IdentityDeps, input: CodeRequest): Promise<IssuedCode> => {
  const { purpose, channel, destination } = parseRequest(input);
  const cfg = deps.config.identity.verificationCodes;
  const key = await deps.secrets.get('verification-code-hmac');
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const day = chinaDay(now);
  const id = codeSlotId(purpose, input.openid);
  const destKey = destinationKeyOf(key, channel, destination);
  const userKey = `u_${input.openid}`;
  const [current, sends] = await Promise.all([
    deps.store.get<VerificationCode>(VERIFICATION_CODES, id),
    deps.store.find<CodeSend>(VERIFICATION_SENDS, { key: { $in: [destKey, userKey] }, day }, { limit: 1000 }),
  ]);

  if (current) {
    const wait = Date.parse(current.resendAt) - nowMs;
    if (wait > 0) limited(wait, 'resend');
  }
  const toDestination = sends.filter((s) => s.key === destKey);
  const forUser = sends.filter((s) => s.key === userKey);
  const lastToDestination = Math.max(-Infinity, ...toDestination.map((s) => Date.parse(s.at)));
  const destinationWait = lastToDestination + cfg.resendSeconds * 1000 - nowMs;
  if (destinationWait > 0) limited(destinationWait, 'destination_resend');
  const untilTomorrow = chinaDayStartUtc(addDays(day, 1)).getTime() - nowMs;
  if (toDestination.length >= cfg.perDestinationPerDay) limited(untilTomorrow, 'destination_daily');
  if (forUser.length >= cfg.perUserPerDay) limited(untilTomorrow, 'user_daily');

  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const issuedAt = now.toISOString();
  const destinationMasked = channel === 'sms' ? maskPhone(destination) : maskEmail(destination);
  const record: VerificationCode = {
    _id: id,
    openid: input.openid,
    purpose,
    channel,
    destinationKey: destKey,
    destinationMasked,
    codeHash: codeHash(key, id, issuedAt, code).toString('hex'),
    status: 'active',
    wrongTries: 0,
    issuedAt,
    expiresAt: new Date(nowMs + cfg.ttlSeconds * 1000).toISOString(),
    resendAt: new Date(nowMs + cfg.resendSeconds * 1000).toISOString(),
    usedAt: null,
    lockedAt: null,
  };
  const slot = (k: string, n: number): CodeSend => ({ _id: `vs_${k}_${day}_${n}`, key: k, day, at: issuedAt });
  return {
    record,
    commit: {
      write: { collection: VERIFICATION_CODES, doc: record, expectedVersion: current?.version ?? 0 },
      appends: [{ collection: VERIFICATION_SENDS, docs: [slot(destKey, toDestination.length + 1), slot(userKey, forUser.length + 1)] }],
    },
    message: messageFor(channel, destination, code, Math.round(cfg.ttlSeconds / 60)),
    destinationMasked,
    expiresAt: record.expiresAt,
    resendAfterSeconds: cfg.resendSeconds,
  };
};

/**
 * Writes an issued code (with `extra` appends, e.g. the message's outbox row) in one transaction.
 * A lost commit means another send for this user or destination won the same moment: RATE_LIMITED.
 */
export const commitIssuedCode = async (deps: IdentityDeps, issued: IssuedCode, extra: Append[] = []): Promise<void> => {
  const r = await deps.store.commit(issued.commit.write, [...issued.commit.appends, ...extra]);
  if (!r.ok) limited(issued.resendAfterSeconds * 1000, 'concurrent');
};

export interface CodeCheck extends CodeRequest {
  code: string;
}

/**
 * Spends the code if it is right; otherwise counts the wrong entry. Refusals (nothing else
 * changes): CODE_INVALID (details.reason 'format' | 'none' | 'destination' | 'used', or 'wrong'
 * with details.attemptsLeft), CODE_EXPIRED, CODE_LOCKED (the limit reached now or before).
 * Concurrent entries are each counted: every decision is a compare-and-set on the version read,
 * and a lost one is decided again on the new state.
 */
export const checkCode = async (deps: IdentityDeps, input: CodeCheck): Promise<VerificationCode> => {
  const { purpose, channel, destination } = parseRequest(input);
  if (typeof input.code !== 'string' || !/^\d{6}$/.test(input.code.trim())) throw new AppError('CODE_INVALID', undefined, { reason: 'format' });
  const entered = input.code.trim();
  const cfg = deps.config.identity.verificationCodes;
  const key = await deps.secrets.get('verification-code-hmac');
  const id = codeSlotId(purpose, input.openid);
  const destKey = destinationKeyOf(key, channel, destination);
  for (let attempt = 0; attempt < 8; attempt++) {
    const rec = await deps.store.get<VerificationCode>(VERIFICATION_CODES, id);
    if (!rec || rec.openid !== input.openid) throw new AppError('CODE_INVALID', '请先获取验证码', { reason: 'none' });
    // Not the number/address the code went to: the entry says nothing about the code, so it is not counted.
    if (rec.channel !== channel || rec.destinationKey !== destKey) throw new AppError('CODE_INVALID', '验证码与手机号或邮箱不匹配，请重新获取', { reason: 'destination' });
    if (rec.status === 'used') throw new AppError('CODE_INVALID', '验证码已使用，请重新获取', { reason: 'used' });
    if (rec.status === 'locked') throw new AppError('CODE_LOCKED');
    const now = deps.clock.now();
    if (now.getTime() >= Date.parse(rec.expiresAt)) throw new AppError('CODE_EXPIRED');
    const right = timingSafeEqual(codeHash(key, rec._id, rec.issuedAt, entered), Buffer.from(rec.codeHash, 'hex'));
    const at = now.toISOString();
    if (right) {
      const spent: VerificationCode = { ...rec, status: moveCode(rec.status, 'right_entry'), usedAt: at };
      if (await deps.store.compareAndSet(VERIFICATION_CODES, spent, rec.version ?? 0)) return { ...spent, version: (rec.version ?? 0) + 1 };
      continue;
    }
    const wrongTries = rec.wrongTries + 1;
    const last = wrongTries >= cfg.maxWrongTries;
    const counted: VerificationCode = { ...rec, wrongTries, status: moveCode(rec.status, last ? 'last_wrong_entry' : 'wrong_entry'), lockedAt: last ? at : null };
    if (await deps.store.compareAndSet(VERIFICATION_CODES, counted, rec.version ?? 0)) {
      if (last) throw new AppError('CODE_LOCKED');
      throw new AppError('CODE_INVALID', `验证码错误，还可尝试${cfg.maxWrongTries - wrongTries}次`, { reason: 'wrong', attemptsLeft: cfg.maxWrongTries - wrongTries });
    }
  }
  throw new AppError('CONFLICT', '验证过于频繁，请稍后重试');
};
