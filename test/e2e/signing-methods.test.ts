/**
 * V2 签署验证方式 through the emulator: the signing password and fingerprint / face ID (WeChat
 * SOTER, the emulator's simulator at POST /_emulator/soter/sign) — switched on after a face check
 * (signing-method-set), a one-time challenge per user, contract and act (signing-challenge), and
 * then accepted by contract-sign (and every other act that takes a face check) instead of a face
 * check. The signed PDFs verify in pdfsig; the certificate view, the event list and the evidence
 * report name the method. Forged and replayed SOTER answers and a sixth wrong password are refused
 * without a signature, the password's lock holds for the user's other contracts, and face
 * recognition stays available throughout. Also every refusal of the two new functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { iouForm, person, startTestEmulator, type Client, type Person } from '../support/emulator';
import { nssDbTrusting, pdfsig, pdftotext, requireTools, tempDir, writeTemp } from '../documents/tools';
import type { Emulator } from '../../emulator/server';
import type { Contract } from '../../shared/domain/contract';
import { verifyPdf } from '../../shared/documents/verify';

let emu: Emulator;
let client: Client;
let dataDir: string;
let nss: string;
let A: Person; // 张三, the lender: signs with a password
let B: Person; // 李四, the borrower: signs with a fingerprint
let C: Person; // a verified stranger to the contracts
const U = 'o-sm-unverified';

const PASSWORD = '250813';

/** A face check of the account's owner for signing methods, passed (or failed). */
const ownerFace = async (p: Person, pass = true): Promise<string> => {
  const { bizToken } = await client.ok('face-start', p.openid, { purpose: 'signing_method' });
  await client.raw('POST', `/_emulator/face/${bizToken}`, { pass });
  return bizToken;
};

/** What the phone returns from wx.startSoterAuthentication over `challenge`. */
const phoneSigns = async (p: Person, challenge: string, authMode: 'fingerPrint' | 'facial' = 'fingerPrint') => {
  const r = await client.raw('POST', '/_emulator/soter/sign', { challenge, authMode }, { 'x-openid': p.openid });
  expect(r.status).toBe(200);
  const { resultJSON, resultJSONSignature } = r.json;
  expect(JSON.parse(resultJSON).raw).toBe(challenge);
  return { authMode: r.json.authMode, resultJSON, resultJSONSignature, errCode: 0, errMsg: 'startSoterAuthentication:ok' };
};

const challengeFor = async (p: Person, act: string, contractId?: string): Promise<string> =>
  (await client.ok('signing-challenge', p.openid, { act, ...(contractId ? { contractId } : {}) })).challenge;

const code = async (name: string, openid: string | null, body: unknown) => (await client.call(name, openid, body)).error;

const stored = async (id: string) => (await emu.container.store.get<Contract>('contracts', id))!;

/** An IOU of A (lender) and B (borrower), paid and filled: ready for both signatures. */
const readyIou = async (): Promise<string> => {
  const view = await client.ok('contract-create', A.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
  await client.pay(A.openid, view.id);
  await client.ok('share-open', B.openid, { token: view.shareToken });
  await client.ok('contract-fill', B.openid, { contractId: view.id, name: B.name, idNumber: B.idNumber, phone: B.phone });
  return view.id;
};

const seal = { type: 'seal' };

/** The parties' signatures in a pdfsig report (the platform's document timestamp left out): name, validity, trusted. */
const partySignatures = (r: ReturnType<typeof pdfsig>) =>
  r.signatures.filter((s) => s.commonName === A.name || s.commonName === B.name).map((s) => [s.commonName, s.signatureValidation, s.certificateValidation === 'Certificate is Trusted.']);

/** The signed PDF as a party downloads it, through pdfsig against the platform root. */
const verifiedPdf = async (p: Person, id: string) => {
  const dl = await client.ok('contract-download', p.openid, { contractId: id });
  expect(dl.preview).toBe(false);
  const bytes = Buffer.from(await (await fetch(`${emu.url}${dl.url}`)).arrayBuffer());
  const file = writeTemp(tempDir('sm-pdf'), 'signed.pdf', bytes);
  return pdfsig(file, nss);
};

/** The evidence report (C9) mailed to `email`, as text without spaces. */
const reportText = async (p: Person, id: string, email: string): Promise<string> => {
  const quote = await client.ok('fee-quote', p.openid, { item: 'evidence_report', contractId: id });
  const ordered = await client.ok('evidence-report-request', p.openid, { contractId: id, email, quotedAmountFen: quote.amountFen });
  if (ordered.orderId) await client.payOrder(ordered.orderId);
  // A paid report is built and mailed by the outbox worker after the webhook answered (issue 16).
  if (ordered.orderId) expect((await client.timer('timer-outbox')).ok).toBe(true);
  const mail = (await client.raw('GET', `/outbox/email?to=${email}`)).json.messages;
  expect(mail).toHaveLength(1);
  const file = path.join(tempDir('sm-report'), 'report.pdf');
  fs.writeFileSync(file, Buffer.from(await (await fetch(`${emu.url}${mail[0].attachments[0].url}`)).arrayBuffer()));
  return pdftotext(file, undefined, 'raw').replace(/\s+/g, '');
};

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('signing-methods'));
  await client.advanceToChinaHour(10);
  A = person('o-sm-lender', '张三', 35, client.today());
  B = person('o-sm-borrower', '李四', 28, client.today());
  C = person('o-sm-stranger', '王五', 40, client.today());
  for (const p of [A, B, C]) await client.verify(p);
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  nss = nssDbTrusting(root);
});
afterAll(() => emu.close());

