/**
 * In-process payment tests: a real container (SQLite in a temp dir, the local WeChat Pay — real
 * client and simulator on 127.0.0.1), the functions' real main()s, and a log sink to read what was
 * logged. Contracts are made through the real operations (face check → 实名 → contract-create).
 */
import { Writable } from 'node:stream';
import { FixedClock } from '../../shared/adapters/local/clock';
import type { PaymentSimulator, SimulatedNotification } from '../../shared/adapters/local/payment-simulator';
import type { Contract } from '../../shared/domain/contract';
import type { ContractEvent } from '../../shared/domain/events';
import { CONTRACTS } from '../../shared/contracts/repository';
import type { Coupon } from '../../shared/payments/coupons';
import type { Order } from '../../shared/payments/orders';
import type { Store } from '../../shared/ports/store';
import { createContainer, setContainer, type Container } from '../../shared/runtime/container';
import { createLogger } from '../../shared/runtime/logger';
import { iouForm, person, storeSnapshot, tempDir, type Person } from './emulator';
import { chinaDay } from '../../shared/rules/dates';

type Main = (event: unknown, context?: unknown) => Promise<any>;

export interface PaymentsHarness {
  c: Container;
  clock: FixedClock;
  lines: string[];
  main(name: string): Main;
  /** Calls a function as `openid`; fails the test when refused. */
  ok(name: string, openid: string, payload?: unknown): Promise<any>;
  call(name: string, openid: string | null, payload?: unknown): Promise<any>;
  verified(openid: string, name: string): Promise<Person>;
  /** A draft IOU by `initiator` with `other` filled in (我来填). */
  draftIou(initiator: Person, other: Person): Promise<string>;
  /** A draft IOU with an open initiation order (contract-pay through its real main: the real client against the simulator). */
  ordered(initiator: Person, other: Person, couponId?: string): Promise<{ contractId: string; orderId: string; amountFen: number }>;
  /** Turns a draft into another kind (the template kinds come with the templates work; pricing only reads kind and flow). */
  asKind(contractId: string, kind: string, flow: Contract['flow']): Promise<void>;
  /** WeChat Pay's side: the local provider's simulator. */
  sim(): PaymentSimulator;
  /** The payer paid: WeChat Pay's notification for the order, through the real webhook. */
  notify(orderId: string): Promise<any>;
  /** One run of timer-payment-reconcile; fails the test when refused. */
  reconcile(): Promise<any>;
  /** One run of timer-outbox (the worker: messages and paid evidence reports); fails the test when refused. */
  outbox(): Promise<any>;
  contractOf(id: string): Promise<Contract>;
  couponOf(id: string): Promise<Coupon>;
  orderOf(id: string): Promise<Order>;
  /** A contract's orders, oldest first. */
  ordersOf(contractId: string): Promise<Order[]>;
  /** A contract's audit trail, in order. */
  eventsOf(contractId: string): Promise<ContractEvent[]>;
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

/** The HTTP trigger's event for a notification, as API gateway / function URL hand it over (lower-cased headers). */
export const httpEvent = (n: SimulatedNotification) => ({
  httpMethod: 'POST', path: '/webhooks/payment',
  headers: { ...Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.toLowerCase(), v])), 'content-type': 'application/json' },
  body: n.body, isBase64Encoded: n.isBase64Encoded,
});

export const paymentsHarness = async (label: string, at = '2026-03-15T02:00:00.000Z'): Promise<PaymentsHarness> => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const clock = new FixedClock(new Date(at));
  const c = createContainer({ ESIGN_DATA_DIR: tempDir(label), NODE_ENV: 'test' }, { clock: clock as never, log: createLogger({ level: 'info', destination: sink }) });
  setContainer(c);
  const mains = new Map<string, Main>();
  const main = (name: string): Main => {
    if (!mains.has(name)) mains.set(name, require(`../../functions/${name}`).main as Main);
    return mains.get(name)!;
  };
  const call = (name: string, openid: string | null, payload: unknown = {}) =>
    main(name)(payload, { emulatorCaller: openid ? { openid } : null, requestId: `t-${name}` });
  const ok = async (name: string, openid: string, payload: unknown = {}) => {
    const r = await call(name, openid, payload);
    if (!r.ok) throw new Error(`${name} refused: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const sim = () => c.local!.payments.simulator;
  let seq = 0;
  const verified = async (openid: string, name: string): Promise<Person> => {
    const p = person(openid, name, 30 + (seq++ % 20), chinaDay(clock.now()));
    const { bizToken } = await ok('face-start', openid, { purpose: 'realname', name: p.name, idNumber: p.idNumber });
    c.local!.face.complete(bizToken, true);
    await ok('identity-verify', openid, { name: p.name, idNumber: p.idNumber, phone: p.phone, bizToken });
    return p;
  };
  const draftIou = async (initiator: Person, other: Person): Promise<string> =>
    (await ok('contract-create', initiator.openid, {
      kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: other.name, idNumber: other.idNumber, phone: other.phone }, form: iouForm(chinaDay(clock.now())),
    })).id;
  return {
    c, clock, lines, main, ok, call, verified, draftIou,
    ordered: async (initiator, other, couponId) => {
      const contractId = await draftIou(initiator, other);
      const r = await ok('contract-pay', initiator.openid, { contractId, ...(couponId ? { couponId } : {}) });
      return { contractId, orderId: r.orderId, amountFen: r.amountFen };
    },
    asKind: async (id, kind, flow) => {
      const doc = (await c.store.get<Contract>(CONTRACTS, id))!;
      if (!(await c.store.compareAndSet(CONTRACTS, { ...doc, kind, flow }, doc.version!))) throw new Error('asKind lost a race');
    },
    sim,
    notify: (orderId) => {
      const n = sim().buildNotification({ outTradeNo: orderId });
      return main('payment-notify')({ headers: n.headers, body: n.body, isBase64Encoded: false }, {});
    },
    reconcile: async () => {
      const r = await main('timer-payment-reconcile')({ Type: 'Timer', TriggerName: 'timer-payment-reconcile' }, {});
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.data;
    },
    outbox: async () => {
      const r = await main('timer-outbox')({ Type: 'Timer', TriggerName: 'timer-outbox' }, {});
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.data;
    },
    contractOf: async (id) => (await c.store.get<Contract>('contracts', id))!,
    couponOf: async (id) => (await c.store.get<Coupon>('coupons', id))!,
    orderOf: async (id) => (await c.store.get<Order>('orders', id))!,
    ordersOf: (contractId) => c.store.find<Order>('orders', { contractId }, { orderBy: [['createdAt', 'asc']] }),
    eventsOf: (contractId) => c.store.find<ContractEvent>('events', { contractId }, { orderBy: [['seq', 'asc']] }),
    snapshot: () => storeSnapshot(c.store),
    close: async () => {
      await c.close();
      setContainer(null);
    },
  };
};
