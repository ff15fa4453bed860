/**
 * The webhook and WeChat Pay's platform certificate rotation (issue 16 item 5): a notification
 * signed under a serial we do not hold makes payment-notify refresh the certificates once (the
 * adapter rate-limits it) and check the notification again; when no refresh happens, or it
 * fails, the notification is refused as unknown_serial (401) and WeChat redelivers later.
 * The Payments port is a stand-in here: what is checked is the webhook's order of steps.
 */
import { paymentNotify } from '../../shared/operations/payment-notify';
import { notificationAccepted, notificationRefused } from '../../shared/adapters/wechatpay/notification';
import type { Deps } from '../../shared/ports/operation';
import type { RefundNotificationCheck } from '../../shared/ports/payments';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => silent } as never;
const refundEvent = { headers: {}, body: JSON.stringify({ event_type: 'REFUND.SUCCESS' }) };
const verified: RefundNotificationCheck = {
  ok: true,
  notification: { id: 'n1', createTime: '', eventType: 'REFUND.SUCCESS', verifiedWith: 'NEWSERIAL', refund: { refundId: 'r', outRefundNo: 'RFx', transactionId: 'x', outTradeNo: 'po_unknown000', status: 'SUCCESS', amount: { refund: 1, total: 1 } } },
};
const unknownSerial: RefundNotificationCheck = { ok: false, reason: 'unknown_serial', message: 'no key for NEWSERIAL' };

const depsWith = (refresh: () => Promise<unknown>, parses: RefundNotificationCheck[]) => {
  const calls = { parse: 0, refresh: 0 };
  const deps = {
    store: { get: async () => null },
    payments: {
      notificationKind: () => 'refund',
      parseRefundNotification: () => parses[Math.min(calls.parse++, parses.length - 1)]!,
      refreshPlatformKeys: async () => (calls.refresh++, refresh()),
      notificationAnswer: (o: string) => (o === 'accepted' ? notificationAccepted() : notificationRefused(o as never)),
    },
  } as unknown as Deps;
  return { deps, calls };
};

test('an unknown serial: refreshed once, checked again — now verified (here: a refund we never recorded → 404)', async () => {
  const { deps, calls } = depsWith(async () => ({ serials: ['NEWSERIAL'], expires: { NEWSERIAL: '2031-01-01T00:00:00+08:00' }, added: ['NEWSERIAL'], dropped: [] }), [unknownSerial, verified]);
  const answer = await paymentNotify(refundEvent, { deps, log: silent, requestId: 't' });
  expect(calls).toEqual({ parse: 2, refresh: 1 });
  expect(answer.statusCode).toBe(404);
});

test('no refresh (asked moments ago) or a failed one: refused as unknown_serial (401), checked once', async () => {
  for (const refresh of [async () => null, async () => { throw new Error('WeChat Pay down'); }]) {
    const { deps, calls } = depsWith(refresh, [unknownSerial, verified]);
    const answer = await paymentNotify(refundEvent, { deps, log: silent, requestId: 't' });
    expect(calls).toEqual({ parse: 1, refresh: 1 });
    expect(answer).toEqual(notificationRefused('unknown_serial'));
  }
});

test('a verified notification never triggers a download', async () => {
  const { deps, calls } = depsWith(async () => ({ serials: [], added: [], dropped: [] }), [verified]);
  await paymentNotify(refundEvent, { deps, log: silent, requestId: 't' });
  expect(calls).toEqual({ parse: 1, refresh: 0 });
});
