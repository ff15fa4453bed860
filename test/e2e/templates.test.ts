/**
 * Every template kind end to end over the emulator (SPEC T1–T4, C5, P2, P3, F1, C10): the
 * initiator picks a role and creates the contract from the example form leaving the other party to
 * fill (对方填), initiates (free within the monthly quota; the IOU is paid), the other party opens
 * the share link and confirms their details, both sign in the kind's order — templates: the
 * counterparty first, then the initiator (C5); the IOU: the initiator first (I7) — and the signed
 * PDF verifies with poppler's pdfsig (two valid, trusted signatures, the whole file covered) and
 * carries every value of the form. Then one bad form per kind, refused at a real constraint (a
 * cross-field rule or a schema bound) with its exact code and nothing stored.
 *
 * One emulator for all kinds; each kind has its own two people, so no test depends on another.
 * The receipt's flows (one signature, 确认领取 / 确认开具) have their own tests (receipts*).
 */
import { smsTitle } from '../../shared/messages/sms-templates';
import fs from 'node:fs';
import path from 'node:path';
import type { Emulator } from '../../emulator/server';
import { padesFindings } from '../documents/pades-checks';
import { counterpartyOf, initiatorOf, type Contract } from '../../shared/domain/contract';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import { addDays } from '../../shared/rules/dates';
import { maskIdNumber } from '../../shared/rules/id-number';
import { handwrittenPng } from '../documents/png';
import { nssDbTrusting, pdfsig, qpdfCheck, requireTools, tempDir, writeTemp } from '../documents/tools';
import { Client, iouForm, person, startTestEmulator, storeSnapshot, type Person } from '../support/emulator';
import { formValues, missingValues, pdfBodyText } from '../support/templates';

jest.setTimeout(60_000);

let emu: Emulator;
let client: Client;
let dataDir: string;
let nss: string | null = null;

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('templates'));
});
afterAll(() => emu.close());

const stored = async (id: string) => (await emu.container.store.get<Contract>('contracts', id))!;
const statuses = (view: { parties: Array<{ role: string; status: string }> }) => Object.fromEntries(view.parties.map((p) => [p.role, p.status]));
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer());
/** The relying party's trust store: the platform root, created with the CA on the first signature. */
const rootPem = (): string => JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
const trust = (): string => {
  nss ??= nssDbTrusting(rootPem());
  return nss;
};
const snapshot = () => storeSnapshot(emu.container.store);

const SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许';
const GIVEN = ['建华', '秀英', '志强', '丽娟', '海涛', '晓燕', '国庆', '春梅', '文博', '雅琴'];
/** Two people of their own for a kind (ages within every kind's range: the IOU's is 22–75). */
const pairFor = (i: number): [Person, Person] => [
  person(`o-tpl-${i}-a`, `${SURNAMES[i % SURNAMES.length]}${GIVEN[i % GIVEN.length]}`, 41),
  person(`o-tpl-${i}-b`, `${SURNAMES[(i + 7) % SURNAMES.length]}${GIVEN[(i + 3) % GIVEN.length]}`, 33),
];

/** Kinds signed by two parties through share link, fill and sign: every kind but the receipt. */
const FLOW_KINDS = KIND_NAMES.filter((k) => kindSpec(k).flowFor(kindSpec(k).roles[0]) === 'template' || k === 'iou');

test('the flows below cover the 16 template kinds and the IOU', () => {
  expect(FLOW_KINDS).toHaveLength(17);
  expect(KIND_NAMES).toHaveLength(18);
});

