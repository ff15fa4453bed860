/**
 * The account (A2, N1, identity-verify first time only) through the emulator: the back door that
 * re-verifying used to be is closed, codes go through the outbox and are read from the SMS a user
 * would receive, and a phone change needs the new number's code and the owner's face.
 */
import type { Emulator } from '../../emulator/server';
import { residentIdCheckChar } from '../../shared/rules/id-number';
import { requireCrossBorder } from '../../shared/identity/users';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';

let emu: Emulator;
let client: Client;
const alice = person('o-ac-alice', '钱一', 35);
const bob = person('o-ac-bob', '孙二', 35);
const carol = person('o-ac-carol', '李三', 35);
const stranger = person('o-ac-stranger', '周四', 35);

const user = async (openid: string) => (await emu.container.store.get<{ _id: string; realName: { name: string; idNumber: string; phone: string } | null }>('users', openid))!;
/** The latest code the emulator's SMS outbox shows for that phone, as the user reads it. */
const codeSentTo = async (phone: string): Promise<string> => {
  const msgs = (await client.sms(phone)).filter((m) => m.template === 'verification_code');
  const m = /验证码为(\d{6})/.exec(msgs[msgs.length - 1]?.text ?? '');
  if (!m) throw new Error(`no code sent to ${phone}`);
  return m[1]!;
};
const accountFace = async (p: Person, pass = true): Promise<string> => {
  const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'account' });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass });
  return bizToken;
};
const realnameFace = async (openid: string, name: string, idNumber: string): Promise<string> => {
  const { bizToken } = await client.ok('face-start', openid, { purpose: 'realname', name, idNumber });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass: true });
  return bizToken;
};
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
let fresh = 13700000100;
const newPhone = () => String(fresh++);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('account'));
  for (const p of [alice, bob, carol]) await client.verify(p);
});
afterAll(() => emu.close());

describe('identity-verify is first-time 实名认证 only', () => {
  test('a second identity-verify with another phone changes nothing and points to the phone change; the face check is not spent', async () => {
    const before = JSON.stringify(await user(alice.openid));
    const token = await realnameFace(alice.openid, alice.name, alice.idNumber);
    const r = await client.call('identity-verify', alice.openid, { name: alice.name, idNumber: alice.idNumber, phone: '13911112222', bizToken: token });
    expect(r.status).toBe(409);
    expect(r.error?.code).toBe('USE_PHONE_CHANGE');
    expect(r.error?.details).toEqual({ next: 'phone-change' });
    expect(JSON.stringify(await user(alice.openid))).toBe(before);
    expect((await emu.container.store.get<{ _id: string; usedAt: string | null }>('face_checks', token))!.usedAt).toBeNull();
  });

  test('another name is the rename (USE_RENAME), another ID number is refused (ID_NUMBER_FIXED); nothing changes', async () => {
    const before = JSON.stringify(await user(bob.openid));
    const renamed = await client.call('identity-verify', bob.openid, { name: '孙新', idNumber: bob.idNumber, phone: bob.phone, bizToken: await realnameFace(bob.openid, '孙新', bob.idNumber) });
    expect(renamed.error?.code).toBe('USE_RENAME');
    const other = await client.call('identity-verify', bob.openid, { name: carol.name, idNumber: carol.idNumber, phone: carol.phone, bizToken: await realnameFace(bob.openid, carol.name, carol.idNumber) });
    expect(other.error?.code).toBe('ID_NUMBER_FIXED');
    expect(JSON.stringify(await user(bob.openid))).toBe(before);
  });

  test('the same details again answer as verified and change nothing', async () => {
    const before = JSON.stringify(await user(carol.openid));
    const r = await client.ok('identity-verify', carol.openid, { name: carol.name, idNumber: carol.idNumber, phone: carol.phone, bizToken: await realnameFace(carol.openid, carol.name, carol.idNumber) });
    expect(r.verified).toBe(true);
    expect(JSON.stringify(await user(carol.openid))).toBe(before);
  });
});

