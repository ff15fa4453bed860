/**
 * V2 fingerprint / face ID through WeChat SOTER: a one-time challenge bound to user, contract and
 * act; the phone signs it (the local SOTER simulator, or a phone of the protocol fake); the
 * signature is checked by the port (simulator / WeChat's verify_signature API on a local server
 * that really verifies RSA-PSS) and `raw` by us — forged, tampered, replayed, expired, misbound
 * answers are refused with SOTER_VERIFY_FAILED and a reason, and spend nothing they should not.
 */
import { WechatSoterVerifier } from '../../shared/adapters/wechat/soter-verifier';
import { AppError } from '../../shared/errors';
import type { FaceProof } from '../../shared/identity/signing-methods';
import {
  enableSoterMode,
  issueSoterChallenge,
  prepareSoter,
  SOTER_CHALLENGES,
  verifySoter,
  type SoterAnswer,
  type SoterChallenge,
} from '../../shared/identity/soter';
import type { SoterVerifier } from '../../shared/ports/soter';
import { SoterApiFake } from '../fakes/wechat/soter';
import { openBench, refusal, type Bench } from './support';

let b: Bench;
beforeEach(() => {
  b = openBench('soter');
});
afterEach(() => b.close());

let proofSeq = 0;
const faceProof = (openid: string): FaceProof => ({ _id: `BIZ-S${++proofSeq}`, openid, purpose: 'signing_method', usedAt: b.clock.now().toISOString(), result: { errCode: 0 } });

/** 开启指纹: face check, then the phone signs an enable_method challenge. */
const enable = async (openid: string, mode: 'fingerPrint' | 'facial' = 'fingerPrint') => {
  const { challenge } = await issueSoterChallenge(b, { openid, contractId: null, act: 'enable_method' });
  return enableSoterMode(b, { openid, mode, faceProof: faceProof(openid), answer: b.soter.sign(openid, challenge, mode) });
};

const challengeDoc = (id: string) => b.store.get<SoterChallenge>(SOTER_CHALLENGES, id);
const reason = async (p: Promise<unknown>) => {
  const e = await refusal(p);
  return [e.code, e.details?.reason];
};

describe('V2 switching fingerprint / face ID on', () => {
  test('a face check and a signed enable challenge switch the mode on and make it the recommended method', async () => {
    expect(await enable('o-a')).toEqual({ available: ['face', 'fingerPrint'], recommended: 'fingerPrint', password: { set: false, lockedUntil: null } });
    b.clock.advance(1000);
    expect(await enable('o-a', 'facial')).toMatchObject({ available: ['face', 'fingerPrint', 'facial'], recommended: 'facial' });
  });

  test('without a passed face check nothing is switched on and the challenge is not spent', async () => {
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-nf', contractId: null, act: 'enable_method' });
    const e = await refusal(enableSoterMode(b, { openid: 'o-nf', mode: 'fingerPrint', faceProof: { ...faceProof('o-nf'), result: { errCode: 3004 } }, answer: b.soter.sign('o-nf', challenge) }));
    expect([e.code, e.details]).toEqual(['IDENTITY_CHECK_FAILED', { reason: 'not_passed' }]);
    expect(await challengeDoc(challenge)).toMatchObject({ status: 'issued', usedAt: null });
    expect(await b.store.get('signing_methods', 'o-nf')).toBeNull();
  });

  test('an answer for another mode than the one being switched on is refused', async () => {
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-m', contractId: null, act: 'enable_method' });
    expect(await reason(enableSoterMode(b, { openid: 'o-m', mode: 'facial', faceProof: faceProof('o-m'), answer: b.soter.sign('o-m', challenge, 'fingerPrint') }))).toEqual(['SOTER_VERIFY_FAILED', 'malformed']);
  });
});

