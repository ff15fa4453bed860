/**
 * V2 signing password: scrypt with a per-user salt and a pepper, set / change / reset only with a
 * just-spent face check, five wrong passwords lock it for the configured time per user (not per
 * contract), face recognition stays available. Real SQLite store and local secrets.
 */
import { StaticSecrets } from '../../shared/adapters/local/local-secrets';
import {
  disableSigningMethod,
  loadSigningMethods,
  SIGNING_METHODS_COLLECTION,
  signingMethodsView,
  type FaceProof,
  type SigningMethodsDoc,
} from '../../shared/identity/signing-methods';
import {
  changeSigningPassword,
  checkPasswordRule,
  hashPassword,
  passwordMatches,
  resetSigningPassword,
  setSigningPassword,
  verifySigningPassword,
} from '../../shared/identity/signing-password';
import { identityConfig, openBench, refusal, type Bench } from './support';

let b: Bench;
beforeEach(() => {
  b = openBench('password');
});
afterEach(() => b.close());

let proofSeq = 0;
/** What kit/face-checks consumeFaceCheck returns for a passed `signing_method` check just now. */
const faceProof = (openid: string, patch: Partial<FaceProof> = {}): FaceProof => ({
  _id: `BIZ${++proofSeq}`,
  openid,
  purpose: 'signing_method',
  usedAt: b.clock.now().toISOString(),
  result: { errCode: 0 },
  ...patch,
});
const minutes = (n: number) => b.clock.advance(n * 60_000);
const stored = (openid: string) => b.store.get<SigningMethodsDoc>(SIGNING_METHODS_COLLECTION, openid);
const withPassword = async (openid: string, password = '246810') => setSigningPassword(b, { openid, password, faceProof: faceProof(openid) });

