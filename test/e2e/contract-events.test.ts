/**
 * contract-events (issue 18): a contract's timeline for its parties only — every chained event in
 * order, its actor by side and name (never an openid), whether a face check stood behind it, and
 * the hashes linking it to the one before. Also `side` / `role` in contract views.
 */
import { iouForm, person, startTestEmulator, type Client } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const lender = person('o-ev-lender', '张三', 35);
const borrower = person('o-ev-borrower', '李四', 28);
const stranger = person('o-ev-stranger', '王五', 40);
let id: string;

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('events'));
  await client.verify(lender);
  await client.verify(borrower);
  const view = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
  id = view.id;
  await client.pay(lender.openid, id);
  await client.ok('share-open', borrower.openid, { token: view.shareToken });
  await client.ok('contract-fill', borrower.openid, { contractId: id, name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone });
  await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: await client.face(lender, 'sign', id), signature: { type: 'seal' } });
  await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken: await client.face(borrower, 'sign', id), signature: { type: 'seal' } });
});
afterAll(() => emu.close());

test('C5 the timeline of a signed IOU: each act in order, by side and name, signatures with their face check', async () => {
  const r = await client.ok('contract-events', borrower.openid, { contractId: id });
  expect(r.events.map((e: any) => [e.type, e.side, e.actorName, e.identityCheck])).toEqual([
    ['created', 'initiator', '张三', false],
    ['payment_confirmed', 'system', '平台', false],
    ['initiated', 'system', '平台', false],
    ['share_opened', 'counterparty', '李四', false],
    ['filled', 'counterparty', '李四', false],
    ['signed', 'initiator', '张三', true],
    ['signed', 'counterparty', '李四', true],
  ]);
  expect(r.events.map((e: any) => e.label)).toEqual(['创建合同', '支付发起费', '发起成功', '对方打开分享', '补充信息', '签署', '签署']);
  expect(r.events.map((e: any) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  for (let i = 1; i < r.events.length; i++) expect(r.events[i].prevHash).toBe(r.events[i - 1].hash);
  expect(JSON.stringify(r)).not.toMatch(/o-ev-|openid/);
  expect(JSON.stringify(r)).not.toContain(borrower.idNumber);
});

test('a stranger gets NOT_FOUND; no caller gets UNAUTHENTICATED', async () => {
  expect((await client.call('contract-events', stranger.openid, { contractId: id })).error?.code).toBe('NOT_FOUND');
  expect((await client.call('contract-events', null, { contractId: id })).status).toBeGreaterThanOrEqual(400);
});

test('views name the viewer\'s side and template role apart', async () => {
  const v = await client.ok('contract-get', borrower.openid, { contractId: id });
  expect([v.side, v.role]).toEqual(['counterparty', 'borrower']);
  expect(v.parties.map((p: any) => [p.side, p.templateRole])).toEqual([['initiator', 'lender'], ['counterparty', 'borrower']]);
});

test('INVALID_TRANSITION names the state and whose turn it is', async () => {
  const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
  await client.pay(lender.openid, v.id);
  const r = await client.call('contract-fill', lender.openid, { contractId: v.id, name: lender.name, idNumber: lender.idNumber, phone: lender.phone });
  expect(r.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { state: 'awaiting_fill', action: 'fill', turn: ['counterparty'] } });
});
