/**
 * N1 verification codes (M2 limits): six digits read from the SMS outbox or the mail outbox like a
 * user reads them; only a keyed hash stored; 5 minutes, one use, 5 wrong entries void it, 60 s
 * before a resend, daily caps per destination and per user — each refusal with its code.
 * Real SQLite store, local secrets and outboxes (test/identity/support.ts).
 */
import { StaticSecrets } from '../../shared/adapters/local/local-secrets';
import {
  checkCode,
  codeSlotId,
  commitIssuedCode,
  issueCode,
  moveCode,
  VERIFICATION_CODES,
  type CodeRequest,
  type VerificationCode,
} from '../../shared/identity/verification-codes';
import { identityConfig, openBench, refusal, START, type Bench } from './support';

let b: Bench;
beforeEach(() => {
  b = openBench('codes');
});
afterEach(() => b.close());

const seconds = (n: number) => b.clock.advance(n * 1000);
let phoneSeq = 0;
const newPhone = () => `139${String(10_000_000 + ++phoneSeq).slice(-8)}`;

/** Issue, commit and deliver, as verification-code-send does; returns the code the user receives. */
const send = async (req: CodeRequest): Promise<string> => {
  const issued = await issueCode(b, req);
  await commitIssuedCode(b, issued);
  await b.deliver(issued.message);
  // Read where the message went (the normalised number or address), like the user does.
  return issued.message.channel === 'sms' ? b.lastSmsCode(issued.message.sms.phone) : b.lastEmailCode(issued.message.email.to);
};

const smsReq = (openid: string, phone: string): CodeRequest => ({ openid, channel: 'sms', destination: phone, purpose: 'phone_change' });
const stored = (openid: string, purpose: VerificationCode['purpose'] = 'phone_change') => b.store.get<VerificationCode>(VERIFICATION_CODES, codeSlotId(purpose, openid));

