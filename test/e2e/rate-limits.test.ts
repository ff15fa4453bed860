/**
 * M2 through the emulator: everything a caller can make the platform send or spend is limited by
 * the one mechanism (shared/messages/rate-limits.ts, config/messages.json). Past the limit a call
 * is RATE_LIMITED with retryAfterSeconds, and nothing was sent or charged: the outbox (or the
 * provider's log) holds exactly the configured number.
 */
import messages from '../../config/messages.json';
import type { Emulator } from '../../emulator/server';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import { FACE_CHECKS } from '../../shared/identity/face-checks';
import { MESSAGES, type OutboxRow } from '../../shared/messages/outbox';
import { Client, iouForm, person, startTestEmulator, type Person } from '../support/emulator';

let emu: Emulator;
let client: Client;
const lender = person('o-rl-lender', '周立', 40);
const borrower = person('o-rl-borrower', '吴波', 35);
let signedId: string;
const templateKind = KIND_NAMES.find((k) => kindSpec(k).flowFor(kindSpec(k).roles[0]) === 'template')!;

const limitOf = (action: keyof typeof messages.rateLimits, scope: string) => messages.rateLimits[action].find((r) => r.scope === scope)!.count;
const mails = async (to: string) => (await client.raw('GET', `/outbox/email?to=${to}`)).json.messages as unknown[];

/** 31 calls in a row: how many passed, and the refusals' codes and waits. */
const thirtyOne = async (fn: string, openid: string, payload: Record<string, unknown>) => {
  let ok = 0;
  const refused: Array<{ code: string; retryAfterSeconds: number }> = [];
  for (let i = 0; i < 31; i++) {
    const r = await client.call<unknown>(fn, openid, payload);
    if (r.ok) ok++;
    else refused.push({ code: r.error!.code, retryAfterSeconds: Number(r.error!.details?.retryAfterSeconds) });
  }
  return { ok, refused };
};

const signedIou = async (a: Person, b: Person): Promise<string> => {
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  await client.ok('contract-sign', a.openid, { contractId: v.id, bizToken: await client.face(a, 'sign', v.id), signature: { type: 'seal' } });
  await client.ok('contract-sign', b.openid, { contractId: v.id, bizToken: await client.face(b, 'sign', v.id), signature: { type: 'seal' } });
  return v.id;
};

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('rate-limits'));
  for (const p of [lender, borrower]) await client.verify(p);
  signedId = await signedIou(lender, borrower);
});
afterAll(() => emu.close());

const expectRefusals = (refused: Array<{ code: string; retryAfterSeconds: number }>, n: number) => {
  expect(refused).toHaveLength(n);
  for (const r of refused) {
    expect(r.code).toBe('RATE_LIMITED');
    expect(r.retryAfterSeconds).toBeGreaterThan(0);
    expect(r.retryAfterSeconds).toBeLessThanOrEqual(86_400);
  }
};

test('M2/C8: 31 contract-email calls for one contract by one party → the limit is mailed, the rest RATE_LIMITED', async () => {
  const limit = limitOf('contract_email', 'contract_caller');
  const { ok, refused } = await thirtyOne('contract-email', lender.openid, { contractId: signedId, email: 'Target@Example.com' });
  expect(ok).toBe(limit);
  expectRefusals(refused, 31 - limit);
  const rows = await emu.container.store.find<OutboxRow>(MESSAGES, { contractId: signedId, kind: 'email' });
  expect(rows).toHaveLength(limit);
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  expect(await mails('Target@Example.com')).toHaveLength(limit);
  // The other party has counters of their own on this contract, but the address has its own limit too.
  const other = await thirtyOne('contract-email', borrower.openid, { contractId: signedId, email: 'target@example.com' });
  expect(other.ok).toBe(limitOf('contract_email', 'destination') - limit);
});

