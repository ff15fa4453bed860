/**
 * `npm run bench` is not part of the test run (timings are not tests), but its code drives the
 * real functions through fixtures of its own: a change to the product can break it silently. This
 * runs each store-bound benchmark on a handful of items and checks it measured what it claims.
 */
import { benchSign, benchTimer } from '../../bench/core';
import { benchBurst, benchWebhook } from '../../bench/payments';
import { benchOp, OPS } from '../../bench/store-ops';
import { setContainer } from '../../shared/runtime/container';

afterEach(() => setContainer(null));

test.each(['sign', 'rescind_request'] as const)('the %s benchmark acts through its function\'s main() and times the bare round trips', async (act) => {
  const r = await benchSign(3, act);
  for (const k of ['signMedianMs', 'bareSameRoundTripsMs', 'bareReadPlusCommitMs', 'ratioVsSameRoundTrips']) expect(r[k]).toBeGreaterThan(0);
});

test('the timer benchmark expires exactly the due contracts', async () => {
  const r = await benchTimer(600, 6);
  expect([r.total, r.due, r.expired]).toEqual([600, 6, 6]);
});

test('the webhook benchmark pays real orders through payment-notify\'s main()', async () => {
  const r = await benchWebhook(2);
  expect(r.n).toBe(2);
  expect(r.webhook).toBeGreaterThan(0);
  expect(r.bare).toBeGreaterThan(0);
});

test.each(OPS)('the %s benchmark makes exactly the round trips its bare libsql baseline makes, on real-size records', async (op) => {
  const r = await benchOp(op, 3);
  expect(r.opMs).toBeGreaterThan(0);
  expect(r.bareMs).toBeGreaterThan(0);
  expect(r.roundTrips[0]).toBe('get contracts');
  expect(r.roundTrips.filter((x) => x === 'get contracts')).toHaveLength(1); // one read per contract per operation
  expect(r.recordBytes).toBeGreaterThan(op === 'contract_fill' ? 1500 : 3800);
});

test('the burst benchmark: every notification answered within the 5 s budget; the worker then sends every paid report', async () => {
  const r = await benchBurst(4); // 2 initiations, 2 paid reports (one IOU signed by both)
  expect(r.burst).toBe(4);
  expect(r.fractionOfBudget).toBeGreaterThan(0);
  expect(r.fractionOfBudget).toBeLessThan(1);
  expect(r.worker).toMatchObject({ delivered: 2, failed: 0 });
}, 60_000);
