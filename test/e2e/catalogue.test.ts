/**
 * What the mini-program reads before and after a contract (SPEC T1, T2, T4, F1, U4, I10, C11):
 * template-list, template-get, precedents-list and legal-service over the emulator.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Emulator } from '../../emulator/server';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import { validatePayload } from '../../shared/rules/json-schema';
import legalContent from '../../templates/content/legal-service.json';
import precedents from '../../templates/content/precedents.json';
import { Client, person, startTestEmulator } from '../support/emulator';

let emu: Emulator;
let client: Client;
const landlord = person('o-cat-landlord', '孙丽娟', 38);
const tenant = person('o-cat-tenant', '许志强', 29);
const stranger = person('o-cat-stranger', '褚海涛', 50);

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('catalogue'));
  for (const p of [landlord, tenant, stranger]) await client.verify(p);
});
afterAll(() => emu.close());

/** SPEC T1, in its order, with the names the product lists them under. */
const T1: Array<[string, string]> = [
  ['iou', '个人借条'], ['receipt', '个人收据'], ['house_rental', '租房合同'], ['sale', '买卖合同'], ['service', '服务合同'],
  ['traffic_accident', '交通事故和解协议'], ['part_time', '兼职合同'], ['image_license', '图片许可使用合同'], ['housekeeping', '家政服务合同'],
  ['shop_lease', '商铺租赁合同'], ['goods_rental', '物品租赁合同'], ['parking_lease', '车位租赁合同'], ['renovation', '装饰装修合同'],
  ['gift', '赠与合同'], ['statement', '对账单'], ['simple_statement', '简易对账单'], ['pet_feeding', '上门喂养宠物服务合同'], ['grassland_transfer', '草场流转合同'],
];

