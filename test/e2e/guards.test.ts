/**
 * What every function must do whatever it is: a stranger to a contract sees nothing (NOT_FOUND),
 * a malformed payload is VALIDATION_FAILED and changes nothing, identity comes only from the
 * platform context, and bad IOU inputs are refused at their exact boundaries (I1–I5) with nothing
 * stored.
 */
import { FUNCTIONS } from '../../shared/runtime/registry';
import { addDays } from '../../shared/rules/dates';
import { Client, iouForm, person, startTestEmulator, storeSnapshot } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const alice = person('o-alice', '周一', 40);
const bob = person('o-bob', '吴二', 40);
const mallory = person('o-mallory', '郑三', 40);
let signedId: string;
let signedToken: string;
let draftId: string;

const snapshot = () => storeSnapshot(emu.container.store);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('guards'));
  for (const p of [alice, bob, mallory]) await client.verify(p);
  const v = await client.ok('contract-create', alice.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: bob.name, idNumber: bob.idNumber, phone: bob.phone }, form: iouForm(client.today()) });
  signedId = v.id;
  signedToken = v.shareToken;
  await client.pay(alice.openid, signedId);
  await client.ok('share-open', bob.openid, { token: signedToken });
  await client.ok('contract-sign', alice.openid, { contractId: signedId, bizToken: await client.face(alice, 'sign', signedId), signature: { type: 'seal' } });
  await client.ok('contract-sign', bob.openid, { contractId: signedId, bizToken: await client.face(bob, 'sign', signedId), signature: { type: 'seal' } });
  draftId = (await client.ok('contract-create', alice.openid, { kind: 'iou', myRole: 'borrower', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) })).id;
});
afterAll(() => emu.close());

/** Every function that takes a contract, with a payload that would be valid for a party. */
const CONTRACT_CALLS: Array<[string, (id: string) => Record<string, unknown>]> = [
  ['contract-get', (id) => ({ contractId: id })],
  ['contract-pay', (id) => ({ contractId: id })],
  ['fee-quote', (id) => ({ contractId: id })],
  ['contract-fill', (id) => ({ contractId: id, name: mallory.name, idNumber: mallory.idNumber, phone: mallory.phone })],
  ['contract-sign', (id) => ({ contractId: id, bizToken: 'ABCDEF0123456789', signature: { type: 'seal' } })],
  ['contract-reject', (id) => ({ contractId: id, reason: '不认识' })],
  ['contract-issue', (id) => ({ contractId: id })],
  ['contract-accept', (id) => ({ contractId: id, bizToken: 'ABCDEF0123456789' })],
  ['contract-revoke', (id) => ({ contractId: id })],
  ['contract-urge', (id) => ({ contractId: id })],
  ['rescind-request', (id) => ({ contractId: id, reason: 'r', bizToken: 'ABCDEF0123456789' })],
  ['rescind-cancel', (id) => ({ contractId: id })],
  ['rescind-confirm', (id) => ({ contractId: id, bizToken: 'ABCDEF0123456789' })],
  ['rescind-refuse', (id) => ({ contractId: id, reason: 'r' })],
  ['settle-request', (id) => ({ contractId: id, reason: 'r', bizToken: 'ABCDEF0123456789' })],
  ['settle-cancel', (id) => ({ contractId: id })],
  ['settle-confirm', (id) => ({ contractId: id, bizToken: 'ABCDEF0123456789' })],
  ['settle-refuse', (id) => ({ contractId: id, reason: 'r' })],
  ['reminder-set', (id) => ({ contractId: id, enabled: true })],
  ['face-start', (id) => ({ purpose: 'sign', contractId: id })],
  ['contract-download', (id) => ({ contractId: id })],
  ['contract-email', (id) => ({ contractId: id, email: 'm@example.com' })],
  ['contract-share', (id) => ({ contractId: id })],
  ['contract-certificates', (id) => ({ contractId: id })],
  ['contract-events', (id) => ({ contractId: id })],
  ['contract-verify', (id) => ({ contractId: id })],
  ['evidence-report-request', (id) => ({ contractId: id, email: 'm@example.com' })],
  ['legal-service', (id) => ({ contractId: id })],
  ['repayment-record', (id) => ({ contractId: id, amountFen: 100, paidOn: '2026-01-01', channel: 'cash' })],
  ['repayment-confirm', (id) => ({ contractId: id, repaymentId: 'rp_000000000abc', bizToken: 'ABCDEF0123456789' })],
  ['repayment-dispute', (id) => ({ contractId: id, repaymentId: 'rp_000000000abc', reason: '未收到' })],
  ['ledger-get', (id) => ({ contractId: id })],
  ['extension-propose', (id) => ({ contractId: id, plan: [{ dueDate: '2030-01-01', principalFen: 100 }], bizToken: 'ABCDEF0123456789' })],
  ['extension-sign', (id) => ({ contractId: id, extensionId: 'ex_000000000abc', bizToken: 'ABCDEF0123456789' })],
  ['extension-refuse', (id) => ({ contractId: id, extensionId: 'ex_000000000abc' })],
  ['demand-send', (id) => ({ contractId: id })],
];

