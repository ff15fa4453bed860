import { AppError } from '../errors';
import type { TimerPaymentReconcileInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import type { Deps } from '../ports/operation';
import { loadCard } from '../payments/cards';
import { closeAndRelease, withdrawOrder } from '../payments/checkout';
import { loadContract } from '../contracts/repository';
import { COUPONS, releaseCoupon, useCoupon, type Coupon } from '../payments/coupons';
import { ORDERS, type Order } from '../payments/orders';
import { deliverReport } from '../evidence/lazy-delivery';
import { settleOrder } from '../payments/settlement';

/** Upper bound on batches per run, so one run ends whatever happens. */
const MAX_BATCHES = 20;

type Outcome = 'settled' | 'closed' | 'pending' | 'refused' | 'failed';

/**
 * One unpaid order past its time: what does WeChat Pay say? SUCCESS → settled exactly as a
 * notification would be (same checks); being paid right now → left for the next run; not paid →
 * closed there (so it can no longer be paid) and here, its coupon given back; unknown there,
 * closed, revoked or failed → closed here.
 */
const reconcileOrder = async (deps: Deps, order: Order): Promise<Outcome> => {
  const tx = await deps.payments.queryOrder(order._id);
  if (tx?.tradeState === 'SUCCESS') {
    const r = await settleOrder(deps, order, tx);
    if (r.ok) return 'settled';
    deps.log.error({ orderId: order._id, refused: r.reason, orderFen: order.amountFen, reportedFen: tx.amount.total ?? null }, 'provider order does not match ours');
    return 'refused';
  }
  if (tx?.tradeState === 'USERPAYING') return 'pending';
  if (tx?.tradeState === 'NOTPAY') return (await withdrawOrder(deps, order, 'abandoned')) === 'paid' ? 'settled' : 'closed';
  await closeAndRelease(deps, order, tx === null ? 'unknown_at_provider' : 'abandoned');
  return 'closed';
};

/**
 * A coupon still held after the orders' deadline by a payment that is over (or never came to be —
 * a crash between holding it and writing the order): used if that payment completed, else given back.
 */
const resolveHold = async (deps: Deps, c: Coupon): Promise<'used' | 'released' | 'open'> => {
  const h = c.holder;
  if (!h) return 'open';
  let completed: boolean;
  if (h.orderId) {
    const order = await deps.store.get<Order>(ORDERS, h.orderId);
    if (order?.status === 'created') return 'open'; // its order is still being reconciled
    completed = order?.status === 'paid';
  } else if (h.contractId) {
    const contract = await loadContract(deps, h.contractId);
    completed = (contract?.ruleFacts.fee as { couponId?: unknown } | undefined)?.couponId === c._id;
  } else {
    completed = (await loadCard(deps, c.openid))?.purchases.includes(`coupon:${c._id}`) ?? false;
  }
  if (completed) await useCoupon(deps, c._id, h);
  else await releaseCoupon(deps, c._id, h);
  return completed ? 'used' : 'released';
};

/**
 * F2/S1: the platform's fallback when a payment notification never arrives. Orders still unpaid N
 * minutes after they were placed (config: payments.reconcileAfterMinutes) come from the
 * (status, createdAt) index in batches and are asked about at WeChat Pay (《商户订单号查询订单》),
 * then settled or closed (《关闭订单》). Each step is the same idempotent one the webhook uses, so a
 * run racing a late notification, or another run, changes nothing twice. A provider failure on
 * one order leaves it for the next run. Then the evidence reports paid for but not yet sent.
 */
export const timerPaymentReconcile: Operation<TimerPaymentReconcileInput> = async (_input, ctx) => {
  const { deps } = ctx;
  const cutoff = new Date(deps.clock.now().getTime() - deps.config.payments.reconcileAfterMinutes * 60_000).toISOString();
  const counts: Record<Outcome, number> = { settled: 0, closed: 0, pending: 0, refused: 0, failed: 0 };
  const seen = new Set<string>();
  // A cursor on createdAt moves past orders left for the next run (paying now, provider down), so
  // they cannot hold back the ones behind them.
  let from = '';
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await deps.store.find<Order>(ORDERS, { status: 'created', createdAt: { $gte: from, $lte: cutoff } }, { orderBy: [['createdAt', 'asc']], limit: deps.config.timerBatch });
    const fresh = due.filter((o) => !seen.has(o._id));
    if (fresh.length === 0) break;
    for (const order of fresh) {
      seen.add(order._id);
      try {
        counts[await reconcileOrder(deps, order)]++;
      } catch (e) {
        // One order the provider (or the store) would not settle now must not stop the others.
        if (e instanceof AppError) deps.log.warn({ code: e.code, orderId: order._id }, 'order not reconciled this run');
        else deps.log.error({ err: e, orderId: order._id }, 'order not reconciled this run');
        counts.failed++;
      }
    }
    from = due[due.length - 1]!.createdAt;
    if (due.length < deps.config.timerBatch) break;
  }
  const coupons = { used: 0, released: 0 };
  const held = await deps.store.find<Coupon>(COUPONS, { status: 'held', heldAt: { $lte: cutoff } }, { orderBy: [['heldAt', 'asc']], limit: deps.config.timerBatch });
  for (const c of held) {
    const r = await resolveHold(deps, c);
    if (r !== 'open') coupons[r]++;
  }
  return { ...counts, coupons, reports: await retryReports(deps) };
};

/**
 * Paid evidence reports still owed (C9): paid but never claimed (a notification that settled the
 * order and then stopped), failed emails whose retry time came, claims abandoned by a crash — from
 * the `report.retryAt` index, each delivered once through the same claim the webhook uses.
 */
const retryReports = async (deps: Deps): Promise<{ sent: number; failed: number }> => {
  const now = deps.clock.now().toISOString();
  const owed = await deps.store.find<Order>(ORDERS, { 'report.retryAt': { $lte: now } }, { orderBy: [['report.retryAt', 'asc']], limit: deps.config.timerBatch });
  const out = { sent: 0, failed: 0 };
  for (const o of owed) {
    try {
      const r = await deliverReport(deps, o, 'retry');
      if (r.status === 'sent' && r.byThisCall) out.sent++;
      else if (r.status === 'failed') out.failed++;
    } catch (e) {
      deps.log.warn({ code: e instanceof AppError ? e.code : 'INTERNAL', orderId: o._id }, 'evidence report not retried this run');
      out.failed++;
    }
  }
  return out;
};