describe.each(FLOW_KINDS.map((k, i) => [k, i] as const))('%s: create → fill → sign in order → a signed PDF that pdfsig verifies', (kind, i) => {
  const spec = kindSpec(kind);
  const isIou = spec.flowFor(spec.roles[0]) === 'iou';
  const [initiator, other] = pairFor(i);
  // T2: every other kind is initiated from the second role (租客 instead of the default 房东).
  const myRole = spec.roles[i % 2];
  const otherRole = spec.roles[(i + 1) % 2]!;
  const handwritten = i % 3 === 0;

  test('both parties sign in the kind\'s order; the PDF carries both valid signatures and every form value', async () => {
    await client.verify(initiator);
    await client.verify(other);
    const form = isIou ? iouForm(client.today()) : structuredClone(spec.example);

    // C1/P2 a draft with the other party to fill in; the list price shown, nothing charged yet.
    const draft = await client.ok('contract-create', initiator.openid, { kind, myRole, counterparty: { fillMode: 'other' }, form });
    expect(draft).toMatchObject({ kind, state: 'draft', title: spec.title, myKindRole: myRole, payment: { status: 'unpaid' } });
    expect(draft.contractNo.startsWith(spec.numberPrefix)).toBe(true);
    expect(statuses(draft)).toEqual({ initiator: 'waiting', counterparty: 'to_fill' });
    const id: string = draft.id;

    // F1 templates are free within the month's quota (no order); the IOU is always paid.
    const { order, contract: initiated } = await client.pay(initiator.openid, id);
    if (isIou) expect(order).toMatchObject({ paid: false, amountFen: 500 });
    else expect(order).toMatchObject({ orderId: null, amountFen: 0 });
    expect(initiated.state).toBe('awaiting_fill');
    expect(initiated.payment.status).toBe(isIou ? 'paid' : 'waived');

    // P3 the other party opens the share link and confirms their details.
    const opened = await client.ok('share-open', other.openid, { token: draft.shareToken });
    expect(opened).toMatchObject({ myRole: 'counterparty', myKindRole: otherRole });
    const filled = await client.ok('contract-fill', other.openid, { contractId: id, name: other.name, idNumber: other.idNumber, phone: other.phone });
    expect(filled.state).toBe('awaiting_signatures');

    const sign = async (who: Person, type: 'seal' | 'handwritten') => {
      const signature = type === 'seal' ? { type } : { type, ref: (await client.ok('signature-upload', who.openid, { pngBase64: handwrittenPng().toString('base64') })).ref };
      return client.call('contract-sign', who.openid, { contractId: id, bizToken: await client.face(who, 'sign', id), signature });
    };
    // C5 the order of signing: templates — the counterparty, then the initiator; the IOU — the initiator first.
    const [first, second] = isIou ? [initiator, other] : [other, initiator];
    expect(statuses(filled)).toEqual(isIou ? { initiator: 'to_sign', counterparty: 'waiting' } : { initiator: 'waiting', counterparty: 'to_sign' });
    expect((await sign(second, 'seal')).error?.code).toBe('INVALID_TRANSITION');
    const half = await sign(first, handwritten ? 'handwritten' : 'seal');
    expect(half.ok).toBe(true);
    expect(half.data.state).toBe('awaiting_signatures');
    expect(statuses(half.data)).toEqual(isIou ? { initiator: 'signed', counterparty: 'to_sign' } : { initiator: 'to_sign', counterparty: 'signed' });
    const told = (await client.sms(second.phone)).at(-1)!;
    expect(told.template).toBe(isIou ? 'invite_sign' : 'signed_by_other');
    // The title as Tencent's 6-character variables allow it (shortened with "…"), never more.
    expect(told.text).toContain(`《${smsTitle(spec.title)}》`);
    const done = await sign(second, 'seal');
    expect(done.ok).toBe(true);
    expect(done.data).toMatchObject({ state: 'signed', stateLabel: '已生效' });
    expect(statuses(done.data)).toEqual({ initiator: 'signed', counterparty: 'signed' });

    // The stored record: both signatures in signing order, each on its role's field (C10).
    const c = await stored(id);
    const firstRole = isIou ? 'initiator' : 'counterparty';
    const secondRole = isIou ? 'counterparty' : 'initiator';
    const partyOn = (side: 'initiator' | 'counterparty') => (side === 'initiator' ? initiatorOf(c) : counterpartyOf(c));
    const fieldOf = (side: 'initiator' | 'counterparty') => `Sig_${partyOn(side).role}`;
    expect(c.document!.signatures.map((s) => [s.by, s.fieldName])).toEqual([[firstRole, fieldOf(firstRole)], [secondRole, fieldOf(secondRole)]]);
    expect(partyOn(firstRole).signature?.type).toBe(handwritten ? 'handwritten' : 'seal');
    expect(c.document!.signedKey).toBe(c.document!.currentKey);

    // The signed PDF as a party downloads it: pdfsig verifies both signatures against the platform root.
    const dl = await client.ok('contract-download', other.openid, { contractId: id });
    expect(dl.preview).toBe(false);
    const bytes = await fetchBytes(dl.url);
    expect(dl.sha256).toBe(c.document!.currentSha256);
    const file = writeTemp(tempDir(`esign-tpl-${kind}-`), 'signed.pdf', bytes);
    const sig = pdfsig(file, trust());
    expect(sig.signatures.map((s) => [s.fieldName, s.commonName])).toEqual([
      [fieldOf(firstRole), first.name],
      [fieldOf(secondRole), second.name],
      ['DocTimeStamp_1', '个人电子签平台时间戳服务 TSA'],
    ]);
    // E1: PAdES B-LTA — both ETSI.CAdES.detached, valid, trusted, timestamped; DSS and a document timestamp last.
    const pades = await padesFindings(bytes, rootPem(), trust());
    expect(pades).toMatchObject({ signatureTypes: ['ETSI.CAdES.detached', 'ETSI.CAdES.detached'], allValidAndTrusted: true, lastType: 'ETSI.RFC3161', lastCoversAll: true, qpdfOk: true });
    expect(pades.tokens.map((t) => [t.field, t.status])).toEqual([[fieldOf(firstRole), 0], [fieldOf(secondRole), 0], ['DocTimeStamp_1', 0]]);
    expect(pades.dss!.crls).toBeGreaterThanOrEqual(1);

    // T4 what was signed is the contract as filled: every form value, both parties (masked), the number.
    const body = pdfBodyText(file);
    expect(missingValues(formValues(spec, c.form), body)).toEqual([]);
    for (const p of [initiator, other]) {
      expect(body).toContain(p.name);
      expect(body).toContain(maskIdNumber(p.idNumber));
      expect(body).not.toContain(p.idNumber);
    }
    for (const r of spec.roleSpecs) expect(body).toContain(r.designation.replace(/\s/g, ''));
    expect(body).toContain(c.contractNo);
  });
});

