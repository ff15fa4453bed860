/**
 * The real client against the simulator over HTTP on 127.0.0.1: requests are signed and checked
 * by the simulator, answers are signed by the simulator and checked by the client.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import type { Server } from 'node:http';
import { WechatPayClient } from '../../shared/adapters/wechatpay/client';
import { createWechatPayConfig, type WechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { WechatPayError } from '../../shared/adapters/wechatpay/errors';
import {
  notificationAccepted,
  notificationRefused,
  parsePaymentNotification,
} from '../../shared/adapters/wechatpay/notification';
import type { PaymentSimulator } from '../../shared/adapters/local/payment-simulator';
import { APPID, MCHID, caught, close, listen, setUp, type MerchantKeys } from './fixtures';

let server: Server;
let sim: PaymentSimulator;
let merchant: MerchantKeys;
let config: WechatPayConfig;
let client: WechatPayClient;
let seq = 0;
const nextOrderNo = (): string => `IOU${Date.now()}${String(++seq).padStart(4, '0')}`;

beforeAll(async () => {
  const s = setUp();
  sim = s.sim;
  merchant = s.merchant;
  const l = await listen(sim.handler);
  server = l.server;
  config = createWechatPayConfig(sim.configInput(merchant, l.baseUrl, 'https://esign.example.com/webhooks/payment'));
  client = new WechatPayClient({ config });
});

afterAll(() => close(server));


const order = (outTradeNo: string, amountFen = 990) => ({
  outTradeNo,
  description: '电子借条-发起费',
  amountFen,
  payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
});

describe('createJsapiOrder', () => {
  it('creates the order and returns wx.requestPayment parameters signed with the merchant key', async () => {
    const no = nextOrderNo();
    const before = Math.floor(Date.now() / 1000);
    const result = await client.createJsapiOrder({ ...order(no), attach: 'contract:c_123' });

    expect(result.prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    const p = result.requestPayment;
    expect(p.package).toBe(`prepay_id=${result.prepayId}`);
    expect(p.signType).toBe('RSA');
    expect(p.nonceStr).toMatch(/^[0-9A-Za-z]{1,32}$/);
    expect(Number(p.timeStamp)).toBeGreaterThanOrEqual(before);
    // paySign checked by hand against the merchant PUBLIC key (what WeChat does on wx.requestPayment).
    const message = `${APPID}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    expect(verify('sha256', Buffer.from(message), merchant.publicKeyPem, Buffer.from(p.paySign, 'base64'))).toBe(true);

    expect(sim.getOrder(no)).toMatchObject({
      appid: APPID,
      mchid: MCHID,
      amountFen: 990,
      description: '电子借条-发起费',
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      notifyUrl: 'https://esign.example.com/webhooks/payment',
      attach: 'contract:c_123',
      tradeState: 'NOTPAY',
    });
  });

  it('asking again for the same order gives a fresh prepay_id; changing the amount is refused', async () => {
    const no = nextOrderNo();
    const a = await client.createJsapiOrder(order(no));
    const b = await client.createJsapiOrder(order(no));
    expect(b.prepayId).not.toBe(a.prepayId);
    const e = await caught(client.createJsapiOrder(order(no, 1990)));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: 403, providerCode: 'OUT_TRADE_NO_USED' });
  });

  it.each([
    ['too short', { outTradeNo: 'A1' }],
    ['too long', { outTradeNo: 'X'.repeat(33) }],
    ['bad characters', { outTradeNo: 'IOU 2025/01' }],
    ['zero amount', { amountFen: 0 }],
    ['fractional fen', { amountFen: 9.9 }],
    ['emoji in description', { description: '借条🙂' }],
  ])('refuses %s before calling WeChat', async (_label, patch) => {
    const e = await caught(client.createJsapiOrder({ ...order(nextOrderNo()), ...patch }));
    expect(e.kind).toBe('invalid_input');
  });

  it('accepts every out_trade_no character WeChat allows ([A-Za-z0-9_-|*], 6–32)', async () => {
    const no = `a-B_9|*${String(++seq).padStart(4, '0')}`;
    await client.createJsapiOrder(order(no));
    const tx = await client.queryOrder(no); // path-encoded "|" must sign and route the same
    expect(tx.outTradeNo).toBe(no);
  });
});

describe('queryOrder / closeOrder', () => {
  it('reports NOTPAY, then SUCCESS after the payer pays — matching the notification', async () => {
    const no = nextOrderNo();
    await client.createJsapiOrder(order(no, 1500));
    const unpaid = await client.queryOrder(no);
    expect(unpaid).toMatchObject({
      outTradeNo: no,
      mchid: MCHID,
      appid: APPID,
      tradeState: 'NOTPAY',
      amount: { total: 1500 },
    });
    expect(unpaid.transactionId).toBeUndefined();

    const notification = sim.buildNotification({ outTradeNo: no });
    const paid = await client.queryOrder(no);
    expect(paid).toMatchObject({
      tradeState: 'SUCCESS',
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      amount: { total: 1500, payerTotal: 1500, currency: 'CNY' },
    });
    const parsed = parsePaymentNotification(notification, config, { now: () => new Date() });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.notification.transaction.transactionId).toBe(paid.transactionId);
    expect(parsed.notification.transaction.successTime).toBe(paid.successTime);
  });

  it('maps ORDERNOTEXIST to a typed, non-retryable error', async () => {
    const e = await caught(client.queryOrder(nextOrderNo()));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: 404, providerCode: 'ORDERNOTEXIST' });
    expect(e.retryable).toBe(false);
    expect(e.requestId).toMatch(/^[0-9A-F]+$/);
  });

  it('closes an unpaid order (204, signed empty body) and refuses to close a paid one', async () => {
    const no = nextOrderNo();
    await client.createJsapiOrder(order(no));
    await expect(client.closeOrder(no)).resolves.toBeUndefined();
    expect((await client.queryOrder(no)).tradeState).toBe('CLOSED');

    const paidNo = nextOrderNo();
    await client.createJsapiOrder(order(paidNo));
    sim.pay(paidNo);
    const e = await caught(client.closeOrder(paidNo));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: 400, providerCode: 'ORDERPAID' });
  });
});

describe('request authentication', () => {
  it('a request signed with the wrong merchant key is refused with SIGN_ERROR', async () => {
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const impostor = new WechatPayClient({ config: { ...config, merchantPrivateKey: wrong } });
    const e = await caught(impostor.createJsapiOrder(order(nextOrderNo())));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: 401, providerCode: 'SIGN_ERROR' });
    expect(e.retryable).toBe(false);
  });

  it('a request with a skewed clock is refused with SIGN_ERROR', async () => {
    const late = new WechatPayClient({ config, clock: { now: () => new Date(Date.now() - 10 * 60_000) } });
    const e = await caught(late.queryOrder(nextOrderNo()));
    expect(e).toMatchObject({ httpStatus: 401, providerCode: 'SIGN_ERROR' });
  });

  it('sends Accept, User-Agent and, in public-key mode, Wechatpay-Serial', async () => {
    const seen: Headers[] = [];
    const spying = new WechatPayClient({
      config,
      fetch: async (input, init) => {
        seen.push(new Headers(init?.headers));
        return fetch(input, init);
      },
    });
    await spying.createJsapiOrder(order(nextOrderNo()));
    const h = seen[0]!;
    expect(h.get('accept')).toBe('application/json');
    expect(h.get('content-type')).toBe('application/json');
    expect(h.get('user-agent')).toBeTruthy();
    expect(h.get('wechatpay-serial')).toBe(sim.publicKeyId);
    expect(h.get('authorization')).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",/);
  });
});

describe('response verification', () => {
  it.each([
    ['tamper_response_signature', 'bad_signature'],
    ['tamper_response_body', 'bad_signature'],
    ['unsigned_response', 'bad_signature'],
  ] as const)('refuses a 2xx answer with %s', async (kind, reason) => {
    const no = nextOrderNo();
    sim.failNext({ kind });
    const e = await caught(client.createJsapiOrder(order(no)));
    expect(e).toMatchObject({ kind: 'response_not_verified', verifyReason: reason, httpStatus: 200 });
  });

  it('refuses an answer signed 6 minutes in the past', async () => {
    sim.failNext({ kind: 'skewed_response', offsetSeconds: -360 });
    const e = await caught(client.createJsapiOrder(order(nextOrderNo())));
    expect(e).toMatchObject({ kind: 'response_not_verified', verifyReason: 'stale_timestamp' });
  });

  it('refuses a verified answer signed by a key it does not know (platform key rotated)', async () => {
    const other = setUp(); // another simulator = another WeChat Pay key pair and key id
    const stranger = new WechatPayClient({ config: { ...config, platformKeys: other.config.platformKeys } });
    const e = await caught(stranger.createJsapiOrder(order(nextOrderNo())));
    expect(e).toMatchObject({ kind: 'response_not_verified', verifyReason: 'unknown_serial' });
  });
});

describe('provider error mapping', () => {
  it.each([
    [429, 'FREQUENCY_LIMITED', '频率超限', true],
    [500, 'SYSTEM_ERROR', '系统异常，请稍后重试', true],
    [400, 'PARAM_ERROR', '参数错误', false],
    [403, 'NO_AUTH', '商户无权限', false],
  ])('%i %s → WechatPayError(api_error) retryable=%s', async (status, code, message, retryable) => {
    sim.failNext({ kind: 'error', status, code, message });
    const e = await caught(client.queryOrder(nextOrderNo()));
    expect(e).toMatchObject({ kind: 'api_error', httpStatus: status, providerCode: code });
    expect(e.message).toContain(code);
    expect(e.retryable).toBe(retryable);
  });

  it('maps an unreachable server to a retryable network error', async () => {
    const down = await listen((_req, res) => res.end());
    await close(down.server); // the port is now closed
    const offline = new WechatPayClient({ config: { ...config, baseUrl: down.baseUrl }, timeoutMs: 2_000 });
    const e = await caught(offline.queryOrder(nextOrderNo()));
    expect(e.kind).toBe('network');
    expect(e.retryable).toBe(true);
  });
});

describe('webhook round trip over HTTP', () => {
  it('WeChat Pay posts the notification; the webhook verifies it and answers 204, or 401 FAIL when forged', async () => {
    const received: string[] = [];
    const hook = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const out = parsePaymentNotification({ headers: req.headers, body: Buffer.concat(chunks) }, config, {
          now: () => new Date(),
        });
        if (out.ok) received.push(out.notification.transaction.outTradeNo);
        const a = out.ok ? notificationAccepted() : notificationRefused(out.reason);
        res.writeHead(a.statusCode, a.headers).end(a.body);
      });
    });
    try {
      const no = nextOrderNo();
      await client.createJsapiOrder(order(no));
      const ok = await sim.deliver(sim.buildNotification({ outTradeNo: no }), `${hook.baseUrl}/webhooks/payment`);
      expect(ok).toEqual({ status: 204, body: '' });
      // The platform retries: a duplicate delivery verifies again (idempotency is the webhook's job).
      const again = await sim.deliver(sim.buildNotification({ outTradeNo: no }), `${hook.baseUrl}/webhooks/payment`);
      expect(again.status).toBe(204);
      expect(received).toEqual([no, no]);

      const forged = await sim.deliver(
        sim.buildNotification({ outTradeNo: no }, {}, { forgeSignature: true }),
        `${hook.baseUrl}/x`,
      );
      expect(forged.status).toBe(401);
      expect(JSON.parse(forged.body)).toEqual({ code: 'FAIL', message: expect.any(String) });
    } finally {
      await close(hook.server);
    }
  });
});