describe('template-list (T1, T2, F1)', () => {
  test('the 18 kinds of T1 in its order, each with both titles, the role pair (default first) and a version', async () => {
    const { templates } = await client.ok('template-list', landlord.openid);
    expect(templates.map((t: { kind: string; name: string }) => [t.kind, t.name])).toEqual(T1);
    for (const t of templates) {
      expect(t.title).toMatch(/[\u4e00-\u9fff]/);
      expect(t.titleEn).toMatch(/^[A-Z][A-Za-z -]+$/);
      expect(t.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(t.roles).toHaveLength(2);
      expect(t.roles.map((r: { default: boolean }) => r.default)).toEqual([true, false]);
      for (const r of t.roles) expect(r.label).toMatch(/^[\u4e00-\u9fff]+$/);
    }
    const roles = (kind: string) => templates.find((t: { kind: string }) => t.kind === kind).roles.map((r: { key: string; label: string }) => `${r.key}:${r.label}`);
    // T2: 默认房东, switch to 租客; 借给我 / 我出借; 我收款 / 我付款.
    expect(roles('house_rental')).toEqual(['landlord:房东', 'tenant:租客']);
    expect(roles('iou')).toEqual(['borrower:借款人', 'lender:出借人']);
    expect(roles('receipt')).toEqual(['payee:收款人', 'payer:付款人']);
    expect(templates.find((t: { kind: string }) => t.kind === 'house_rental')).toMatchObject({ title: '房屋租赁合同', titleEn: 'House rental contract' });
  });

  test('F1 the fee rule comes from config/fees.json: IOU and receipt always paid (a payer-issued receipt free), the rest free within the monthly quota', async () => {
    const fees = emu.container.config.fees;
    const { templates } = await client.ok('template-list', landlord.openid);
    const fee = (kind: string) => templates.find((t: { kind: string }) => t.kind === kind).fee;
    expect(fee('iou')).toEqual({
      initiationFen: fees.initiation.iou!.feeFen, initiationFenByRole: { borrower: 500, lender: 500 }, monthlyFreeQuota: null,
      saverCardInitiationFen: 0, evidenceReportFen: 990, saverCardEvidenceReportFen: 490,
      summary: '发起每份5.00元；开通省钱月卡期间免费；签署报告每份9.90元（省钱月卡期间4.90元）。',
    });
    expect(fee('receipt')).toMatchObject({ initiationFenByRole: { payee: fees.initiation.receipt!.feeFen, payer: 0 }, monthlyFreeQuota: null, summary: expect.stringContaining('付款人发起免费') });
    for (const kind of KIND_NAMES.filter((k) => k !== 'iou' && k !== 'receipt')) {
      expect(fee(kind)).toEqual({
        initiationFen: fees.initiation['*']!.feeFen, initiationFenByRole: Object.fromEntries(kindSpec(kind).roles.map((r) => [r, 300])), monthlyFreeQuota: fees.monthlyFreeQuota,
        saverCardInitiationFen: 0, evidenceReportFen: 0, saverCardEvidenceReportFen: 0,
        summary: '发起每月前3份免费，超出后每份3.00元；开通省钱月卡期间免费；签署报告免费。',
      });
    }
  });

  test('U4 the caller\'s free initiations this China month: one template contract initiated uses one', async () => {
    const before = (await client.ok('template-list', landlord.openid)).freeQuota;
    expect(before).toEqual({ month: client.today().slice(0, 7), limit: 3, used: 0, remaining: 3 });
    const spec = kindSpec('gift');
    const { id } = await client.ok('contract-create', landlord.openid, { kind: 'gift', myRole: 'donor', counterparty: { fillMode: 'other' }, form: structuredClone(spec.example) });
    await client.pay(landlord.openid, id);
    expect((await client.ok('template-list', landlord.openid)).freeQuota).toMatchObject({ used: 1, remaining: 2 });
    // Another user's quota is their own.
    expect((await client.ok('template-list', tenant.openid)).freeQuota).toMatchObject({ used: 0, remaining: 3 });
  });

  test('the catalogue can be browsed before signing in (no quota then)', async () => {
    const r = await client.ok('template-list', null as unknown as string);
    expect(r.templates).toHaveLength(18);
    expect(r.freeQuota).toBeNull();
  });
});

describe('template-get (T1, T3, T4)', () => {
  test('the rental: its form schema as contract-create uses it, the fields with Chinese labels, the defaults, the example and its text', async () => {
    const t = await client.ok('template-get', landlord.openid, { kind: 'house_rental' });
    expect(t).toMatchObject({ kind: 'house_rental', name: '租房合同', title: '房屋租赁合同', roles: [{ key: 'landlord', default: true }, { key: 'tenant', default: false }] });
    expect(t.schema).toEqual(JSON.parse(fs.readFileSync(path.join(__dirname, '../../schemas/templates/house_rental.json'), 'utf8')));
    const field = (pointer: string) => t.fields.find((f: { pointer: string }) => f.pointer === pointer);
    // T3: address, detailed address, floor area, decoration, furniture on/off and list; term, rent, deposit, cycle; costs; promises.
    expect(field('/house/address')).toMatchObject({ label: '房屋地址（省、市、区）', type: 'string', required: true });
    expect(field('/house/detailAddress')).toMatchObject({ required: true });
    expect(field('/house/areaSqm')).toMatchObject({ type: 'number', exclusiveMinimum: 0, required: true });
    expect(field('/house/decoration')).toMatchObject({ type: 'enum', enum: ['毛坯', '简装', '精装', '豪装'] });
    expect(field('/house/furnished')).toMatchObject({ type: 'boolean', default: false, label: '包含家具家私' });
    expect(field('/house/furniture/*/name')).toMatchObject({ label: '名称', required: true });
    expect(field('/term/endDate')).toMatchObject({ format: 'date', required: true });
    expect(field('/rent/monthlyRentFen')).toMatchObject({ money: true, minimum: 1 });
    expect(field('/rent/depositFen')).toMatchObject({ money: true, minimum: 0, required: true });
    expect(field('/rent/paymentCycle')).toMatchObject({ enum: ['月付', '季付', '半年付', '年付'], default: '月付' });
    expect(field('/costs/*/bearer')).toMatchObject({ enum: ['landlord', 'tenant'] });
    expect(field('/promises/otherPromises/*')).toMatchObject({ type: 'string' });
    expect(t.defaults).toEqual({
      house: { furnished: false },
      rent: { paymentCycle: '月付', payDaysBefore: 5 },
      costs: t.schema.properties.costs.default,
      promises: { subletAllowed: false, petsAllowed: false, alterationAllowed: false, terminationNoticeDays: 30 },
    });
    expect(t.defaults.costs.map((c: { item: string }) => c.item)).toEqual(['水费', '电费', '燃气费', '物业费', '网络费', '非人为损坏的维修费']);
    expect(t.example).toEqual(kindSpec('house_rental').example);
    expect(t.preview).toEqual({ contractNo: '（发起后生成）', text: fs.readFileSync(path.join(__dirname, '../templates/golden/house_rental.txt'), 'utf8').replace(/\n$/, '') });
  });

  test('the defaults are what contract-create fills in for what the form leaves out', async () => {
    const t = await client.ok('template-get', landlord.openid, { kind: 'house_rental' });
    const { promises: _p, costs: _c, ...form } = structuredClone(t.example);
    form.rent = { monthlyRentFen: 300_000, depositFen: 0 };
    const draft = await client.ok('contract-create', landlord.openid, { kind: 'house_rental', myRole: 'landlord', counterparty: { fillMode: 'other' }, form });
    expect(draft.form.promises).toEqual(t.defaults.promises);
    expect(draft.form.costs).toEqual(t.defaults.costs);
    expect(draft.form.rent).toEqual({ monthlyRentFen: 300_000, depositFen: 0, ...t.defaults.rent });
  });

  test.each(KIND_NAMES.map((k) => [k]))('%s: every field labelled in Chinese; example + defaults valid; the preview is the golden text', async (kind) => {
    const t = await client.ok('template-get', null as unknown as string, { kind });
    expect(t.fields.length).toBeGreaterThan(4);
    for (const f of t.fields) expect([f.pointer, f.label]).toEqual([f.pointer, expect.stringMatching(/[\u4e00-\u9fff]/)]);
    const merged = { ...t.defaults, ...structuredClone(t.example) };
    expect(() => validatePayload(t.schema, merged)).not.toThrow();
    expect(t.preview.text).toBe(fs.readFileSync(path.join(__dirname, `../templates/golden/${kind}.txt`), 'utf8').replace(/\n$/, ''));
  });

  test('an unknown kind is VALIDATION_FAILED at /kind', async () => {
    const r = await client.call('template-get', landlord.openid, { kind: 'spaceship_lease' });
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: '/kind', rule: 'enum' }] } });
  });
});