describe('N1 issuing a code', () => {
  test('six digits go out in the verification_code SMS; the store keeps only an HMAC and a masked number', async () => {
    const phone = '13800138000';
    const issued = await issueCode(b, smsReq('o-a', phone));
    expect(issued.message).toEqual({ channel: 'sms', sms: { phone, template: 'verification_code', params: [expect.stringMatching(/^\d{6}$/)] } });
    expect(issued).toMatchObject({ destinationMasked: '138****8000', resendAfterSeconds: 60, expiresAt: '2026-03-16T02:05:00.000Z' });
    // Nothing is written until the caller commits.
    expect(await stored('o-a')).toBeNull();
    await commitIssuedCode(b, issued);
    await b.deliver(issued.message);
    const code = await b.lastSmsCode(phone);
    expect(code).toBe(issued.message.channel === 'sms' && issued.message.sms.params[0]);
    const [sms] = await b.store.find<{ _id: string; text: string }>('sms_outbox', { phone });
    expect(sms!.text).toBe(`您的验证码为${code}，5分钟内有效，请勿泄露给他人。如非本人操作，请忽略本短信。`);

    const rec = (await stored('o-a'))!;
    expect(Object.keys(rec).sort()).toEqual(
      ['_id', 'version', 'openid', 'purpose', 'channel', 'destinationKey', 'destinationMasked', 'codeHash', 'status', 'wrongTries', 'issuedAt', 'expiresAt', 'resendAt', 'usedAt', 'lockedAt'].sort(),
    );
    expect(rec).toMatchObject({ status: 'active', wrongTries: 0, channel: 'sms', purpose: 'phone_change', destinationMasked: '138****8000', usedAt: null });
    expect(rec.codeHash).toMatch(/^[0-9a-f]{64}$/);
    // Neither the code nor the number is readable from what is stored.
    const { codeHash: _h, destinationKey, ...rest } = rec;
    expect(JSON.stringify(rest)).not.toContain(code);
    expect(JSON.stringify(await b.store.find('verification_sends', {}))).not.toContain(phone);
    expect(destinationKey).not.toContain(phone);
  });

  test('codes are uniform six-digit strings, leading zeros kept', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const issued = await issueCode(b, smsReq(`o-u${i}`, newPhone()));
      const code = issued.message.channel === 'sms' ? issued.message.sms.params[0]! : '';
      expect(code).toMatch(/^\d{6}$/);
      seen.add(code);
    }
    expect(seen.size).toBeGreaterThan(35); // 40 draws from 10^6: a repeat is rare, many would mean a broken generator
  });

  test('the email code goes to the new address through the mail outbox (A4)', async () => {
    const to = 'Wang.Li@Example.COM';
    const code = await send({ openid: 'o-m', channel: 'email', destination: to, purpose: 'email_change' });
    const [mail] = await b.store.find<{ _id: string; to: string; subject: string; text: string }>('email_outbox', {});
    expect(mail).toMatchObject({ to: 'Wang.Li@example.com', subject: '电子签邮箱验证码' });
    expect(mail!.text).toBe(`您的验证码为${code}，5分钟内有效，用于绑定此邮箱。请勿泄露给他人；如非本人操作，请忽略本邮件。`);
    expect((await stored('o-m', 'email_change'))!.destinationMasked).toBe('W***@example.com');
    // The address as typed with another case of domain is the same destination.
    await expect(checkCode(b, { openid: 'o-m', channel: 'email', destination: 'Wang.Li@example.com', purpose: 'email_change', code })).resolves.toMatchObject({ status: 'used' });
  });

  test.each([
    ['an unknown purpose', { purpose: 'login' }, 'VALIDATION_FAILED', '/purpose'],
    ['an email channel for a phone purpose', { channel: 'email', destination: 'a@b.cn' }, 'VALIDATION_FAILED', '/channel'],
    ['an sms channel for the email purpose', { purpose: 'email_change' }, 'VALIDATION_FAILED', '/channel'],
    ['a landline', { destination: '01088886666' }, 'INVALID_PHONE', undefined],
    ['a bad address', { purpose: 'email_change', channel: 'email', destination: 'not-an-email' }, 'VALIDATION_FAILED', '/destination'],
  ])('refuses %s and stores nothing', async (_l, patch, code, field) => {
    const e = await refusal(issueCode(b, { ...smsReq('o-bad', '13800138000'), ...patch } as CodeRequest));
    expect(e.code).toBe(code);
    if (field) expect(e.details).toEqual({ fields: [{ field, rule: expect.any(String) }] });
    expect(await b.store.count('verification_codes', {})).toBe(0);
  });

  test('the SMS the user reads states the validity the configuration gives (5 minutes)', async () => {
    await send(smsReq('o-ttl', '13800000099'));
    const [sms] = await b.store.find<{ _id: string; text: string }>('sms_outbox', { phone: '13800000099' });
    expect(sms!.text).toContain(`${identityConfig().verificationCodes.ttlSeconds / 60}分钟内有效`);
  });
});