test('M2/C9: 31 requests for a free evidence report → exactly the limit produced and mailed, the rest RATE_LIMITED', async () => {
  const kind = templateKind;
  const spec = kindSpec(kind);
  const a = person('o-rl-tpl-a', '周文', 41);
  const b = person('o-rl-tpl-b', '吴琴', 35);
  await client.verify(a);
  await client.verify(b);
  const v = await client.ok('contract-create', a.openid, { kind, myRole: spec.roles[0], counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: structuredClone(spec.example) });
  await client.pay(a.openid, v.id);
  await client.ok('share-open', b.openid, { token: v.shareToken });
  await client.ok('contract-sign', b.openid, { contractId: v.id, bizToken: await client.face(b, 'sign', v.id), signature: { type: 'seal' } });
  await client.ok('contract-sign', a.openid, { contractId: v.id, bizToken: await client.face(a, 'sign', v.id), signature: { type: 'seal' } });
  const limit = limitOf('evidence_report', 'contract_caller');
  const { ok, refused } = await thirtyOne('evidence-report-request', a.openid, { contractId: v.id, email: 'reports@example.com', quotedAmountFen: 0 });
  expect(ok).toBe(limit);
  expectRefusals(refused, 31 - limit);
  expect(await mails('reports@example.com')).toHaveLength(limit);
  const events = await emu.container.store.find<{ _id: string; type: string }>('events', { contractId: v.id, type: 'report_sent' });
  expect(events).toHaveLength(limit);
  expect((await client.sms(a.phone)).filter((m) => m.template === 'report_sent')).toHaveLength(limit);
});

test('M2: create → pay → revoke again and again to one typed-in number → the limit of invitations, then RATE_LIMITED before paying', async () => {
  const initiator = person('o-rl-spammer', '郑发', 30);
  await client.verify(initiator);
  const victim = person('o-rl-victim', '王受', 30); // never opens anything: a typed-in number
  const limit = limitOf('invite', 'destination');
  let paid = 0;
  const refused: string[] = [];
  for (let i = 0; i < limit + 3; i++) {
    // A template contract: paying initiates it and invites the typed-in number at once (the table's `initiate`).
    const v = await client.ok('contract-create', initiator.openid, { kind: templateKind, myRole: kindSpec(templateKind).roles[0], counterparty: { fillMode: 'me', name: victim.name, idNumber: victim.idNumber, phone: victim.phone }, form: structuredClone(kindSpec(templateKind).example) });
    const r = await client.call<any>('contract-pay', initiator.openid, { contractId: v.id });
    if (r.ok) {
      if (r.data.orderId) await client.payOrder(r.data.orderId);
      paid++;
    } else {
      refused.push(r.error!.code);
      expect(r.error!.details?.retryAfterSeconds).toBeGreaterThan(0);
      // Nothing charged: no order for the refused contract, and it is still an unpaid draft.
      expect(await emu.container.store.find('orders', { contractId: v.id })).toHaveLength(0);
      expect((await client.ok('contract-get', initiator.openid, { contractId: v.id })).state).toBe('draft');
    }
    await client.ok('contract-revoke', initiator.openid, { contractId: v.id });
  }
  expect(paid).toBe(limit);
  expect(refused).toEqual(Array(3).fill('RATE_LIMITED'));
  expect((await client.sms(victim.phone)).filter((m) => m.template.startsWith('invite_'))).toHaveLength(limit);
});

test('M2: face checks for account changes (A2 phone, email) count against the caller\'s daily face-check limit like every other purpose', async () => {
  const a = person('o-rl-face-acct', '周账户', 35);
  await client.verify(a); // the real-name check is one of the day's
  const limit = limitOf('face_start', 'caller');
  const { ok, refused } = await thirtyOne('face-start', a.openid, { purpose: 'account' });
  expect(ok).toBe(limit - 1);
  expectRefusals(refused, 31 - (limit - 1));
  expect(await emu.container.store.find(FACE_CHECKS, { openid: a.openid, purpose: 'account' })).toHaveLength(limit - 1);
});

test('M2: 31 face-start calls for one contract by one user → the limit reaches the provider, the rest RATE_LIMITED', async () => {
  const a = person('o-rl-face-a', '孙面', 33);
  const b = person('o-rl-face-b', '李面', 33);
  await client.verify(a);
  await client.verify(b);
  const v = await client.ok('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form: iouForm(client.today()) });
  await client.pay(a.openid, v.id);
  const limit = limitOf('face_start', 'contract_caller');
  const { ok, refused } = await thirtyOne('face-start', a.openid, { purpose: 'sign', contractId: v.id });
  expect(ok).toBe(limit);
  expectRefusals(refused, 31 - limit);
  expect(await emu.container.store.find(FACE_CHECKS, { contractId: v.id, openid: a.openid })).toHaveLength(limit);
});