describe('precedents-list (I10)', () => {
  test('every precedent with its basis under the disclaimer, as written in templates/content/precedents.json', async () => {
    const r = await client.ok('precedents-list', landlord.openid, {});
    expect(r).toEqual({ disclaimer: precedents.disclaimer, updatedOn: precedents.updatedOn, items: precedents.items });
    expect(r.items.length).toBeGreaterThanOrEqual(5);
    for (const p of r.items) {
      expect(p.title).toMatch(/[\u4e00-\u9fff]/);
      expect(p.ruling.length).toBeGreaterThan(20);
      expect(p.basis.length).toBeGreaterThan(0);
      for (const b of p.basis) expect(b).toMatch(/^《.+》/);
    }
  });
  test('for one kind: only the precedents about it', async () => {
    const iou = (await client.ok('precedents-list', landlord.openid, { kind: 'iou' })).items;
    const receipt = (await client.ok('precedents-list', landlord.openid, { kind: 'receipt' })).items;
    expect(iou.map((p: { id: string }) => p.id)).toEqual(precedents.items.filter((p) => p.kinds.includes('iou')).map((p) => p.id));
    expect(receipt.map((p: { id: string }) => p.id)).toEqual(precedents.items.filter((p) => p.kinds.includes('receipt')).map((p) => p.id));
    expect(receipt.length).toBeLessThan(iou.length);
    expect((await client.ok('precedents-list', landlord.openid, { kind: 'gift' })).items).toEqual([]);
  });
});

describe('legal-service (C11)', () => {
  const { $comment: _c, ...page } = legalContent;
  let id: string;

  beforeAll(async () => {
    const spec = kindSpec('parking_lease');
    const v = await client.ok('contract-create', landlord.openid, {
      kind: 'parking_lease', myRole: 'landlord', counterparty: { fillMode: 'me', name: tenant.name, idNumber: tenant.idNumber, phone: tenant.phone }, form: structuredClone(spec.example),
    });
    id = v.id;
    await client.pay(landlord.openid, id);
    await client.ok('share-open', tenant.openid, { token: v.shareToken });
  });

  test('the page as written: notice, consent, the services to link out to', async () => {
    const r = await client.ok('legal-service', landlord.openid, {});
    expect(r).toEqual({ ...page, contract: null });
    expect(r.continueLabel).toBe('我已知悉并继续前往');
    for (const s of r.services) expect(s.link.type === 'web' ? s.link.url : s.link.number).toMatch(/^(https:\/\/|\d+$)/);
  });

  test('from a contract: only once both parties signed, and only for its parties', async () => {
    const early = await client.call('legal-service', tenant.openid, { contractId: id });
    expect(early.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { state: 'awaiting_signatures' } });
    await client.ok('contract-sign', tenant.openid, { contractId: id, bizToken: await client.face(tenant, 'sign', id), signature: { type: 'seal' } });
    await client.ok('contract-sign', landlord.openid, { contractId: id, bizToken: await client.face(landlord, 'sign', id), signature: { type: 'seal' } });
    const c = await client.ok('contract-get', tenant.openid, { contractId: id });
    for (const who of [landlord, tenant]) {
      expect(await client.ok('legal-service', who.openid, { contractId: id })).toEqual({ ...page, contract: { id, contractNo: c.contractNo, title: '车位租赁合同' } });
    }
    const r = await client.call('legal-service', stranger.openid, { contractId: id });
    expect([r.status, r.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});