describe('N1 checking a code', () => {
  test('the right code is spent once; the second use is CODE_INVALID (used)', async () => {
    const code = await send(smsReq('o-r', '13800000001'));
    seconds(30);
    const spent = await checkCode(b, { ...smsReq('o-r', '13800000001'), code });
    expect(spent).toMatchObject({ status: 'used', usedAt: '2026-03-16T02:00:30.000Z', wrongTries: 0 });
    expect(await stored('o-r')).toMatchObject({ status: 'used', usedAt: '2026-03-16T02:00:30.000Z' });
    expect((await refusal(checkCode(b, { ...smsReq('o-r', '13800000001'), code }))).details).toEqual({ reason: 'used' });
  });

  test('five wrong entries void the code: 4 × CODE_INVALID with attempts left, then CODE_LOCKED, and the right code no longer works', async () => {
    const code = await send(smsReq('o-w', '13800000002'));
    const wrong = code === '000000' ? '000001' : '000000';
    for (const left of [4, 3, 2, 1]) {
      const e = await refusal(checkCode(b, { ...smsReq('o-w', '13800000002'), code: wrong }));
      expect([e.code, e.details]).toEqual(['CODE_INVALID', { reason: 'wrong', attemptsLeft: left }]);
    }
    expect((await refusal(checkCode(b, { ...smsReq('o-w', '13800000002'), code: wrong }))).code).toBe('CODE_LOCKED');
    expect((await refusal(checkCode(b, { ...smsReq('o-w', '13800000002'), code }))).code).toBe('CODE_LOCKED');
    expect(await stored('o-w')).toMatchObject({ status: 'locked', wrongTries: 5, usedAt: null, lockedAt: START });
  });

  test('valid for 5 minutes: right at 4:59, CODE_EXPIRED at 5:00', async () => {
    const code1 = await send(smsReq('o-e', '13800000003'));
    seconds(299);
    await expect(checkCode(b, { ...smsReq('o-e', '13800000003'), code: code1 })).resolves.toMatchObject({ status: 'used' });
    const code2 = await send(smsReq('o-e', '13800000003'));
    seconds(300);
    expect((await refusal(checkCode(b, { ...smsReq('o-e', '13800000003'), code: code2 }))).code).toBe('CODE_EXPIRED');
    expect(await stored('o-e')).toMatchObject({ status: 'active', wrongTries: 0 });
  });

  test('another number than the one the code went to is CODE_INVALID (destination) and is not counted as a guess', async () => {
    const code = await send(smsReq('o-d', '13800000004'));
    const e = await refusal(checkCode(b, { ...smsReq('o-d', '13800000005'), code }));
    expect([e.code, e.details]).toEqual(['CODE_INVALID', { reason: 'destination' }]);
    expect((await stored('o-d'))!.wrongTries).toBe(0);
    await expect(checkCode(b, { ...smsReq('o-d', '+86 138-0000-0004'), code })).resolves.toMatchObject({ status: 'used' });
  });

  test('a code for another purpose or another user does not exist here: CODE_INVALID (none)', async () => {
    const code = await send(smsReq('o-p', '13800000006'));
    expect((await refusal(checkCode(b, { openid: 'o-p', channel: 'sms', destination: '13800000006', purpose: 'realname', code }))).details).toEqual({ reason: 'none' });
    expect((await refusal(checkCode(b, { ...smsReq('o-stranger', '13800000006'), code }))).details).toEqual({ reason: 'none' });
  });

  test.each([['12345'], ['1234567'], ['12345a'], ['']])('a malformed entry %p is CODE_INVALID (format) and not counted', async (entry) => {
    await send(smsReq('o-f', '13800000007'));
    expect((await refusal(checkCode(b, { ...smsReq('o-f', '13800000007'), code: entry }))).details).toEqual({ reason: 'format' });
    expect((await stored('o-f'))!.wrongTries).toBe(0);
  });

  test('the hash is keyed: with another key the right code does not verify', async () => {
    const code = await send(smsReq('o-k', '13800000008'));
    const other = { ...b, secrets: new StaticSecrets({ 'verification-code-hmac': 'f'.repeat(64) }) };
    const e = await refusal(checkCode(other, { ...smsReq('o-k', '13800000008'), code }));
    // The destination key is keyed too, so the record does not even match the number.
    expect([e.code, e.details]).toEqual(['CODE_INVALID', { reason: 'destination' }]);
    await expect(checkCode(b, { ...smsReq('o-k', '13800000008'), code })).resolves.toMatchObject({ status: 'used' });
  });

  test('ten wrong entries at once count as ten: exactly the fifth locks, none slips through', async () => {
    const code = await send(smsReq('o-c', '13800000009'));
    const wrong = code === '999999' ? '999998' : '999999';
    const results = await Promise.all(Array.from({ length: 10 }, () => refusal(checkCode(b, { ...smsReq('o-c', '13800000009'), code: wrong }))));
    const invalid = results.filter((e) => e.code === 'CODE_INVALID').map((e) => e.details!.attemptsLeft).sort();
    expect(invalid).toEqual([1, 2, 3, 4]);
    expect(results.filter((e) => e.code === 'CODE_LOCKED')).toHaveLength(6);
    expect(await stored('o-c')).toMatchObject({ status: 'locked', wrongTries: 5 });
  });

  test('two right entries at once: one spends the code, the other is told it was used', async () => {
    const code = await send(smsReq('o-2', '13800000010'));
    const results = await Promise.allSettled([0, 1].map(() => checkCode(b, { ...smsReq('o-2', '13800000010'), code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect([lost.reason.code, lost.reason.details]).toEqual(['CODE_INVALID', { reason: 'used' }]);
  });

  test('the status table declares every move and nothing else', () => {
    expect(moveCode('active', 'wrong_entry')).toBe('active');
    expect(moveCode('active', 'last_wrong_entry')).toBe('locked');
    expect(moveCode('active', 'right_entry')).toBe('used');
    expect(() => moveCode('used', 'right_entry')).toThrow('no move right_entry from used');
    expect(() => moveCode('locked', 'wrong_entry')).toThrow('no move wrong_entry from locked');
  });
});

describe('M2 resend interval and daily caps', () => {
  test('a resend before 60 s is RATE_LIMITED with the seconds left; at 60 s the new code replaces the old one', async () => {
    const first = await send(smsReq('o-s', '13800000011'));
    seconds(45);
    const e = await refusal(issueCode(b, smsReq('o-s', '13800000011')));
    expect([e.code, e.details]).toEqual(['RATE_LIMITED', { reason: 'resend', retryAfterSeconds: 15 }]);
    // Hopping to another number does not get round it.
    expect((await refusal(issueCode(b, smsReq('o-s', '13800000012')))).details).toEqual({ reason: 'resend', retryAfterSeconds: 15 });
    seconds(15);
    const second = await send(smsReq('o-s', '13800000011'));
    if (first !== second) {
      const old = await refusal(checkCode(b, { ...smsReq('o-s', '13800000011'), code: first }));
      expect([old.code, old.details]).toEqual(['CODE_INVALID', { reason: 'wrong', attemptsLeft: 4 }]);
    }
    await expect(checkCode(b, { ...smsReq('o-s', '13800000011'), code: second })).resolves.toMatchObject({ status: 'used' });
  });

  test('a locked code can be replaced by a new one after the interval', async () => {
    const code = await send(smsReq('o-l', '13800000013'));
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) await refusal(checkCode(b, { ...smsReq('o-l', '13800000013'), code: wrong }));
    seconds(60);
    const fresh = await send(smsReq('o-l', '13800000013'));
    await expect(checkCode(b, { ...smsReq('o-l', '13800000013'), code: fresh })).resolves.toMatchObject({ status: 'used', wrongTries: 0 });
  });

  test('two accounts cannot take turns at one phone: the interval holds per destination too', async () => {
    await send(smsReq('o-x1', '13800000014'));
    seconds(10);
    expect((await refusal(issueCode(b, smsReq('o-x2', '13800000014')))).details).toEqual({ reason: 'destination_resend', retryAfterSeconds: 50 });
  });

  test('at most 10 codes a China day to one phone, whoever asks; the next day it is open again', async () => {
    const phone = '13800000015';
    for (let i = 0; i < 10; i++) {
      await send(smsReq(`o-dest-${i}`, phone));
      seconds(60);
    }
    // 10:10 China time now; China midnight is 13 h 50 min away.
    const e = await refusal(issueCode(b, smsReq('o-dest-10', phone)));
    expect([e.code, e.details]).toEqual(['RATE_LIMITED', { reason: 'destination_daily', retryAfterSeconds: 13 * 3600 + 50 * 60 }]);
    expect(await b.store.count('sms_outbox', { phone })).toBe(10);
    b.clock.set('2026-03-16T16:00:00.000Z'); // 00:00 on the 17th in China
    await expect(send(smsReq('o-dest-10', phone))).resolves.toMatch(/^\d{6}$/);
  });

  test('at most 20 codes a China day for one user, whatever the destinations', async () => {
    for (let i = 0; i < 20; i++) {
      await send(smsReq('o-busy', newPhone()));
      seconds(60);
    }
    const e = await refusal(issueCode(b, { openid: 'o-busy', channel: 'email', destination: 'busy@example.com', purpose: 'email_change' }));
    expect(e.details).toMatchObject({ reason: 'user_daily' });
  });

  test('two sends at the same moment: one commit wins, the other is RATE_LIMITED and sends nothing', async () => {
    const [x, y] = await Promise.all([issueCode(b, smsReq('o-race', '13800000016')), issueCode(b, smsReq('o-race', '13800000016'))]);
    const outcomes = await Promise.allSettled([commitIssuedCode(b, x!), commitIssuedCode(b, y!)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect([lost.reason.code, lost.reason.details]).toEqual(['RATE_LIMITED', { reason: 'concurrent', retryAfterSeconds: 60 }]);
    expect(await b.store.count('verification_sends', {})).toBe(2); // one destination slot, one user slot
  });
});
