/**
 * Shared set-up for the WeChat Pay tests. Every key here is generated in memory when the tests
 * run: no private key is ever committed (a committed test key teaches people to paste keys).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWechatPayConfig, type WechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { WechatPayError } from '../../shared/adapters/wechatpay/errors';
import {
  PaymentSimulator,
  generateMerchantKeys,
  type PaymentSimulatorOptions,
} from '../../shared/adapters/local/payment-simulator';

export const MCHID = '1900009191';
export const APPID = 'wxd678efh567hg6787';
export const NOTIFY_URL = 'https://esign.example.com/webhooks/payment';

export type MerchantKeys = ReturnType<typeof generateMerchantKeys>;

export interface SimSetup {
  merchant: MerchantKeys;
  sim: PaymentSimulator;
  config: WechatPayConfig;
}

/** A merchant, a simulator that knows the merchant's public key, and our config for both. */
export function setUp(opts: { baseUrl?: string; clock?: PaymentSimulatorOptions['clock'] } = {}): SimSetup {
  const merchant = generateMerchantKeys();
  const sim = new PaymentSimulator({
    mchid: MCHID,
    appid: APPID,
    merchantSerialNo: merchant.serialNo,
    merchantPublicKey: merchant.publicKeyPem,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const config = createWechatPayConfig(sim.configInput(merchant, opts.baseUrl ?? 'http://127.0.0.1:9', NOTIFY_URL));
  return { merchant, sim, config };
}

/** Listens on 127.0.0.1, port chosen by the OS. */
export async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}

/** A clock the test moves by hand. */
export function fixedClock(iso: string): { now(): Date; set(iso: string): void; advance(seconds: number): void } {
  let t = new Date(iso).getTime();
  return {
    now: () => new Date(t),
    set: (v) => {
      t = new Date(v).getTime();
    },
    advance: (s) => {
      t += s * 1000;
    },
  };
}

/** The WechatPayError a call fails with (any other error, or none, fails the test). */
export const caught = async (p: Promise<unknown>): Promise<WechatPayError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof WechatPayError) return e;
    throw e;
  }
  throw new Error('expected a WechatPayError');
};