describe('N1 verification-code-send', () => {
  test('refusals: no caller, an unverified caller, bad input, the same phone, another account\'s phone — nothing sent', async () => {
    const smsBefore = (await client.sms()).length;
    expect((await client.call('verification-code-send', null, { channel: 'sms', purpose: 'phone_change', destination: newPhone() })).error?.code).toBe('UNAUTHENTICATED');
    expect((await client.call('verification-code-send', stranger.openid, { channel: 'sms', purpose: 'phone_change', destination: newPhone() })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('verification-code-send', alice.openid, { channel: 'sms', purpose: 'realname', destination: newPhone() })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('verification-code-send', alice.openid, { channel: 'email', purpose: 'phone_change', destination: 'a@example.com' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('verification-code-send', alice.openid, { channel: 'sms', purpose: 'phone_change', destination: '12345678901' })).error?.code).toBe('INVALID_PHONE');
    expect((await client.call('verification-code-send', alice.openid, { channel: 'sms', purpose: 'phone_change', destination: alice.phone })).error?.code).toBe('PHONE_UNCHANGED');
    expect((await client.call('verification-code-send', alice.openid, { channel: 'sms', purpose: 'phone_change', destination: bob.phone })).error?.code).toBe('PHONE_IN_USE');
    expect((await client.sms()).length).toBe(smsBefore);
  });

  test('the code goes out through the outbox; a resend within 60 s is RATE_LIMITED with the seconds to wait', async () => {
    const phone = newPhone();
    const sent = await client.ok('verification-code-send', carol.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    expect(sent).toMatchObject({ sent: true, to: `${phone.slice(0, 3)}****${phone.slice(-4)}`, resendAfterSeconds: 60 });
    expect(await codeSentTo(phone)).toMatch(/^\d{6}$/);
    const outbox = (await client.raw('GET', '/_emulator/outbox')).json.messages.filter((m: { template: string }) => m.template === 'verification_code');
    expect(outbox[outbox.length - 1]).toMatchObject({ kind: 'sms', state: 'sent', contractId: null });
    const again = await client.call('verification-code-send', carol.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    expect(again.status).toBe(429);
    expect(again.error?.code).toBe('RATE_LIMITED');
    expect(again.error?.details?.retryAfterSeconds).toBe(60);
    expect((await client.sms(phone)).length).toBe(1);
    await client.advanceMinutes(1);
    await client.ok('verification-code-send', carol.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    expect((await client.sms(phone)).length).toBe(2);
  });

  test('A4: an e-mail code goes to the address through the mail outbox', async () => {
    await client.ok('verification-code-send', bob.openid, { channel: 'email', purpose: 'email_change', destination: 'sun.er@example.com' });
    const mails = (await client.raw('GET', '/outbox/email?to=sun.er@example.com')).json.messages;
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toMatch(/验证码为\d{6}/);
  });
});

describe('A2 phone-change', () => {
  test('five wrong codes void it; a new code plus the owner\'s face changes the number; the old number gets a security notice', async () => {
    const phone = newPhone();
    await client.ok('verification-code-send', alice.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    const code = await codeSentTo(phone);
    const face = await accountFace(alice);
    for (let left = 4; left >= 1; left--) {
      const r = await client.call('phone-change', alice.openid, { phone, code: wrong(code), bizToken: face });
      expect(r.error?.code).toBe('CODE_INVALID');
      expect(r.error?.details).toMatchObject({ reason: 'wrong', attemptsLeft: left });
    }
    expect((await client.call('phone-change', alice.openid, { phone, code: wrong(code), bizToken: face })).error?.code).toBe('CODE_LOCKED');
    // Void: even the right code no longer works, and nothing changed.
    expect((await client.call('phone-change', alice.openid, { phone, code, bizToken: face })).error?.code).toBe('CODE_LOCKED');
    expect((await user(alice.openid)).realName!.phone).toBe(alice.phone);

    await client.advanceMinutes(1);
    await client.ok('verification-code-send', alice.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    const changed = await client.ok('phone-change', alice.openid, { phone, code: await codeSentTo(phone), bizToken: face });
    expect(changed.phone).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect((await user(alice.openid)).realName!.phone).toBe(phone);
    expect((await client.sms(alice.phone)).map((m) => m.template)).toContain('phone_changed');
    expect((await client.ok('user-profile', alice.openid)).phone).toBe(changed.phone);
    // The face check was spent with the change.
    expect((await client.call('phone-change', alice.openid, { phone: newPhone(), code: '000000', bizToken: face })).error?.code).toBe('IDENTITY_CHECK_FAILED');
  });

  test('refusals change nothing: a stranger, bad input, a failed or someone else\'s face check (the code stays usable), a wrong destination', async () => {
    const phone = newPhone();
    const before = JSON.stringify(await user(bob.openid));
    await client.advanceMinutes(1);
    await client.ok('verification-code-send', bob.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    const code = await codeSentTo(phone);
    expect((await client.call('phone-change', null, { phone, code, bizToken: 'x'.repeat(20) })).error?.code).toBe('UNAUTHENTICATED');
    expect((await client.call('phone-change', stranger.openid, { phone, code, bizToken: 'x'.repeat(20) })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('phone-change', bob.openid, { phone, code })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('phone-change', bob.openid, { phone: bob.phone, code, bizToken: await accountFace(bob) })).error?.code).toBe('PHONE_UNCHANGED');
    expect((await client.call('phone-change', bob.openid, { phone: carol.phone, code, bizToken: await accountFace(bob) })).error?.code).toBe('PHONE_IN_USE');
    expect((await client.call('phone-change', bob.openid, { phone, code, bizToken: await accountFace(bob, false) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.call('phone-change', bob.openid, { phone, code, bizToken: await accountFace(carol) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    // A code for one number does not change to another.
    const elsewhere = await client.call('phone-change', bob.openid, { phone: newPhone(), code, bizToken: await accountFace(bob) });
    expect(elsewhere.error?.code).toBe('CODE_INVALID');
    expect(elsewhere.error?.details).toMatchObject({ reason: 'destination' });
    expect(JSON.stringify(await user(bob.openid))).toBe(before);
    // None of those counted against the code: it still changes the number.
    await client.ok('phone-change', bob.openid, { phone, code, bizToken: await accountFace(bob) });
    expect((await user(bob.openid)).realName!.phone).toBe(phone);
  });

  test('an expired code is CODE_EXPIRED', async () => {
    const phone = newPhone();
    await client.advanceMinutes(1);
    await client.ok('verification-code-send', carol.openid, { channel: 'sms', purpose: 'phone_change', destination: phone });
    const code = await codeSentTo(phone);
    await client.advanceMinutes(6);
    expect((await client.call('phone-change', carol.openid, { phone, code, bizToken: await accountFace(carol) })).error?.code).toBe('CODE_EXPIRED');
  });
});

describe('A4 email-change', () => {
  const mailCode = async (to: string): Promise<string> => {
    const mails = (await client.raw('GET', `/outbox/email?to=${encodeURIComponent(to)}`)).json.messages;
    return /验证码为(\d{6})/.exec(mails[mails.length - 1]?.text ?? '')![1]!;
  };

  test('the code sent to the new address binds it; the profile shows it masked', async () => {
    const to = 'qian.yi@example.com';
    await client.ok('verification-code-send', alice.openid, { channel: 'email', purpose: 'email_change', destination: to });
    const r = await client.ok('email-change', alice.openid, { email: to, code: await mailCode(to) });
    expect(r.email).toBe('q***@example.com');
    expect((await emu.container.store.get<{ _id: string; email?: string }>('users', alice.openid))!.email).toBe(to);
    expect((await client.ok('user-profile', alice.openid)).email).toBe('q***@example.com');
  });

  test('refusals change nothing: no caller, a stranger, bad input, a wrong code, a code for another address', async () => {
    const to = 'li.san@example.com';
    await client.ok('verification-code-send', carol.openid, { channel: 'email', purpose: 'email_change', destination: to });
    const code = await mailCode(to);
    const before = JSON.stringify(await user(carol.openid));
    expect((await client.call('email-change', null, { email: to, code })).error?.code).toBe('UNAUTHENTICATED');
    expect((await client.call('email-change', stranger.openid, { email: to, code })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('email-change', carol.openid, { email: to })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('email-change', carol.openid, { email: to, code: wrong(code) })).error?.details).toMatchObject({ reason: 'wrong', attemptsLeft: 4 });
    expect((await client.call('email-change', carol.openid, { email: 'other@example.com', code })).error?.details).toMatchObject({ reason: 'destination' });
    expect(JSON.stringify(await user(carol.openid))).toBe(before);
  });
});

describe('A6 cross-border-set', () => {
  test('a passed face check of the owner switches it on, then off; user-profile shows it', async () => {
    expect((await client.ok('user-profile', carol.openid)).crossBorder).toBe(false);
    expect(await client.ok('cross-border-set', carol.openid, { enabled: true, bizToken: await accountFace(carol) })).toMatchObject({ crossBorder: true });
    expect((await client.ok('user-profile', carol.openid)).crossBorder).toBe(true);
    await client.ok('cross-border-set', carol.openid, { enabled: false, bizToken: await accountFace(carol) });
    expect((await client.ok('user-profile', carol.openid)).crossBorder).toBe(false);
  });

  test('refusals change nothing: no caller, a stranger, bad input, a failed, someone else\'s or a spent face check', async () => {
    const before = JSON.stringify(await user(bob.openid));
    expect((await client.call('cross-border-set', null, { enabled: true, bizToken: 'x'.repeat(20) })).error?.code).toBe('UNAUTHENTICATED');
    expect((await client.call('cross-border-set', stranger.openid, { enabled: true, bizToken: 'x'.repeat(20) })).error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await client.call('cross-border-set', bob.openid, { enabled: 'yes', bizToken: await accountFace(bob) })).error?.code).toBe('VALIDATION_FAILED');
    expect((await client.call('cross-border-set', bob.openid, { enabled: true, bizToken: await accountFace(bob, false) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.call('cross-border-set', bob.openid, { enabled: true, bizToken: await accountFace(carol) })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect(JSON.stringify(await user(bob.openid))).toBe(before);
    const once = await accountFace(bob);
    await client.ok('cross-border-set', bob.openid, { enabled: true, bizToken: once });
    expect((await client.call('cross-border-set', bob.openid, { enabled: false, bizToken: once })).error?.code).toBe('IDENTITY_CHECK_FAILED');
    expect((await client.ok('user-profile', bob.openid)).crossBorder).toBe(true);
  });
});

describe('P4 a contract with a HK/Macau/Taiwan resident', () => {
  // 港澳台居民居住证: 81 (Hong Kong) address code, GB 11643 checksum, born 1985-06-15.
  const hkId = (() => { const first17 = '81000019850615123'; return first17 + residentIdCheckChar(first17); })();
  const hk = { openid: 'o-ac-hk', name: '陈港', idNumber: hkId, phone: '13700009999' };
  const lender = person('o-ac-lender', '赵五', 40);

  // Every kind is mainlandOnly today (templates/*/template.json), so contract-create refuses a
  // residence permit before any act; the gate contract-sign runs is exercised on the accounts here.
  test('a residence-permit holder verifies through the same face check; the mainland party is the blocker until 跨境签署 is on', async () => {
    await client.verify(hk);
    await client.verify(lender);
    expect((await user(hk.openid)).realName).toMatchObject({ idNumber: hkId });
    const parties = [{ openid: lender.openid, details: { idNumber: lender.idNumber } }, { openid: hk.openid, details: { idNumber: hkId } }];
    await expect(requireCrossBorder(emu.container, parties)).rejects.toMatchObject({ code: 'CROSS_BORDER_REQUIRED', details: { parties: [0] } });
    await expect(requireCrossBorder(emu.container, [parties[0]!, { openid: carol.openid, details: { idNumber: carol.idNumber } }])).resolves.toBeUndefined();
    await client.ok('cross-border-set', lender.openid, { enabled: true, bizToken: await accountFace(lender) });
    await expect(requireCrossBorder(emu.container, parties)).resolves.toBeUndefined();
  });
});