describe('a user who is not a party gets NOT_FOUND for every contract function, and nothing changes', () => {
  test('the list of contract functions covers every function that takes a contractId', () => {
    const schemas = FUNCTIONS.filter((f) => (require(`../../schemas/functions/${f.name}.json`).properties ?? {}).contractId).map((f) => f.name);
    expect(CONTRACT_CALLS.map(([n]) => n).sort()).toEqual(schemas.sort());
  });
  test.each(CONTRACT_CALLS)('%s on a signed and on a draft contract', async (name, payload) => {
    for (const id of [signedId, draftId]) {
      const before = await snapshot();
      const r = await client.call(name, mallory.openid, payload(id));
      expect(r.status).toBe(404);
      expect(r.error?.code).toBe('NOT_FOUND');
      expect(JSON.stringify(r)).not.toContain(alice.idNumber);
      expect(await snapshot()).toBe(before);
    }
  });
  test('a contract id that does not exist reads the same as one that is not yours', async () => {
    const missing = await client.call('contract-get', mallory.openid, { contractId: 'ct_000000000aaaaaaaaaaaa' });
    const notMine = await client.call('contract-get', mallory.openid, { contractId: signedId });
    expect(missing.error).toEqual(notMine.error);
  });
  test('a taken share link is NOT_FOUND; the stranger\'s list is empty', async () => {
    expect((await client.call('share-open', mallory.openid, { token: signedToken })).error?.code).toBe('NOT_FOUND');
    expect((await client.ok('contract-list', mallory.openid, {})).items).toEqual([]);
  });
  test('identity comes from the context, never the payload: an openid field is not taken as the caller', async () => {
    const r = await client.call('contract-get', mallory.openid, { contractId: signedId, openid: alice.openid, userInfo: { openId: alice.openid } });
    expect(r.error?.code).toBe('NOT_FOUND');
    expect((await client.call('contract-get', null, { contractId: signedId, openid: alice.openid })).error?.code).toBe('UNAUTHENTICATED');
  });
});

