/**
 * Operator functions (issue 16 item 5: payment-refund) through their real main(): refused to any
 * user, and to any call a CloudBase client SDK made (its context names its source or device) —
 * only an invocation that carries none of that (the Tencent Cloud API under CAM, the emulator's
 * operator route) runs them. The refusal changes nothing.
 */
import { clientSdkCall } from '../../shared/runtime/caller';
import { paymentsHarness, type PaymentsHarness } from '../support/payments';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await paymentsHarness('operator-guard');
});
afterAll(() => h.close());

/** A CloudBase function context as the platform hands it over for a client SDK call. */
const sdkContext = (env: Record<string, string>) => ({ environment: JSON.stringify({ ...env, TCB_CONTEXT_KEYS: Object.keys(env).join(',') }) });

test('clientSdkCall: a web/anonymous SDK call, a mini-program call and the emulator\'s user are client calls; an API invocation is not', () => {
  expect(clientSdkCall(sdkContext({ TCB_SOURCE: 'web', TCB_UUID: 'u-1' }))).toBe(true);
  expect(clientSdkCall(sdkContext({ TCB_UUID: 'anonymous-1' }))).toBe(true);
  expect(clientSdkCall({ environment: JSON.stringify({ WX_OPENID: 'oABC', WX_CONTEXT_KEYS: 'WX_OPENID' }) })).toBe(true);
  expect(clientSdkCall({ emulatorCaller: { openid: 'alice' } })).toBe(true);
  expect(clientSdkCall({ request_id: 'r-1', function_name: 'payment-refund' })).toBe(false);
  expect(clientSdkCall({ emulatorCaller: null })).toBe(false);
  expect(clientSdkCall(undefined)).toBe(false);
  // A context the SDK cannot read counts as a client's: the guard of a function that moves money fails closed.
  expect(clientSdkCall({ environment: '{not json' })).toBe(true);
});

test('payment-refund: FORBIDDEN for a user and for a client SDK call, nothing changed; NOT_FOUND (it ran) for an API invocation', async () => {
  const before = await h.snapshot();
  const main = h.main('payment-refund');
  expect((await h.call('payment-refund', 'o-someone', { orderId: 'po_none00' })).error).toMatchObject({ code: 'FORBIDDEN', message: '此操作仅限平台运营人员' });
  expect((await main({ orderId: 'po_none00' }, sdkContext({ TCB_SOURCE: 'web', TCB_UUID: 'u-1' }))).error).toMatchObject({ code: 'FORBIDDEN' });
  expect(await h.snapshot()).toBe(before);
  expect((await main({ orderId: 'po_none00' }, { request_id: 'r-1' })).error).toMatchObject({ code: 'NOT_FOUND', message: '订单不存在' });
});
