/**
 * Customer service's refund command (issue 16 item 5): refunds a paid order's payment through the
 * `payment-refund` operator function — the only way to it: a mini-program or client-SDK call is
 * refused by the function itself.
 *
 *   npx tsx scripts/refund.ts <orderId> [--ticket <ref>]                  the deployed function, by the
 *        Tencent Cloud API (SCF Invoke, namespace = the CloudBase environment), signed with the
 *        operator's own key (TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY [/ TENCENTCLOUD_SESSIONTOKEN],
 *        TCB_ENV, TENCENTCLOUD_REGION (ap-shanghai)) — CAM decides who may: scf:InvokeFunction on it.
 *   npx tsx scripts/refund.ts <orderId> --emulator http://127.0.0.1:8787   the local emulator's
 *        operator route (POST /operator/payment-refund).
 *
 * Prints the function's answer (the refund: status, out_refund_no, amount); exits 1 when refused.
 */
export interface RefundCommand {
  orderId: string;
  ticket?: string;
  emulator?: string;
}

export const parseArgs = (argv: readonly string[]): RefundCommand => {
  const [orderId, ...rest] = argv;
  if (!orderId || orderId.startsWith('--')) throw new Error('usage: refund.ts <orderId> [--ticket <ref>] [--emulator <url>]');
  const cmd: RefundCommand = { orderId };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (!value) throw new Error(`${flag} needs a value`);
    if (flag === '--ticket') cmd.ticket = value;
    else if (flag === '--emulator') cmd.emulator = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return cmd;
};

export const runRefundCommand = async (cmd: RefundCommand, env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; [k: string]: unknown }> => {
  const payload = { orderId: cmd.orderId, ...(cmd.ticket ? { ticket: cmd.ticket } : {}) };
  if (cmd.emulator) {
    const res = await fetch(`${cmd.emulator.replace(/\/$/, '')}/operator/payment-refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    return (await res.json()) as { ok: boolean };
  }
  const envId = env.TCB_ENV ?? env.ESIGN_TCB_ENV;
  const secretId = env.TENCENTCLOUD_SECRETID;
  const secretKey = env.TENCENTCLOUD_SECRETKEY;
  if (!envId || !secretId || !secretKey) throw new Error('Set TCB_ENV, TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (the operator\'s key), or pass --emulator <url>.');
  const { Client } = require('tencentcloud-sdk-nodejs/tencentcloud/services/scf/v20180416/scf_client') as typeof import('tencentcloud-sdk-nodejs/tencentcloud/services/scf/v20180416/scf_client');
  const client = new Client({
    credential: { secretId, secretKey, ...(env.TENCENTCLOUD_SESSIONTOKEN ? { token: env.TENCENTCLOUD_SESSIONTOKEN } : {}) },
    region: env.TENCENTCLOUD_REGION ?? 'ap-shanghai',
  });
  const r = await client.Invoke({ FunctionName: 'payment-refund', Namespace: envId, InvocationType: 'RequestResponse', ClientContext: JSON.stringify(payload) });
  if (r.Result?.InvokeResult !== 0) return { ok: false, error: r.Result?.ErrMsg ?? 'invocation failed' };
  return JSON.parse(r.Result.RetMsg ?? '{}') as { ok: boolean };
};

if (require.main === module) {
  (async () => {
    const r = await runRefundCommand(parseArgs(process.argv.slice(2)));
    console.log(JSON.stringify(r, null, 2));
    process.exit(r.ok ? 0 : 1);
  })().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