describe('V2 setting the signing password', () => {
  test('after a face check: recommended first, stored as scrypt with its own salt and cost, never the digits', async () => {
    const view = await withPassword('o-a', '246810');
    expect(view).toEqual({ available: ['face', 'password'], recommended: 'password', password: { set: true, lockedUntil: null } });
    const doc = (await stored('o-a'))!;
    expect(doc.password!.params).toEqual({ logN: 10, r: 8, p: 1, keyLength: 32 });
    expect(Buffer.from(doc.password!.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(doc.password!.hash, 'base64')).toHaveLength(32);
    expect(JSON.stringify(doc)).not.toContain('246810');
    expect(doc.faceChecksUsed).toEqual([`BIZ${proofSeq}`]);
    await expect(verifySigningPassword(b, { openid: 'o-a', password: '246810' })).resolves.toEqual({ method: 'password', at: '2026-03-16T02:00:00.000Z' });
  });

  test('the face check is spent by the same commit as the password: a write that loses leaves both as they were', async () => {
    // The face check's record as the operation would spend it, and the spend committed.
    await b.store.insert('face_checks', { _id: 'BIZ-ONE', status: 'pending', usedAt: null });
    const spend = { collection: 'face_checks', doc: { _id: 'BIZ-ONE', status: 'used', usedAt: b.clock.now().toISOString() }, expectedVersion: 1 };
    await expect(setSigningPassword(b, { openid: 'o-c2', password: '246810', faceProof: faceProof('o-c2'), faceWrite: { ...spend, expectedVersion: 7 } })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await stored('o-c2')).toBeNull();
    expect(await b.store.get<any>('face_checks', 'BIZ-ONE')).toMatchObject({ status: 'pending', usedAt: null });
    await setSigningPassword(b, { openid: 'o-c2', password: '246810', faceProof: faceProof('o-c2'), faceWrite: spend });
    expect((await stored('o-c2'))!.password).not.toBeNull();
    expect(await b.store.get<any>('face_checks', 'BIZ-ONE')).toMatchObject({ status: 'used' });
  });

  test('the same password of two users gives two salts and two hashes', async () => {
    await withPassword('o-1', '135790');
    await withPassword('o-2', '135790');
    const [x, y] = [(await stored('o-1'))!.password!, (await stored('o-2'))!.password!];
    expect(x.salt).not.toBe(y.salt);
    expect(x.hash).not.toBe(y.hash);
  });

  test.each([
    ['five digits', '24681', 'pattern'],
    ['letters', '24681a', 'pattern'],
    ['all the same', '777777', 'weak'],
    ['ascending run', '345678', 'weak'],
    ['descending run', '987654', 'weak'],
  ])('refuses %s (VALIDATION_FAILED) and stores nothing', async (_l, password, rule) => {
    const e = await refusal(setSigningPassword(b, { openid: 'o-v', password, faceProof: faceProof('o-v') }));
    expect([e.code, e.details]).toEqual(['VALIDATION_FAILED', { fields: [{ field: '/password', rule }] }]);
    expect(await stored('o-v')).toBeNull();
  });

  test.each([
    ['another user\'s check', { openid: 'o-mallory' }, 'wrong_user'],
    ['a check for signing a contract', { purpose: 'sign' }, 'wrong_purpose'],
    ['a failed check', { result: { errCode: 3004 } }, 'not_passed'],
    ['a check nobody spent', { usedAt: null }, 'not_passed'],
    ['a check spent 11 minutes ago', { usedAt: '2026-03-16T01:49:00.000Z' }, 'stale'],
  ])('refuses %s (IDENTITY_CHECK_FAILED) and stores nothing', async (_l, patch, reason) => {
    const e = await refusal(setSigningPassword(b, { openid: 'o-f', password: '246810', faceProof: faceProof('o-f', patch as Partial<FaceProof>) }));
    expect([e.code, e.details]).toEqual(['IDENTITY_CHECK_FAILED', { reason }]);
    expect(await stored('o-f')).toBeNull();
  });

  test('one face check changes one thing: the same check cannot also reset the password', async () => {
    const proof = faceProof('o-once');
    await setSigningPassword(b, { openid: 'o-once', password: '246810', faceProof: proof });
    const e = await refusal(resetSigningPassword(b, { openid: 'o-once', password: '135790', faceProof: proof }));
    expect([e.code, e.details]).toEqual(['IDENTITY_CHECK_FAILED', { reason: 'used' }]);
    await expect(verifySigningPassword(b, { openid: 'o-once', password: '246810' })).resolves.toMatchObject({ method: 'password' });
  });

  test('a second set is ALREADY_EXISTS: change or reset it instead', async () => {
    await withPassword('o-twice');
    expect((await refusal(withPassword('o-twice', '135790'))).code).toBe('ALREADY_EXISTS');
  });

  test('without a password set: SIGNING_PASSWORD_NOT_SET', async () => {
    expect((await refusal(verifySigningPassword(b, { openid: 'o-none', password: '246810' }))).code).toBe('SIGNING_PASSWORD_NOT_SET');
  });
});

describe('V2 wrong passwords and the lock', () => {
  test('four wrong → INCORRECT with attempts left; the fifth locks for 180 minutes; the sixth (even right) is refused', async () => {
    await withPassword('o-l', '246810');
    for (const left of [4, 3, 2, 1]) {
      const e = await refusal(verifySigningPassword(b, { openid: 'o-l', password: '135790' }));
      expect([e.code, e.details]).toEqual(['SIGNING_PASSWORD_INCORRECT', { attemptsLeft: left }]);
    }
    const fifth = await refusal(verifySigningPassword(b, { openid: 'o-l', password: '135790' }));
    expect([fifth.code, fifth.details]).toEqual(['SIGNING_PASSWORD_LOCKED', { retryAfterSeconds: 180 * 60 }]);
    minutes(30);
    const sixth = await refusal(verifySigningPassword(b, { openid: 'o-l', password: '246810' }));
    expect([sixth.code, sixth.details]).toEqual(['SIGNING_PASSWORD_LOCKED', { retryAfterSeconds: 150 * 60 }]);
    // The owner's view says until when; face recognition is still offered meanwhile.
    expect(signingMethodsView(await loadSigningMethods(b, 'o-l'), b.clock.now())).toEqual({
      available: ['face', 'password'], recommended: 'password', password: { set: true, lockedUntil: '2026-03-16T05:00:00.000Z' },
    });
  });

  test('the lock is per user: another user is not locked, and the lock holds whichever contract is signed', async () => {
    await withPassword('o-u1', '246810');
    await withPassword('o-u2', '246810');
    for (let i = 0; i < 5; i++) await refusal(verifySigningPassword(b, { openid: 'o-u1', password: '135790' }));
    await expect(verifySigningPassword(b, { openid: 'o-u2', password: '246810' })).resolves.toMatchObject({ method: 'password' });
    // verifySigningPassword takes no contract: there is no other contract to try on.
    expect((await refusal(verifySigningPassword(b, { openid: 'o-u1', password: '246810' }))).code).toBe('SIGNING_PASSWORD_LOCKED');
  });

  test('after the lock ends the right password works and the count starts again', async () => {
    await withPassword('o-e', '246810');
    for (let i = 0; i < 5; i++) await refusal(verifySigningPassword(b, { openid: 'o-e', password: '135790' }));
    minutes(180);
    const e = await refusal(verifySigningPassword(b, { openid: 'o-e', password: '135790' }));
    expect([e.code, e.details]).toEqual(['SIGNING_PASSWORD_INCORRECT', { attemptsLeft: 4 }]);
    await expect(verifySigningPassword(b, { openid: 'o-e', password: '246810' })).resolves.toMatchObject({ method: 'password' });
    expect(await stored('o-e')).toMatchObject({ passwordFailures: 0, passwordLockedUntil: null });
  });

  test('a right password resets the count: wrong passwords must be in a row to lock', async () => {
    await withPassword('o-r', '246810');
    for (let i = 0; i < 4; i++) await refusal(verifySigningPassword(b, { openid: 'o-r', password: '135790' }));
    await verifySigningPassword(b, { openid: 'o-r', password: '246810' });
    const e = await refusal(verifySigningPassword(b, { openid: 'o-r', password: '135790' }));
    expect(e.details).toEqual({ attemptsLeft: 4 });
  });

  test('anything typed counts as a guess, even a shape no password has', async () => {
    await withPassword('o-g', '246810');
    const e = await refusal(verifySigningPassword(b, { openid: 'o-g', password: 'abc' }));
    expect([e.code, e.details]).toEqual(['SIGNING_PASSWORD_INCORRECT', { attemptsLeft: 4 }]);
  });

  test('eight wrong passwords at once: each is counted, exactly the fifth locks', async () => {
    await withPassword('o-c', '246810');
    const results = await Promise.all(Array.from({ length: 8 }, () => refusal(verifySigningPassword(b, { openid: 'o-c', password: '135790' }))));
    expect(results.filter((e) => e.code === 'SIGNING_PASSWORD_INCORRECT').map((e) => e.details!.attemptsLeft).sort()).toEqual([1, 2, 3, 4]);
    expect(results.filter((e) => e.code === 'SIGNING_PASSWORD_LOCKED')).toHaveLength(4);
  });
});

describe('V2 change, reset, switch off', () => {
  test('change: the current password and a face check; the old one stops working', async () => {
    await withPassword('o-ch', '246810');
    const wrong = await refusal(changeSigningPassword(b, { openid: 'o-ch', currentPassword: '135790', newPassword: '975310', faceProof: faceProof('o-ch') }));
    expect([wrong.code, wrong.details]).toEqual(['SIGNING_PASSWORD_INCORRECT', { attemptsLeft: 4 }]);
    const oldSalt = (await stored('o-ch'))!.password!.salt;
    await changeSigningPassword(b, { openid: 'o-ch', currentPassword: '246810', newPassword: '975310', faceProof: faceProof('o-ch') });
    expect((await stored('o-ch'))!.password!.salt).not.toBe(oldSalt);
    expect((await refusal(verifySigningPassword(b, { openid: 'o-ch', password: '246810' }))).code).toBe('SIGNING_PASSWORD_INCORRECT');
    await expect(verifySigningPassword(b, { openid: 'o-ch', password: '975310' })).resolves.toMatchObject({ method: 'password' });
  });

  test('change while locked is refused; reset (face check only) clears the lock', async () => {
    await withPassword('o-rs', '246810');
    for (let i = 0; i < 5; i++) await refusal(verifySigningPassword(b, { openid: 'o-rs', password: '135790' }));
    expect((await refusal(changeSigningPassword(b, { openid: 'o-rs', currentPassword: '246810', newPassword: '975310', faceProof: faceProof('o-rs') }))).code).toBe('SIGNING_PASSWORD_LOCKED');
    const view = await resetSigningPassword(b, { openid: 'o-rs', password: '975310', faceProof: faceProof('o-rs') });
    expect(view.password).toEqual({ set: true, lockedUntil: null });
    await expect(verifySigningPassword(b, { openid: 'o-rs', password: '975310' })).resolves.toMatchObject({ method: 'password' });
  });

  test('reset needs a face check like set does', async () => {
    await withPassword('o-rf', '246810');
    const e = await refusal(resetSigningPassword(b, { openid: 'o-rf', password: '975310', faceProof: faceProof('o-rf', { result: { errCode: 3004 } }) }));
    expect([e.code, e.details]).toEqual(['IDENTITY_CHECK_FAILED', { reason: 'not_passed' }]);
    await expect(verifySigningPassword(b, { openid: 'o-rf', password: '246810' })).resolves.toMatchObject({ method: 'password' });
  });

  test('switched off: no password to check, face recognition recommended again', async () => {
    await withPassword('o-off');
    expect(await disableSigningMethod(b, { openid: 'o-off', method: 'password' })).toEqual({ available: ['face'], recommended: 'face', password: { set: false, lockedUntil: null } });
    expect((await refusal(verifySigningPassword(b, { openid: 'o-off', password: '246810' }))).code).toBe('SIGNING_PASSWORD_NOT_SET');
  });
});

describe('V2 the hash itself', () => {
  test('the production cost (N = 2^15, r = 8, p = 1, 32 bytes) is what new hashes carry, and they verify', async () => {
    const prod = { ...b, config: { identity: identityConfig() } };
    const h = await hashPassword(prod, '246810');
    expect(h.params).toEqual({ logN: 15, r: 8, p: 1, keyLength: 32 });
    expect(await passwordMatches(prod, h, '246810')).toBe(true);
    expect(await passwordMatches(prod, h, '246811')).toBe(false);
  });

  test('each hash keeps its cost: raising the configured cost does not break passwords set before', async () => {
    await withPassword('o-cost', '246810');
    const raised = { ...b, config: { identity: identityConfig((c) => { c.signingPassword.scrypt.logN = 12; }) } };
    await expect(verifySigningPassword(raised, { openid: 'o-cost', password: '246810' })).resolves.toMatchObject({ method: 'password' });
  });

  test('the pepper is part of the hash: with the database but another pepper, the right password does not match', async () => {
    await withPassword('o-pep', '246810');
    const h = (await stored('o-pep'))!.password!;
    const thief = { ...b, secrets: new StaticSecrets({ 'signing-password-pepper': '0'.repeat(64) }) };
    expect(await passwordMatches(thief, h, '246810')).toBe(false);
    expect(await passwordMatches(b, h, '246810')).toBe(true);
  });

  test('checkPasswordRule accepts ordinary six-digit passwords', () => {
    for (const p of ['246810', '012345'.replace('0', '9'), '100000', '135791']) expect(checkPasswordRule(p)).toBe(p);
  });
});