/**
 * One bad form per kind at a real constraint: [kind, what is wrong, the change, code, details —
 * the rule and the JSON Pointer of the field the mini-program marks].
 * Each starts from the kind's valid form (the example; the IOU's relative to today).
 */
type Patch = (form: any, today: string) => void;
const BAD: Array<[string, string, Patch, string, Record<string, unknown>]> = [
  ['iou', 'I2 500,000.01 CNY', (f) => {
    f.amountFen = 50_000_001;
    f.repaymentPlan[0].principalFen = 50_000_001;
    f.supplement = { borrowerAddress: '北京市东城区' };
  }, 'AMOUNT_TOO_LARGE', { maxFen: 50_000_000 }],
  ['receipt', 'R1 a received date after today', (f, today) => { f.receivedDate = addDays(today, 1); }, 'INVALID_DATE', { rule: 'dateNotAfterToday', field: '/receivedDate' }],
  ['house_rental', 'the lease ends the day it starts', (f) => { f.term.endDate = f.term.startDate; }, 'INVALID_DATE', { rule: 'dateAfter', field: '/term/endDate', after: '/term/startDate' }],
  ['sale', 'a line amount that is not quantity × unit price', (f) => { f.goods[1].amountFen += 1; f.totalFen += 1; }, 'TOTAL_MISMATCH', { rule: 'lineTotal', field: '/goods/1/amountFen', expected: 80050 }],
  ['service', 'a prepayment above the total fee', (f) => { f.prepaymentFen = f.feeFen + 1; }, 'AMOUNT_EXCEEDS_TOTAL', { rule: 'notAbove', field: '/prepaymentFen', max: 880000 }],
  ['traffic_accident', 'liability shares adding up to 110%', (f) => { f.liability.claimantPercent = 30; }, 'TOTAL_MISMATCH', { rule: 'sumEquals', sum: 110, expected: 100 }],
  ['part_time', 'an end date before the start', (f) => { f.endDate = addDays(f.startDate, -1); }, 'INVALID_DATE', { rule: 'dateAfter', field: '/endDate' }],
  ['image_license', 'a fee with no payment date', (f) => { delete f.paymentDate; }, 'VALIDATION_FAILED', { rule: 'requiredIf', field: '/paymentDate', when: '/feeFen' }],
  ['housekeeping', 'service ending the day it starts', (f) => { f.endDate = f.startDate; }, 'INVALID_DATE', { rule: 'dateAfter', field: '/endDate' }],
  ['shop_lease', 'the same cost item borne twice', (f) => { f.costs.push({ item: '水费', bearer: 'landlord' }); }, 'DUPLICATE_ITEM', { rule: 'uniqueBy', field: '/costs/4/item' }],
  ['goods_rental', 'a lease longer than twenty years (民法典 705)', (f) => { f.endDate = addDays(f.startDate, 20 * 366); }, 'INVALID_DATE', { rule: 'maxPeriod', field: '/endDate', years: 20 }],
  ['parking_lease', 'a negative deposit (schema bound)', (f) => { f.rent.depositFen = -1; }, 'VALIDATION_FAILED', { fields: [{ field: '/rent/depositFen', rule: 'minimum' }] }],
  ['renovation', 'payment stages not adding up to the total', (f) => { f.stages[0].amountFen -= 100; }, 'TOTAL_MISMATCH', { rule: 'sumEquals', field: '/totalFen', sum: 8599900, expected: 8600000 }],
  ['gift', 'a cash gift with no amount', (f) => { delete f.valueFen; }, 'VALIDATION_FAILED', { rule: 'requiredIf', field: '/valueFen', when: '/giftType' }],
  ['statement', 'line items not adding up to the stated total', (f) => { f.lines[2].amountFen += 1; }, 'TOTAL_MISMATCH', { rule: 'sumEquals', field: '/totalFen', sum: 658951, expected: 658950 }],
  ['simple_statement', 'a balance that is not total − paid', (f) => { f.balanceFen -= 1; }, 'TOTAL_MISMATCH', { rule: 'difference', field: '/balanceFen', expected: 1560000 }],
  ['pet_feeding', 'an end date before the start', (f) => { f.endDate = addDays(f.startDate, -1); }, 'INVALID_DATE', { rule: 'dateAfter', field: '/endDate' }],
  ['grassland_transfer', 'a transfer beyond the contract term (农村土地承包法 38)', (f) => { f.transfer.endDate = addDays(f.land.contractTermEnd, 1); }, 'INVALID_DATE', { rule: 'dateAfter', field: '/land/contractTermEnd', after: '/transfer/endDate' }],
];

describe('one bad form per kind is refused with its exact code, and nothing is stored', () => {
  const author = person('o-tpl-bad', '蒋文博', 45);
  beforeAll(async () => {
    await client.verify(author);
  });

  test('every kind has its case', () => {
    expect(BAD.map(([k]) => k).sort()).toEqual([...KIND_NAMES].sort());
  });

  test.each(BAD)('%s: %s', async (kind, _what, patch, code, details) => {
    const spec = kindSpec(kind);
    const today = client.today();
    const good = kind === 'iou' ? iouForm(today) : structuredClone(spec.example);
    const create = (form: unknown) => client.call('contract-create', author.openid, { kind, myRole: spec.roles[0], counterparty: { fillMode: 'other' }, form });
    const bad = structuredClone(good);
    patch(bad, today);

    const before = await snapshot();
    const r = await create(bad);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe(code);
    expect(r.error?.details).toMatchObject(details);
    expect(await snapshot()).toBe(before);
    // The same form without the fault is accepted: the refusal was that constraint's.
    expect((await create(good)).data?.state).toBe('draft');
  });
});