describe('signing-method-set: input, strangers, face check', () => {
  test('V2 the schema refuses what it does not know; an unverified account has no signing methods', async () => {
    expect((await code('signing-method-set', A.openid, { action: 'steal' }))?.code).toBe('VALIDATION_FAILED');
    expect((await code('signing-method-set', A.openid, { action: 'view', extra: 1 }))?.code).toBe('VALIDATION_FAILED');
    expect((await code('signing-method-set', A.openid, { action: 'disable', method: 'face' }))?.code).toBe('VALIDATION_FAILED');
    expect((await code('signing-method-set', A.openid, {}))?.code).toBe('VALIDATION_FAILED');
    expect((await code('signing-method-set', U, { action: 'view' }))?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await code('signing-method-set', null, { action: 'view' }))?.code).toBe('UNAUTHENTICATED');
    expect(await client.ok('signing-method-set', A.openid, { action: 'view' })).toEqual({ available: ['face'], recommended: 'face', password: { set: false, lockedUntil: null } });
  });

  test('V2 setting the password needs the owner\'s own passed face check for signing methods; a weak password is refused first', async () => {
    const missing = await code('signing-method-set', A.openid, { action: 'password_set', password: PASSWORD });
    expect([missing?.code, missing?.details?.fields]).toEqual(['VALIDATION_FAILED', [{ field: '/bizToken', rule: 'required' }]]);
    const weak = await code('signing-method-set', A.openid, { action: 'password_set', password: '123456', bizToken: await ownerFace(A) });
    expect([weak?.code, weak?.details?.fields]).toEqual(['VALIDATION_FAILED', [{ field: '/password', rule: 'weak' }]]);
    // Another person's face check, a failed one, one of another purpose: refused, nothing set.
    const others = await code('signing-method-set', A.openid, { action: 'password_set', password: PASSWORD, bizToken: await ownerFace(C) });
    expect([others?.code, others?.details?.reason]).toEqual(['IDENTITY_CHECK_FAILED', 'unknown']);
    const failed = await code('signing-method-set', A.openid, { action: 'password_set', password: PASSWORD, bizToken: await ownerFace(A, false) });
    expect([failed?.code, failed?.details?.reason]).toEqual(['IDENTITY_CHECK_FAILED', 'not_passed']);
    const { bizToken: account } = await client.ok('face-start', A.openid, { purpose: 'account' });
    await client.raw('POST', `/_emulator/face/${account}`, { pass: true });
    const wrongPurpose = await code('signing-method-set', A.openid, { action: 'password_set', password: PASSWORD, bizToken: account });
    expect([wrongPurpose?.code, wrongPurpose?.details?.reason]).toEqual(['IDENTITY_CHECK_FAILED', 'wrong_purpose']);
    expect(await emu.container.store.get('signing_methods', A.openid)).toBeNull();

    const face = await ownerFace(A);
    expect(await client.ok('signing-method-set', A.openid, { action: 'password_set', password: PASSWORD, bizToken: face })).toEqual({
      available: ['face', 'password'], recommended: 'password', password: { set: true, lockedUntil: null },
    });
    // Stored as a salted scrypt hash, never the digits; the face check was spent by the same commit.
    const doc = (await emu.container.store.get<any>('signing_methods', A.openid))!;
    expect(JSON.stringify(doc)).not.toContain(PASSWORD);
    expect(doc.password).toMatchObject({ salt: expect.any(String), hash: expect.any(String), params: { logN: expect.any(Number) } });
    expect(await emu.container.store.get<any>('face_checks', face)).toMatchObject({ status: 'used' });
    const reused = await code('signing-method-set', A.openid, { action: 'password_reset', password: '580314', bizToken: face });
    expect([reused?.code, reused?.details?.reason]).toEqual(['IDENTITY_CHECK_FAILED', 'used']);
    expect((await code('signing-method-set', A.openid, { action: 'password_set', password: '580314', bizToken: await ownerFace(A) }))?.code).toBe('ALREADY_EXISTS');
  });

  test('V2 change needs the current password and a face check; a wrong current password is refused and changes nothing', async () => {
    const wrong = await code('signing-method-set', A.openid, { action: 'password_change', currentPassword: '000111', password: '580314', bizToken: await ownerFace(A) });
    expect([wrong?.code, wrong?.details?.attemptsLeft]).toEqual(['SIGNING_PASSWORD_INCORRECT', 4]);
    expect((await code('signing-method-set', A.openid, { action: 'password_change', password: '580314', bizToken: await ownerFace(A) }))?.details?.fields).toEqual([{ field: '/currentPassword', rule: 'required' }]);
    await client.ok('signing-method-set', A.openid, { action: 'password_change', currentPassword: PASSWORD, password: '580314', bizToken: await ownerFace(A) });
    // …and back, so the rest of the file signs with PASSWORD (a reset needs only the face).
    expect(await client.ok('signing-method-set', A.openid, { action: 'password_reset', password: PASSWORD, bizToken: await ownerFace(A) })).toMatchObject({ password: { set: true, lockedUntil: null } });
  });
});

