/**
 * The payment webhook's cost per notification (DESIGN "Performance budget"), as ratios measured in
 * the same run. `npx tsx bench/payments.ts` (bench/run.ts runs it in its own process).
 *
 *  1. payment-notify through its real main(): verify the RSA-SHA256 signature, decrypt the
 *     AES-256-GCM resource, check it against the order, initiate the contract, mark the order paid;
 *  2. the same notification's crypto alone (parsePaymentNotification: verify + decrypt + parse);
 *  3. the bare store round trips a first delivery makes: read the order, read the contract, commit
 *     (CAS + the two events), CAS the order;
 *  4. a duplicate delivery (the order is paid already): crypto + one read.
 *
 * Orders are real: contract-create and contract-pay through their main()s, the orders placed with
 * the real WeChat Pay client at the local simulator, whose notifications are built exactly as
 * WeChat Pay builds them. Only the measured part is timed; building notifications is not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixedClock } from '../shared/adapters/local/clock';
import { parsePaymentNotification } from '../shared/adapters/wechatpay/notification';
import type { Contract } from '../shared/domain/contract';
import { chainEvents } from '../shared/domain/events';
import type { Order } from '../shared/payments/orders';
import { addDays, chinaDay } from '../shared/rules/dates';
import { residentIdCheckChar } from '../shared/rules/id-number';
import { createContainer, setContainer } from '../shared/runtime/container';
import { createLogger } from '../shared/runtime/logger';

const N = Number(process.env.BENCH_N ?? 400);
const NOW = '2026-03-02T02:00:00.000Z';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (x: number) => x.toFixed(3);

const idFor = (birth: string, seq: string) => {
  const first17 = `110105${birth.replace(/-/g, '')}${seq}`;
  return first17 + residentIdCheckChar(first17);
};

/**
 * A fresh local container with two verified people (their real-name face checks passed through the
 * simulator) and an IOU form due in 90 days: what both payment benches start from.
 */
const benchWorld = async (label: string, prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `esign-bench-${label}-`));
  const clock = new FixedClock(new Date(NOW));
  const c = createContainer({ ESIGN_DATA_DIR: dir }, { clock: clock as never, log: createLogger({ level: 'silent' }) });
  setContainer(c);
  const fn = (name: string) => require(`../functions/${name}`).main;
  const call = async (name: string, openid: string, payload: unknown) => {
    const r = await fn(name)(payload, { emulatorCaller: { openid } });
    if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const people = [
    { openid: `o-${prefix}-a`, name: '张三', idNumber: idFor('1985-06-15', '031'), phone: '13800138001' },
    { openid: `o-${prefix}-b`, name: '李四', idNumber: idFor('1993-11-02', '042'), phone: '13900139002' },
  ];
  for (const p of people) {
    const { bizToken } = await call('face-start', p.openid, { purpose: 'realname', name: p.name, idNumber: p.idNumber });
    c.local!.face.complete(bizToken, true);
    await call('identity-verify', p.openid, { name: p.name, idNumber: p.idNumber, phone: p.phone, bizToken });
  }
  const [a, b] = people as [(typeof people)[0], (typeof people)[0]];
  const today = chinaDay(clock.now());
  const form = { amountFen: 1_000_000, purpose: '周转', borrowDate: today, repayDate: addDays(today, 90), annualRateBp: 600, repaymentPlan: [{ dueDate: addDays(today, 90), principalFen: 1_000_000 }] };
  return { dir, clock, c, fn, call, a, b, form };
};

export const benchWebhook = async (n = N) => {
  const { dir, clock, c, fn, call, a, b, form } = await benchWorld('pay', 'bench');
  const placeOrder = async () => {
    const { id } = await call('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form });
    return (await call('contract-pay', a.openid, { contractId: id })).orderId as string;
  };
  const viaWebhook: string[] = [];
  const bare: string[] = [];
  for (let i = 0; i < n; i++) {
    viaWebhook.push(await placeOrder());
    bare.push(await placeOrder());
  }
  const sim = c.local!.payments.simulator;
  const events = viaWebhook.map((id) => {
    const note = sim.buildNotification({ outTradeNo: id });
    return { headers: note.headers, body: note.body, isBase64Encoded: false };
  });
  const webhook = fn('payment-notify');
  const keys = c.payments.notificationKeys();

  const t = { webhook: [] as number[], crypto: [] as number[], bare: [] as number[], duplicate: [] as number[] };
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    let t0 = ms();
    const parsed = parsePaymentNotification(event, keys, clock);
    t.crypto.push(ms() - t0);
    if (!parsed.ok) throw new Error(parsed.message);

    t0 = ms();
    const answer = await webhook(event, {});
    t.webhook.push(ms() - t0);
    if (answer.statusCode !== 204) throw new Error(`webhook answered ${answer.statusCode} ${answer.body}`);

    // The round trips a first delivery needs, bare, on a twin order.
    t0 = ms();
    const order = (await c.store.get<Order>('orders', bare[i]!))!;
    const contract = (await c.store.get<Contract>('contracts', order.contractId!))!;
    const chained = chainEvents(contract._id, contract.eventHead, NOW, [
      { type: 'payment_confirmed', actor: { role: 'system', openid: null }, data: { orderId: order._id } },
      { type: 'initiated', actor: { role: 'system', openid: null }, data: {} },
    ]);
    const done = await c.store.commit(
      { collection: 'contracts', doc: { ...contract, state: 'awaiting_signatures', payment: { ...contract.payment, status: 'paid', orderId: order._id }, eventHead: chained.head }, expectedVersion: contract.version! },
      [{ collection: 'events', docs: chained.docs }],
    );
    await c.store.compareAndSet('orders', { ...order, status: 'paid', openFor: null }, order.version!);
    t.bare.push(ms() - t0);
    if (!done.ok) throw new Error('bare commit lost');

    t0 = ms();
    const again = await webhook(event, {});
    t.duplicate.push(ms() - t0);
    if (again.statusCode !== 204) throw new Error('duplicate refused');
  }
  const paid = await c.store.count('orders', { status: 'paid' });
  await c.close();
  setContainer(null);
  fs.rmSync(dir, { recursive: true, force: true });
  if (paid !== 2 * n) throw new Error(`expected ${2 * n} paid orders, found ${paid}`);
  const m = { webhook: median(t.webhook), crypto: median(t.crypto), bare: median(t.bare), duplicate: median(t.duplicate) };
  return { n, ...m, ratio: m.webhook / m.bare, ratioWithoutCrypto: (m.webhook - m.crypto) / m.bare };
};