describe('every function rejects a malformed payload with VALIDATION_FAILED and changes nothing', () => {
  const bad: Array<[string, unknown]> = [
    ['an unknown field', { bogus: 1 }],
    ['a number where text belongs', { contractId: 12345, reason: 7, token: 9, purpose: 3, name: 1 }],
    ['an array instead of an object', [1, 2]],
  ];
  const callable = FUNCTIONS.filter((f) => f.kind === 'call');
  test.each(callable.map((f) => f.name))('%s', async (name) => {
    for (const [, payload] of bad) {
      const before = await snapshot();
      const r = await client.call(name, alice.openid, payload);
      expect(r.error?.code).toBe('VALIDATION_FAILED');
      expect(r.status).toBe(400);
      expect(await snapshot()).toBe(before);
    }
  });
  test('a body that is not JSON is refused by the emulator the same way', async () => {
    const r = await client.raw('POST', '/fn/contract-get', '{not json', { 'x-openid': alice.openid });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
  });
  test.each(FUNCTIONS.filter((f) => f.kind === 'timer').map((f) => f.name))('timer %s refuses an unknown field', async (name) => {
    const main = require(`../../functions/${name}/index`).main;
    const r = await main({ bogus: true }, {});
    expect(r.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('I1–I5 at their exact boundaries, through contract-create; refused drafts are not stored', () => {
  const create = async (initiator: typeof alice, form: Record<string, unknown>, other?: typeof bob) =>
    client.call('contract-create', initiator.openid, {
      kind: 'iou', myRole: 'lender',
      counterparty: other ? { fillMode: 'me', name: other.name, idNumber: other.idNumber, phone: other.phone } : { fillMode: 'other' },
      form,
    });
  const today = () => client.today();

  test.each([
    [21, 'AGE_OUT_OF_RANGE'], [22, null], [75, null], [76, 'AGE_OUT_OF_RANGE'],
  ])('I1 an initiator aged %i → %s', async (age, code) => {
    const p = person(`o-age-${age}`, '年龄测', age as number, today());
    await client.verify(p);
    const before = await snapshot();
    const r = await create(p, iouForm(today()));
    if (code) {
      expect(r.error?.code).toBe(code);
      expect(await snapshot()).toBe(before);
    } else expect(r.data.state).toBe('draft');
  });
  test.each([[21, 'AGE_OUT_OF_RANGE'], [76, 'AGE_OUT_OF_RANGE'], [22, null]])('I1 a counterparty (我来填) aged %i → %s', async (age, code) => {
    const r = await create(alice, iouForm(today()), person(`o-cp-${age}`, '对方', age as number, today()));
    expect(r.error?.code ?? null).toBe(code);
  });
  test.each([
    ['I2 500,000.00 CNY', { amountFen: 50_000_000, repaymentPlan: [{ dueDate: addDays(new Date().toISOString().slice(0, 10), 90), principalFen: 50_000_000 }], supplement: { borrowerAddress: '北京市东城区' } }, null],
    ['I2 500,000.01 CNY', { amountFen: 50_000_001, supplement: { borrowerAddress: '北京市东城区' } }, 'AMOUNT_TOO_LARGE'],
    ['I2 zero', { amountFen: 0 }, 'INVALID_AMOUNT'],
    ['I4 100,000.00 without the supplement', { amountFen: 10_000_000 }, null],
    ['I4 100,000.01 without the supplement', { amountFen: 10_000_001 }, 'SUPPLEMENT_REQUIRED'],
    ['I4 100,000.01 with the supplement', { amountFen: 10_000_001, supplement: { overdueRateBp: 1000 } }, null],
  ])('%s', async (_l, patch, code) => {
    const t = today();
    const amount = (patch as { amountFen: number }).amountFen;
    const form = iouForm(t, { ...patch, repaymentPlan: [{ dueDate: addDays(t, 90), principalFen: Math.max(amount, 1) }] });
    const r = await create(alice, form);
    expect(r.error?.code ?? null).toBe(code);
  });
  test('M3 typed text in the form is stored and rendered clean: a bidi override and zero-width characters in 借款事由 are gone; only spaces is refused', async () => {
    const r = await create(alice, iouForm(today(), { purpose: '  家庭\u202E装修\u200B周转  ' }));
    expect(r.data.state).toBe('draft');
    expect((await emu.container.store.get<any>('contracts', r.data.id)).form.purpose).toBe('家庭装修周转');
    const before = await snapshot();
    const blank = await create(alice, iouForm(today(), { purpose: '\u3000 \u200B ' }));
    expect(blank.error?.code).toBe('VALIDATION_FAILED');
    expect(await snapshot()).toBe(before);
  });
  test('I3 borrow date today−60 passes, today−61 is BORROW_DATE_TOO_EARLY', async () => {
    const t = today();
    expect((await create(alice, iouForm(t, { borrowDate: addDays(t, -60) }))).ok).toBe(true);
    expect((await create(alice, iouForm(t, { borrowDate: addDays(t, -61) }))).error?.code).toBe('BORROW_DATE_TOO_EARLY');
  });
  test('I5 the rate exactly at 4 × LPR passes, 1 bp above is INTEREST_ABOVE_LEGAL_CAP with the cap in the details', async () => {
    const { legalRateCapBp } = await import('../../shared/rules/lpr');
    const cap = legalRateCapBp(emu.container.config.lprTable, today());
    expect((await create(alice, iouForm(today(), { annualRateBp: cap }))).ok).toBe(true);
    const r = await create(alice, iouForm(today(), { annualRateBp: cap + 1 }));
    expect(r.error?.code).toBe('INTEREST_ABOVE_LEGAL_CAP');
    expect(r.error?.details).toMatchObject({ capBp: cap });
  });
  test('an unverified user cannot create; nothing is stored', async () => {
    const before = await snapshot();
    const r = await create(person('o-nobody', '无名', 30), iouForm(today()));
    expect(r.error?.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(await snapshot()).toBe(before);
  });
});