describe('signing-challenge: input and strangers', () => {
  let id: string;
  beforeAll(async () => {
    id = await readyIou();
  });

  test('V2 a challenge is for a party of the contract only; enable_method takes no contract; an unknown act is refused', async () => {
    expect((await code('signing-challenge', C.openid, { act: 'sign', contractId: id }))?.code).toBe('NOT_FOUND');
    expect((await code('signing-challenge', B.openid, { act: 'sign', contractId: 'ct_doesnotexist1' }))?.code).toBe('NOT_FOUND');
    expect((await code('signing-challenge', B.openid, { act: 'sign' }))?.details?.fields).toEqual([{ field: '/contractId', rule: 'required' }]);
    expect((await code('signing-challenge', B.openid, { act: 'enable_method', contractId: id }))?.details?.fields).toEqual([{ field: '/contractId', rule: 'forbidden' }]);
    expect((await code('signing-challenge', B.openid, { act: 'pay', contractId: id }))?.code).toBe('VALIDATION_FAILED');
    expect((await code('signing-challenge', U, { act: 'enable_method' }))?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect((await code('signing-challenge', null, { act: 'enable_method' }))?.code).toBe('UNAUTHENTICATED');
    const ok = await client.ok('signing-challenge', B.openid, { act: 'sign', contractId: id });
    expect(ok).toEqual({ challenge: expect.stringMatching(/^sc_/), expiresAt: expect.any(String) });
    expect(await emu.container.store.get<any>('soter_challenges', ok.challenge)).toMatchObject({ openid: B.openid, contractId: id, act: 'sign', status: 'issued' });
  });

  test('M2 challenges are counted: a party\'s 21st for one contract in a day is RATE_LIMITED and stores nothing', async () => {
    for (let i = 0; i < 20; i++) await client.ok('signing-challenge', A.openid, { act: 'sign', contractId: id });
    const refused = await code('signing-challenge', A.openid, { act: 'sign', contractId: id });
    expect([refused?.code, Number(refused?.details?.retryAfterSeconds) > 0]).toEqual(['RATE_LIMITED', true]);
    expect(await emu.container.store.find<any>('soter_challenges', { contractId: id, openid: A.openid }, { limit: 100 })).toHaveLength(20);
    // Counted per party: the other party still gets one.
    await client.ok('signing-challenge', B.openid, { act: 'sign', contractId: id });
  });
});

describe('switching fingerprint on', () => {
  test('V2 a face check, then the phone signs an enable challenge; another mode\'s answer and a forged signature are refused', async () => {
    const c1 = await challengeFor(B, 'enable_method');
    const otherMode = await code('signing-method-set', B.openid, { action: 'enable', mode: 'fingerPrint', bizToken: await ownerFace(B), soter: await phoneSigns(B, c1, 'facial') });
    expect([otherMode?.code, otherMode?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'malformed']);
    const answer = await phoneSigns(B, c1);
    const forged = { ...answer, resultJSONSignature: Buffer.from('not the phone').toString('base64') };
    const f = await code('signing-method-set', B.openid, { action: 'enable', mode: 'fingerPrint', bizToken: await ownerFace(B), soter: forged });
    expect([f?.code, f?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'bad_signature']);
    // The forged attempt spent the challenge: the real answer over it is now a replay.
    const replay = await code('signing-method-set', B.openid, { action: 'enable', mode: 'fingerPrint', bizToken: await ownerFace(B), soter: answer });
    expect([replay?.code, replay?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
    expect((await code('signing-method-set', B.openid, { action: 'enable', mode: 'fingerPrint', bizToken: await ownerFace(B) }))?.details?.fields).toEqual([{ field: '/soter', rule: 'required' }]);
    expect((await code('signing-method-set', B.openid, { action: 'enable', bizToken: await ownerFace(B), soter: answer }))?.details?.fields).toEqual([{ field: '/mode', rule: 'required' }]);
    // B never set a password: nothing to reset (set it instead).
    expect((await code('signing-method-set', B.openid, { action: 'password_reset', password: PASSWORD, bizToken: await ownerFace(B) }))?.code).toBe('SIGNING_PASSWORD_NOT_SET');
    expect(await emu.container.store.get('signing_methods', B.openid)).toBeNull();

    const c2 = await challengeFor(B, 'enable_method');
    expect(await client.ok('signing-method-set', B.openid, { action: 'enable', mode: 'fingerPrint', bizToken: await ownerFace(B), soter: await phoneSigns(B, c2) })).toEqual({
      available: ['face', 'fingerPrint'], recommended: 'fingerPrint', password: { set: false, lockedUntil: null },
    });
  });
});

describe('signing with a password and with a fingerprint', () => {
  let passwordSigned: string;
  let soterSigned: string;

  test('V2 C5 A signs with the signing password, B with a face check: both signatures verify in pdfsig', async () => {
    passwordSigned = await readyIou();
    // Exactly one form of proof.
    const both = await code('contract-sign', A.openid, { contractId: passwordSigned, password: PASSWORD, bizToken: await client.face(A, 'sign', passwordSigned), signature: seal });
    expect(both?.code).toBe('VALIDATION_FAILED');
    const none = await code('contract-sign', A.openid, { contractId: passwordSigned, signature: seal });
    expect([none?.code, none?.details?.fields]).toEqual(['VALIDATION_FAILED', [{ field: '/bizToken', rule: 'required' }]]);
    const v = await client.ok('contract-sign', A.openid, { contractId: passwordSigned, password: PASSWORD, signature: seal });
    expect(v.state).toBe('awaiting_signatures');
    await client.ok('contract-sign', B.openid, { contractId: passwordSigned, bizToken: await client.face(B, 'sign', passwordSigned), signature: seal });
    const c = await stored(passwordSigned);
    expect(c.state).toBe('signed');
    expect(c.parties[0]!.signature!.faceCheckId).toMatch(/^pw_/);
    const sig = await verifiedPdf(B, passwordSigned);
    expect(partySignatures(sig)).toEqual([[A.name, 'Signature is Valid.', true], [B.name, 'Signature is Valid.', true]]);
  });

  test('V2 B signs through the SOTER simulator (fingerprint), A with a face check: both verify in pdfsig', async () => {
    soterSigned = await readyIou();
    await client.ok('contract-sign', A.openid, { contractId: soterSigned, bizToken: await client.face(A, 'sign', soterSigned), signature: seal });
    // A mode B has not switched on, an answer over another act's challenge, a forged signature, its replay: no signature.
    const facial = await code('contract-sign', B.openid, { contractId: soterSigned, soter: await phoneSigns(B, await challengeFor(B, 'sign', soterSigned), 'facial'), signature: seal });
    expect(facial?.code).toBe('SIGNING_METHOD_NOT_ENABLED');
    const misbound = await code('contract-sign', B.openid, { contractId: soterSigned, soter: await phoneSigns(B, await challengeFor(B, 'rescind_request', soterSigned)), signature: seal });
    expect([misbound?.code, misbound?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'wrong_binding']);
    const ch = await challengeFor(B, 'sign', soterSigned);
    const real = await phoneSigns(B, ch);
    const forgedJson = JSON.stringify({ ...JSON.parse(real.resultJSON), counter: 999 });
    const forged = await code('contract-sign', B.openid, { contractId: soterSigned, soter: { ...real, resultJSON: forgedJson }, signature: seal });
    expect([forged?.code, forged?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'bad_signature']);
    const replayed = await code('contract-sign', B.openid, { contractId: soterSigned, soter: real, signature: seal });
    expect([replayed?.code, replayed?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'replayed']);
    expect((await stored(soterSigned)).parties[1]!.signature).toBeNull();
    expect((await stored(soterSigned)).state).toBe('awaiting_signatures');

    const good = await phoneSigns(B, await challengeFor(B, 'sign', soterSigned));
    const v = await client.ok('contract-sign', B.openid, { contractId: soterSigned, soter: good, signature: seal });
    expect(v.state).toBe('signed');
    // The answer that signed cannot sign another contract (bound to this one) nor this one again.
    const other = await readyIou();
    await client.ok('contract-sign', A.openid, { contractId: other, bizToken: await client.face(A, 'sign', other), signature: seal });
    const again = await code('contract-sign', B.openid, { contractId: other, soter: good, signature: seal });
    expect([again?.code, again?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'wrong_binding']);
    expect(await emu.container.store.get<any>('soter_challenges', JSON.parse(good.resultJSON).raw)).toMatchObject({ status: 'used', mode: 'fingerPrint', contractId: soterSigned, act: 'sign' });
    expect(partySignatures(await verifiedPdf(A, soterSigned))).toEqual([[A.name, 'Signature is Valid.', true], [B.name, 'Signature is Valid.', true]]);
  });

  test('V2 C10 the certificate view and the event list name each signer\'s method', async () => {
    const certs = await client.ok('contract-certificates', A.openid, { contractId: passwordSigned });
    expect(certs.certificates.filter((c: any) => c.method !== null).map((c: any) => [c.signer, c.method])).toEqual([[A.name, 'password'], [B.name, 'face']]);
    const certs2 = await client.ok('contract-certificates', B.openid, { contractId: soterSigned });
    expect(certs2.certificates.filter((c: any) => c.method !== null).map((c: any) => [c.signer, c.method])).toEqual([[A.name, 'face'], [B.name, 'fingerPrint']]);
    const evs = await client.ok('contract-events', B.openid, { contractId: soterSigned });
    expect(evs.events.filter((e: any) => e.type === 'signed').map((e: any) => [e.actorName, e.identityCheck, e.identityMethod])).toEqual([[A.name, true, 'face'], [B.name, true, 'fingerPrint']]);
    expect((await code('contract-certificates', C.openid, { contractId: soterSigned }))?.code).toBe('NOT_FOUND');
  });

  test('V2 C9 the evidence reports name the method of each act and each certificate', async () => {
    const pw = await reportText(A, passwordSigned, 'pw-report@example.com');
    expect(pw).toContain('签署密码验证通过');
    expect(pw).toContain('签署验证方式签署密码');
    expect(pw).toContain('人脸核身通过');
    const st = await reportText(B, soterSigned, 'soter-report@example.com');
    expect(st).toContain('指纹验证通过');
    expect(st).toContain('签署验证方式指纹');
  });
});

describe('the other acts take the same three forms', () => {
  test('V2 C6 A asks to rescind with the password, B confirms with a fingerprint: each event names its method', async () => {
    const id = await readyIou();
    await client.ok('contract-sign', A.openid, { contractId: id, bizToken: await client.face(A, 'sign', id), signature: seal });
    await client.ok('contract-sign', B.openid, { contractId: id, bizToken: await client.face(B, 'sign', id), signature: seal });
    // A challenge for the request is not one for the confirmation.
    const early = await phoneSigns(B, await challengeFor(B, 'rescind_request', id));
    const wrongAct = await code('rescind-confirm', B.openid, { contractId: id, soter: early });
    expect(wrongAct?.code).toBe('INVALID_TRANSITION'); // nothing to confirm yet: the table refuses before the proof is looked at
    expect((await client.ok('rescind-request', A.openid, { contractId: id, reason: '双方协商解除', password: PASSWORD })).state).toBe('rescind_pending');
    const misbound = await code('rescind-confirm', B.openid, { contractId: id, soter: early });
    expect([misbound?.code, misbound?.details?.reason]).toEqual(['SOTER_VERIFY_FAILED', 'wrong_binding']);
    expect((await stored(id)).state).toBe('rescind_pending');
    const v = await client.ok('rescind-confirm', B.openid, { contractId: id, soter: await phoneSigns(B, await challengeFor(B, 'rescind_confirm', id)) });
    expect(v.state).toBe('rescinded');
    const evs = await client.ok('contract-events', A.openid, { contractId: id });
    expect(evs.events.filter((e: any) => e.identityCheck).map((e: any) => [e.type, e.identityMethod])).toEqual([
      ['signed', 'face'], ['signed', 'face'], ['rescind_requested', 'password'], ['rescind_confirmed', 'fingerPrint'],
    ]);
    // The rescinded PDF's act signatures say how each party proved it was them (issue 15 item 5, V2).
    const c = await stored(id);
    const report = await verifyPdf((await emu.container.files.get(c.document!.currentKey))!, { trustedRootPem: JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem });
    expect(report.signatures.filter((s) => s.fieldName.startsWith('Sig_rescind_')).map((s) => [s.fieldName, s.reason?.match(/（(.*)）$/)?.[1]])).toEqual([
      ['Sig_rescind_request_lender', '经签署密码验证'], ['Sig_rescind_confirm_borrower', '经指纹验证'],
    ]);
  });
});

describe('the password\'s lock, per user', () => {
  test('V2 five wrong passwords lock it; the sixth (right) is refused without a signature, on this and the user\'s other contracts; face recognition still signs', async () => {
    const first = await readyIou();
    const second = await readyIou();
    for (let i = 1; i <= 4; i++) {
      const e = await code('contract-sign', A.openid, { contractId: first, password: '975310', signature: seal });
      expect([e?.code, e?.details?.attemptsLeft]).toEqual(['SIGNING_PASSWORD_INCORRECT', 5 - i]);
    }
    const fifth = await code('contract-sign', A.openid, { contractId: first, password: '975310', signature: seal });
    expect(fifth?.code).toBe('SIGNING_PASSWORD_LOCKED');
    const sixth = await code('contract-sign', A.openid, { contractId: first, password: PASSWORD, signature: seal });
    expect([sixth?.code, Number(sixth?.details?.retryAfterSeconds) > 0]).toEqual(['SIGNING_PASSWORD_LOCKED', true]);
    const elsewhere = await code('contract-sign', A.openid, { contractId: second, password: PASSWORD, signature: seal });
    expect(elsewhere?.code).toBe('SIGNING_PASSWORD_LOCKED');
    for (const id of [first, second]) {
      const c = await stored(id);
      expect([c.state, c.parties[0]!.signature]).toEqual(['awaiting_signatures', null]);
    }
    expect((await client.ok('signing-method-set', A.openid, { action: 'view' })).password.lockedUntil).toEqual(expect.any(String));
    // Face recognition is always there.
    expect((await client.ok('contract-sign', A.openid, { contractId: first, bizToken: await client.face(A, 'sign', first), signature: seal })).state).toBe('awaiting_signatures');
  });

  test('V2 switched off, a method signs nothing; switching off needs no face check', async () => {
    const id = await readyIou();
    await client.ok('contract-sign', A.openid, { contractId: id, bizToken: await client.face(A, 'sign', id), signature: seal });
    expect(await client.ok('signing-method-set', B.openid, { action: 'disable', method: 'fingerPrint' })).toMatchObject({ available: ['face'], recommended: 'face' });
    const e = await code('contract-sign', B.openid, { contractId: id, soter: await phoneSigns(B, await challengeFor(B, 'sign', id)), signature: seal });
    expect(e?.code).toBe('SIGNING_METHOD_NOT_ENABLED');
    expect((await code('signing-method-set', B.openid, { action: 'disable' }))?.details?.fields).toEqual([{ field: '/method', rule: 'required' }]);
  });
});