/**
 * The 5 s budget (issue 16 item 4): 20 notifications delivered at once — 10 initiations and 10
 * paid evidence reports (5 IOUs signed by both, each party asking) — through payment-notify's
 * main() in this process, which had not loaded the webhook before. Each answer's latency, from the
 * burst's start, against WeChat Pay's 5 s; then the outbox worker (timer-outbox) that produces,
 * signs and emails the 10 reports after the webhook answered.
 */
export const benchBurst = async (burst = 20) => {
  const { dir, clock, c, fn, call, a, b, form } = await benchWorld('burst', 'burst');
  const sim = c.local!.payments.simulator;
  const create = () => call('contract-create', a.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: b.name, idNumber: b.idNumber, phone: b.phone }, form });
  const orders: string[] = [];
  for (let i = 0; i < burst / 2; i++) orders.push((await call('contract-pay', a.openid, { contractId: (await create()).id })).orderId);
  for (let i = 0; i < burst / 4; i++) {
    const v = await create();
    const paid = (await call('contract-pay', a.openid, { contractId: v.id })).orderId;
    sim.pay(paid);
    const n = sim.buildNotification({ outTradeNo: paid });
    await fn('payment-notify')({ headers: n.headers, body: n.body, isBase64Encoded: false }, {});
    await call('share-open', b.openid, { token: v.shareToken });
    for (const p of [a, b]) {
      const { bizToken } = await call('face-start', p.openid, { purpose: 'sign', contractId: v.id });
      c.local!.face.complete(bizToken, true);
      await call('contract-sign', p.openid, { contractId: v.id, bizToken, signature: { type: 'seal' } });
    }
    for (const p of [a, b]) orders.push((await call('evidence-report-request', p.openid, { contractId: v.id, email: `${p.openid}@example.com` })).orderId);
  }
  await fn('timer-outbox')({ Type: 'Timer' }, {}); // the setup's own messages out of the way
  const events = orders.map((id) => {
    sim.pay(id);
    const note = sim.buildNotification({ outTradeNo: id });
    return { headers: note.headers, body: note.body, isBase64Encoded: false };
  });
  const webhook = fn('payment-notify');
  const t0 = ms();
  const latencies = await Promise.all(events.map(async (e) => {
    const answer = await webhook(e, {});
    if (answer.statusCode !== 204) throw new Error(`webhook answered ${answer.statusCode} ${answer.body}`);
    return ms() - t0;
  }));
  const slowest = Math.max(...latencies);
  const w0 = ms();
  const worker = (await fn('timer-outbox')({ Type: 'Timer' }, {})).data;
  const workerMs = ms() - w0;
  const reportsSent = await c.store.count('orders', { purpose: 'evidence_report', 'report.status': 'sent' });
  await c.close();
  setContainer(null);
  fs.rmSync(dir, { recursive: true, force: true });
  if (reportsSent !== burst / 2) throw new Error(`expected ${burst / 2} reports sent by the worker, found ${reportsSent}`);
  return { burst, slowest, median: median(latencies), fractionOfBudget: slowest / 5000, workerMs, worker };
};

if (require.main === module) {
  void (async () => {
    // First, in a fresh process: the burst's first answers include loading the webhook's modules.
    const b = await benchBurst();
    console.log(`${b.burst} notifications at once (10 initiations, 10 paid reports): slowest answer ${fmt(b.slowest)} ms, median ${fmt(b.median)} ms → ${(b.fractionOfBudget * 100).toFixed(1)} % of WeChat Pay's 5 s`);
    console.log(`then the outbox worker (timer-outbox): ${fmt(b.workerMs)} ms for ${JSON.stringify(b.worker)}`);
    return benchWebhook();
  })().then((r) => {
    console.log(`payment-notify via main(), first delivery, median    ${fmt(r.webhook)} ms   (n=${r.n})`);
    console.log(`  of which verify + decrypt + parse, median           ${fmt(r.crypto)} ms`);
    console.log(`its store round trips, bare, median                  ${fmt(r.bare)} ms   → ratio ${r.ratio.toFixed(2)}× (${r.ratioWithoutCrypto.toFixed(2)}× without the crypto)`);
    console.log(`a duplicate delivery (already paid), median          ${fmt(r.duplicate)} ms`);
  });
}
