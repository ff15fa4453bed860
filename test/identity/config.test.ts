/**
 * config/identity.json is checked at the cold start: a typo must fail loudly, not weaken a limit
 * (N1, V2). And the recommended signing method follows what was switched on last (V2).
 */
import identityJson from '../../config/identity.json';
import { parseIdentityConfig } from '../../shared/identity/config';
import { disableSigningMethod, loadSigningMethods, signingMethodsView } from '../../shared/identity/signing-methods';
import { setSigningPassword } from '../../shared/identity/signing-password';
import { enableSoterMode, issueSoterChallenge } from '../../shared/identity/soter';
import { openBench } from './support';

test('the shipped file gives the issue\'s numbers', () => {
  expect(parseIdentityConfig(identityJson)).toEqual({
    verificationCodes: { ttlSeconds: 300, maxWrongTries: 5, resendSeconds: 60, perDestinationPerDay: 10, perUserPerDay: 20 },
    signingPassword: { maxWrongTries: 5, lockMinutes: 180, scrypt: { logN: 15, r: 8, p: 1, keyLength: 32 } },
    soter: { challengeTtlSeconds: 300 },
    faceProofMaxAgeMinutes: 10,
  });
});

test.each([
  ['a string where a number belongs', (c: any) => { c.verificationCodes.maxWrongTries = '5'; }, 'verificationCodes.maxWrongTries'],
  ['zero wrong tries', (c: any) => { c.signingPassword.maxWrongTries = 0; }, 'signingPassword.maxWrongTries'],
  ['a fractional lock', (c: any) => { c.signingPassword.lockMinutes = 1.5; }, 'signingPassword.lockMinutes'],
  ['a scrypt cost below 2^10', (c: any) => { c.signingPassword.scrypt.logN = 8; }, 'signingPassword.scrypt.logN'],
  ['a missing block', (c: any) => { delete c.soter; }, 'soter'],
  ['a code valid for a day', (c: any) => { c.verificationCodes.ttlSeconds = 86_400; }, 'verificationCodes.ttlSeconds'],
])('refuses %s, naming the setting', (_l, patch, path) => {
  const c = structuredClone(identityJson) as any;
  patch(c);
  expect(() => parseIdentityConfig(c)).toThrow(path);
});

test('V2 the method switched on last is recommended; switching it off falls back to the one before, then face', async () => {
  const b = openBench('recommend');
  try {
    let n = 0;
    const proof = () => ({ _id: `BIZ-R${++n}`, openid: 'o', purpose: 'signing_method', usedAt: b.clock.now().toISOString(), result: { errCode: 0 } });
    const { challenge } = await issueSoterChallenge(b, { openid: 'o', contractId: null, act: 'enable_method' });
    await enableSoterMode(b, { openid: 'o', mode: 'facial', faceProof: proof(), answer: b.soter.sign('o', challenge, 'facial') });
    b.clock.advance(60_000);
    expect(await setSigningPassword(b, { openid: 'o', password: '246810', faceProof: proof() })).toMatchObject({ available: ['face', 'facial', 'password'], recommended: 'password' });
    expect(await disableSigningMethod(b, { openid: 'o', method: 'password' })).toMatchObject({ available: ['face', 'facial'], recommended: 'facial' });
    expect(await disableSigningMethod(b, { openid: 'o', method: 'facial' })).toMatchObject({ available: ['face'], recommended: 'face' });
    expect(signingMethodsView(await loadSigningMethods(b, 'o'), b.clock.now()).recommended).toBe('face');
  } finally {
    await b.close();
  }
});