describe('V2 a contract act with SOTER', () => {
  test('the phone signs the challenge of this user, contract and act: verified once, spent, evidence kept', async () => {
    await enable('o-s');
    const { challenge, expiresAt } = await issueSoterChallenge(b, { openid: 'o-s', contractId: 'c-1', act: 'sign' });
    expect(challenge).toMatch(/^sc_[A-Za-z0-9_-]{22}$/);
    expect(expiresAt).toBe('2026-03-16T02:05:00.000Z');
    b.clock.advance(20_000);
    const v = await verifySoter(b, { openid: 'o-s', contractId: 'c-1', act: 'sign', answer: b.soter.sign('o-s', challenge) });
    expect(v).toEqual({ method: 'fingerPrint', challenge, counter: 2, tee: 'SIMULATOR', at: '2026-03-16T02:00:20.000Z' });
    expect(await challengeDoc(challenge)).toMatchObject({ status: 'used', usedAt: '2026-03-16T02:00:20.000Z', openid: 'o-s', contractId: 'c-1', act: 'sign' });
  });

  test('prepareSoter hands the spend to the act\'s commit: unspent until that commit lands, which records the mode and the counter', async () => {
    await enable('o-p');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-p', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-p', challenge);
    const { verified, write } = await prepareSoter(b, { openid: 'o-p', contractId: 'c-1', act: 'sign', answer });
    expect(verified).toMatchObject({ method: 'fingerPrint', challenge, counter: 2 });
    // The act's commit has not happened (e.g. it lost a race): the same answer can still be used for the retry.
    expect(await challengeDoc(challenge)).toMatchObject({ status: 'issued', usedAt: null });
    const again = await prepareSoter(b, { openid: 'o-p', contractId: 'c-1', act: 'sign', answer });
    expect((await b.store.commit([again.write])).ok).toBe(true);
    expect(await challengeDoc(challenge)).toMatchObject({ status: 'used', mode: 'fingerPrint', counter: 2, tee: 'SIMULATOR' });
    // The first preparation's write is now stale: it cannot spend the challenge a second time.
    expect((await b.store.commit([write])).ok).toBe(false);
    expect(await reason(prepareSoter(b, { openid: 'o-p', contractId: 'c-1', act: 'sign', answer }))).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
  });

  test('a replay of a verified answer is refused (replayed)', async () => {
    await enable('o-r');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-r', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-r', challenge);
    await verifySoter(b, { openid: 'o-r', contractId: 'c-1', act: 'sign', answer });
    expect(await reason(verifySoter(b, { openid: 'o-r', contractId: 'c-1', act: 'sign', answer }))).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
  });

  test('a forged signature (another phone\'s key) is refused and spends the challenge: the real answer afterwards is a replay', async () => {
    await enable('o-v');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-v', contractId: 'c-1', act: 'sign' });
    const forged = b.soter.sign('o-mallory', challenge); // the attacker's own phone signs the victim's challenge
    expect(await reason(verifySoter(b, { openid: 'o-v', contractId: 'c-1', act: 'sign', answer: forged }))).toEqual(['SOTER_VERIFY_FAILED', 'bad_signature']);
    expect((await challengeDoc(challenge))!.status).toBe('failed');
    expect(await reason(verifySoter(b, { openid: 'o-v', contractId: 'c-1', act: 'sign', answer: b.soter.sign('o-v', challenge) }))).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
  });

  test('a resultJSON edited after signing (raw swapped for a fresh challenge) fails the signature', async () => {
    await enable('o-t');
    const first = await issueSoterChallenge(b, { openid: 'o-t', contractId: 'c-1', act: 'sign' });
    const second = await issueSoterChallenge(b, { openid: 'o-t', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-t', first.challenge);
    const tampered: SoterAnswer = { ...answer, resultJSON: answer.resultJSON.replace(first.challenge, second.challenge) };
    expect(await reason(verifySoter(b, { openid: 'o-t', contractId: 'c-1', act: 'sign', answer: tampered }))).toEqual(['SOTER_VERIFY_FAILED', 'bad_signature']);
    expect((await challengeDoc(first.challenge))!.status).toBe('issued');
  });

  test.each([
    ['another contract', { contractId: 'c-2' }, 'wrong_binding'],
    ['another act', { act: 'rescind_request' }, 'wrong_binding'],
  ] as const)('the challenge used for %s is refused and stays unspent', async (_l, patch, why) => {
    await enable('o-b');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-b', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-b', challenge);
    expect(await reason(verifySoter(b, { openid: 'o-b', contractId: 'c-1', act: 'sign', ...patch, answer }))).toEqual(['SOTER_VERIFY_FAILED', why]);
    await expect(verifySoter(b, { openid: 'o-b', contractId: 'c-1', act: 'sign', answer })).resolves.toMatchObject({ method: 'fingerPrint' });
  });

  test('another user\'s challenge, even signed by their own phone, is unknown to this user', async () => {
    await enable('o-x');
    await enable('o-y');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-x', contractId: 'c-1', act: 'sign' });
    expect(await reason(verifySoter(b, { openid: 'o-y', contractId: 'c-1', act: 'sign', answer: b.soter.sign('o-y', challenge) }))).toEqual(['SOTER_VERIFY_FAILED', 'unknown_challenge']);
    expect(await reason(verifySoter(b, { openid: 'o-y', contractId: 'c-1', act: 'sign', answer: b.soter.sign('o-y', 'sc_made_up_by_the_client') }))).toEqual(['SOTER_VERIFY_FAILED', 'unknown_challenge']);
  });

  test('valid for 5 minutes: at 5:00 it is expired', async () => {
    await enable('o-e');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-e', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-e', challenge);
    b.clock.advance(300_000);
    expect(await reason(verifySoter(b, { openid: 'o-e', contractId: 'c-1', act: 'sign', answer }))).toEqual(['SOTER_VERIFY_FAILED', 'expired']);
  });

  test('a mode the user has not switched on is SIGNING_METHOD_NOT_ENABLED', async () => {
    await enable('o-n', 'fingerPrint');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-n', contractId: 'c-1', act: 'sign' });
    const e = await refusal(verifySoter(b, { openid: 'o-n', contractId: 'c-1', act: 'sign', answer: b.soter.sign('o-n', challenge, 'facial') }));
    expect([e.code, e.details]).toEqual(['SIGNING_METHOD_NOT_ENABLED', { method: 'facial' }]);
  });

  test.each([
    ['not JSON', { resultJSON: '{raw' }],
    ['no raw', { resultJSON: '{"counter":1}' }],
    ['an array', { resultJSON: '["sc_x"]' }],
    ['no signature', { resultJSONSignature: '' }],
    ['an unknown mode', { authMode: 'speech' }],
  ])('a malformed answer (%s) is refused', async (_l, patch) => {
    await enable('o-mf');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-mf', contractId: 'c-1', act: 'sign' });
    const answer = { ...b.soter.sign('o-mf', challenge), ...patch } as SoterAnswer;
    expect(await reason(verifySoter(b, { openid: 'o-mf', contractId: 'c-1', act: 'sign', answer }))).toEqual(['SOTER_VERIFY_FAILED', 'malformed']);
    expect((await challengeDoc(challenge))!.status).toBe('issued');
  });

  test('the same answer sent twice at once: one verifies, the other is a replay', async () => {
    await enable('o-2');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-2', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-2', challenge);
    const results = await Promise.allSettled([0, 1].map(() => verifySoter(b, { openid: 'o-2', contractId: 'c-1', act: 'sign', answer })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect([lost.reason.code, lost.reason.details.reason]).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
  });

  test('WeChat unreachable: PROVIDER_ERROR, and the challenge stays usable for a retry', async () => {
    await enable('o-p');
    const { challenge } = await issueSoterChallenge(b, { openid: 'o-p', contractId: 'c-1', act: 'sign' });
    const answer = b.soter.sign('o-p', challenge);
    const down: SoterVerifier = { verifySignature: () => Promise.reject(new Error('ECONNRESET')) };
    expect((await refusal(verifySoter({ ...b, soter: down }, { openid: 'o-p', contractId: 'c-1', act: 'sign', answer }))).code).toBe('PROVIDER_ERROR');
    await expect(verifySoter(b, { openid: 'o-p', contractId: 'c-1', act: 'sign', answer })).resolves.toMatchObject({ method: 'fingerPrint' });
  });

  test.each([
    ['a contract act without a contract', { contractId: null, act: 'sign' }, '/contractId'],
    ['switching on with a contract', { contractId: 'c-1', act: 'enable_method' }, '/contractId'],
    ['an unknown act', { contractId: 'c-1', act: 'pay' }, '/act'],
  ])('issuing a challenge for %s is VALIDATION_FAILED', async (_l, patch, field) => {
    const e = await refusal(issueSoterChallenge(b, { openid: 'o-i', ...patch } as never));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect((e.details!.fields as Array<{ field: string }>)[0]!.field).toBe(field);
    expect(await b.store.count(SOTER_CHALLENGES, {})).toBe(0);
  });
});

describe('V2 the production adapter against a server speaking WeChat\'s soter/verify_signature', () => {
  let fake: SoterApiFake;
  let url: string;
  beforeAll(async () => {
    fake = new SoterApiFake();
    url = (await fake.start()).url;
  });
  afterAll(() => fake.close());

  const tokens = (token: string) => ({ token: async () => token });

  test('a phone\'s real signature is_ok; another phone\'s is not; the token and body are sent as the API wants', async () => {
    const phone = fake.enroll('o-wx');
    const other = fake.enroll('o-wx-other');
    const v = new WechatSoterVerifier(tokens(fake.accessToken), { baseUrl: url });
    const good = phone.authenticate('sc_abc');
    expect(await v.verifySignature({ openid: 'o-wx', jsonString: good.resultJSON, jsonSignature: good.resultJSONSignature })).toBe(true);
    const forged = other.authenticate('sc_abc');
    expect(await v.verifySignature({ openid: 'o-wx', jsonString: forged.resultJSON, jsonSignature: forged.resultJSONSignature })).toBe(false);
    expect(await v.verifySignature({ openid: 'o-wx', jsonString: good.resultJSON.replace('sc_abc', 'sc_abd'), jsonSignature: good.resultJSONSignature })).toBe(false);
    expect(fake.requests.slice(-3)).toEqual([0, 1, 2].map(() => ({ openid: 'o-wx', token: fake.accessToken })));
  });

  test('an invalid access token is PROVIDER_ERROR 40001, not a "no"', async () => {
    const phone = fake.enroll('o-tok');
    const r = phone.authenticate('sc_t');
    const e = await refusal(new WechatSoterVerifier(tokens('stale'), { baseUrl: url }).verifySignature({ openid: 'o-tok', jsonString: r.resultJSON, jsonSignature: r.resultJSONSignature }));
    expect([e.code, e.details]).toEqual(['PROVIDER_ERROR', { provider: 'wechat-soter', providerCode: '40001' }]);
  });

  test('a refused token is dropped and the call made once more with a fresh one; refused again, it is PROVIDER_ERROR 40001', async () => {
    const phone = fake.enroll('o-tok2');
    const r = phone.authenticate('sc_t2');
    const handed: string[] = [];
    const dropped: string[] = [];
    const rotating = { token: async () => { const t = handed.length === 0 ? 'stale' : fake.accessToken; handed.push(t); return t; }, invalidate: (t: string) => void dropped.push(t) };
    const v = new WechatSoterVerifier(rotating, { baseUrl: url });
    expect(await v.verifySignature({ openid: 'o-tok2', jsonString: r.resultJSON, jsonSignature: r.resultJSONSignature })).toBe(true);
    expect([handed, dropped]).toEqual([['stale', fake.accessToken], ['stale']]);
    const alwaysStale = { token: async () => 'stale', invalidate: (t: string) => void dropped.push(t) };
    const e = await refusal(new WechatSoterVerifier(alwaysStale, { baseUrl: url }).verifySignature({ openid: 'o-tok2', jsonString: r.resultJSON, jsonSignature: r.resultJSONSignature }));
    expect([e.code, e.details, dropped]).toEqual(['PROVIDER_ERROR', { provider: 'wechat-soter', providerCode: '40001' }, ['stale', 'stale']]);
  });

  test('a server that does not answer in time is PROVIDER_ERROR (timeout)', async () => {
    const http = await import('node:http');
    const { listen } = await import('../fakes/http');
    const silent = await listen(http.createServer(() => {}));
    try {
      const e = await refusal(new WechatSoterVerifier(tokens('t'), { baseUrl: silent.url, timeoutMs: 150 }).verifySignature({ openid: 'o', jsonString: '{}', jsonSignature: 'AA==' }));
      expect(e.details).toEqual({ provider: 'wechat-soter', providerCode: 'timeout' });
    } finally {
      await silent.close();
    }
  });

  test('the whole check on the production adapter: enabled, verified, then a replay and a forgery refused', async () => {
    const phone = fake.enroll('o-cloud');
    const mallory = fake.enroll('o-cloud-mallory');
    const cloud = { ...b, soter: new WechatSoterVerifier(tokens(fake.accessToken), { baseUrl: url }) };
    const en = await issueSoterChallenge(cloud, { openid: 'o-cloud', contractId: null, act: 'enable_method' });
    await enableSoterMode(cloud, { openid: 'o-cloud', mode: 'fingerPrint', faceProof: faceProof('o-cloud'), answer: phone.authenticate(en.challenge) });
    const c1 = await issueSoterChallenge(cloud, { openid: 'o-cloud', contractId: 'c-9', act: 'sign' });
    const answer = phone.authenticate(c1.challenge);
    await expect(verifySoter(cloud, { openid: 'o-cloud', contractId: 'c-9', act: 'sign', answer })).resolves.toMatchObject({ method: 'fingerPrint', tee: 'QSEE' });
    expect(await reason(verifySoter(cloud, { openid: 'o-cloud', contractId: 'c-9', act: 'sign', answer }))).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
    const c2 = await issueSoterChallenge(cloud, { openid: 'o-cloud', contractId: 'c-9', act: 'sign' });
    expect(await reason(verifySoter(cloud, { openid: 'o-cloud', contractId: 'c-9', act: 'sign', answer: mallory.authenticate(c2.challenge) }))).toEqual(['SOTER_VERIFY_FAILED', 'bad_signature']);
  });
});

test('refusals are AppErrors with the product\'s message', async () => {
  const e = await refusal(verifySoter(b, { openid: 'o', contractId: 'c', act: 'sign', answer: { authMode: 'fingerPrint', resultJSON: 'x', resultJSONSignature: 'y' } }));
  expect(e).toBeInstanceOf(AppError);
  expect(e.message).toBe('指纹或面容 ID 验证未通过，请重试或使用人脸识别');
});
