/**
 * ESIGN_PROVIDER=cloud end to end inside one process: the container builds the production
 * adapters from settings only, the caller comes from the CloudBase context (never the payload),
 * and a provider that refuses our signature makes the function answer PROVIDER_ERROR — a code,
 * the provider's own reason in details, no stack — instead of INTERNAL.
 */
import { createContainer, setContainer, type Container } from '../../shared/runtime/container';
import { SSM_PREFIX, startCloudFakes, type CloudFakes } from '../fakes';
import { person } from '../support/emulator';

type Main = (event: unknown, context?: unknown) => Promise<any>;
const main = (name: string): Main => (require(`../../functions/${name}`) as { main: Main }).main;

let f: CloudFakes;
let c: Container;

/** A CloudBase function context as the platform passes it (the newer `environment` JSON form). */
const wxContext = (openid: string | null, form: 'environment' | 'environ' = 'environment'): Record<string, unknown> => {
  const vars: Record<string, string> = { TCB_ENV: 'esign', SCF_NAMESPACE: 'esign', WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP', WX_APPID: 'wx0123456789abcdef', WX_CLIENTIP: '10.0.0.1' };
  if (openid) Object.assign(vars, { WX_OPENID: openid, WX_UNIONID: `u-${openid}` });
  return {
    request_id: `req-${Math.random().toString(36).slice(2)}`,
    function_name: 'user-profile',
    namespace: 'esign',
    memory_limit_in_mb: 256,
    time_limit_in_ms: 10000,
    ...(form === 'environment' ? { environment: JSON.stringify(vars) } : { environ: Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(';') }),
  };
};

beforeAll(async () => {
  f = await startCloudFakes();
  await f.setup();
  c = createContainer(f.env);
  setContainer(c);
});
afterAll(async () => {
  setContainer(null);
  await c.close();
  await f.close();
});

const verify = async (openid: string, name: string): Promise<void> => {
  const { idNumber } = person(openid, name, 40);
  const started = await main('face-start')({ purpose: 'realname', name, idNumber }, wxContext(openid));
  expect(started).toMatchObject({ ok: true });
  f.faceid.complete(started.data.bizToken, true);
  const done = await main('identity-verify')({ name, idNumber, phone: '13900000009', bizToken: started.data.bizToken }, wxContext(openid));
  expect(done).toMatchObject({ ok: true });
};

describe('the cloud container', () => {
  it('is made of the production adapters, from settings only', () => {
    expect(c.config.provider).toBe('cloud');
    expect(c.local).toBeNull();
    expect(c.store.constructor.name).toBe('CloudBaseStore');
  });

  it('a setting a service needs is reported when that service is first used, naming the variable', async () => {
    const { ESIGN_FACEID_RULE_ID: _omit, ...env } = f.env;
    const other = createContainer(env);
    await expect((async () => other.face.start({ name: '张三', idNumber: person('o-x', '张三').idNumber }))()).rejects.toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'NotConfigured', providerMessage: 'ESIGN_FACEID_RULE_ID is not set' });
    await other.close();
  });

  it('refuses to start without an environment id', () => {
    const { ESIGN_TCB_ENV: _omit, ...env } = f.env;
    expect(() => createContainer(env)).toThrow(/ESIGN_TCB_ENV/);
  });
});

describe('identity in the cloud: OPENID from the CloudBase context', () => {
  beforeAll(() => verify('o-cloud-real', '周一'));

  it('takes OPENID, APPID and UNIONID from the context (both context forms)', async () => {
    for (const form of ['environment', 'environ'] as const) {
      const r = await main('user-profile')({}, wxContext('o-cloud-real', form));
      expect(r).toMatchObject({ ok: true, data: { verified: true, name: '周一' } });
    }
    const { cloudCaller } = require('../../shared/runtime/caller') as typeof import('../../shared/runtime/caller');
    expect(cloudCaller(wxContext('o-cloud-real'))).toEqual({ openid: 'o-cloud-real', appid: 'wx0123456789abcdef', unionid: 'u-o-cloud-real' });
  });

  it('ignores a payload field named openid', async () => {
    const stranger = await main('user-profile')({ openid: 'o-cloud-real' }, wxContext('o-cloud-stranger'));
    expect(stranger).toMatchObject({ ok: true, data: { verified: false, name: null } });
    const real = await main('user-profile')({ openid: 'o-cloud-stranger', userInfo: { openId: 'o-cloud-stranger' } }, wxContext('o-cloud-real'));
    expect(real).toMatchObject({ ok: true, data: { verified: true, name: '周一' } });
  });

  it('without WX_OPENID (a timer, a forged call) there is no caller', async () => {
    expect(await main('user-profile')({ openid: 'o-cloud-real' }, wxContext(null))).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await main('user-profile')({ openid: 'o-cloud-real' }, { emulatorCaller: { openid: 'o-cloud-real' } })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('timers run for the platform only', () => {
  it('a timer trigger (no caller) runs; a mini-program calling a timer by name is FORBIDDEN and runs nothing', async () => {
    const event = { Type: 'Timer', TriggerName: 'timer-expire', Time: new Date().toISOString(), Message: '' };
    expect(await main('timer-expire')(event, wxContext(null))).toMatchObject({ ok: true, data: { expired: 0, skipped: 0 } });
    for (const name of ['timer-expire', 'timer-repayment-reminders', 'timer-payment-reconcile']) {
      const r = await main(name)({}, wxContext('o-cloud-real'));
      expect([name, r.ok, r.error?.code]).toEqual([name, false, 'FORBIDDEN']);
    }
  });
});

describe('a wrong secret key', () => {
  it('is refused by the CloudBase server and answered as PROVIDER_ERROR, not INTERNAL', async () => {
    const bad = createContainer({ ...f.env, ESIGN_TC_SECRET_KEY: 'wrong-secret' });
    // As when the cold start's secrets were read before the key went wrong: only CloudBase is asked.
    setContainer({ ...bad, prepare: async () => undefined });
    try {
      const refused = f.cloudbase.refused;
      const r = await main('user-profile')({}, wxContext('o-cloud-real'));
      expect(r).toEqual({
        ok: false,
        error: { code: 'PROVIDER_ERROR', message: '服务暂时不可用，请稍后再试', details: { provider: 'cloudbase', providerCode: 'SIGN_PARAM_INVALID', providerRequestId: expect.any(String) } },
        requestId: expect.any(String),
      });
      expect(JSON.stringify(r)).not.toMatch(/at .*\.ts|Error:|wrong-secret/);
      expect(f.cloudbase.refused).toBe(refused + 1);
    } finally {
      setContainer(c);
      await bad.close();
    }
  });

  it('at a cold start, is refused by SSM first: PROVIDER_ERROR/ssm, not INTERNAL, nothing read, and retried by the next call', async () => {
    const bad = createContainer({ ...f.env, ESIGN_TC_SECRET_KEY: 'wrong-secret' });
    setContainer(bad);
    try {
      const refused = f.api.refused.length;
      const dbRefused = f.cloudbase.refused;
      const r = await main('user-profile')({}, wxContext('o-cloud-real'));
      expect(r).toEqual({
        ok: false,
        error: { code: 'PROVIDER_ERROR', message: '服务暂时不可用，请稍后再试', details: { provider: 'ssm', providerCode: 'AuthFailure.SignatureFailure', providerRequestId: expect.any(String) } },
        requestId: expect.any(String),
      });
      expect(JSON.stringify(r)).not.toMatch(/at .*\.ts|Error:|wrong-secret/);
      expect(f.api.refused.slice(refused)).toEqual([{ service: 'ssm', code: 'AuthFailure.SignatureFailure' }]);
      expect(f.cloudbase.refused).toBe(dbRefused);
      await main('user-profile')({}, wxContext('o-cloud-real'));
      expect(f.api.refused.length).toBe(refused + 2);
    } finally {
      setContainer(c);
      await bad.close();
    }
  });
});

describe('secrets at a cold start (SSM)', () => {
  it('the rate-limit key comes from SSM, read once for the process; a function that takes payments reads the WeChat Pay keys, others do not', async () => {
    const fresh = createContainer(f.env);
    try {
      const before = f.ssm.reads.length;
      expect(fresh.config.rateLimitKey).toBe('local-rate-limit-key');
      await Promise.all([fresh.prepare('user-profile'), fresh.prepare('contract-list')]);
      await fresh.prepare('user-profile');
      expect(f.ssm.reads.slice(before)).toEqual([`${SSM_PREFIX}rate-limit-key`]);
      expect(fresh.config.rateLimitKey).toMatch(/^[0-9a-f]{64}$/);
      // contract-pay takes payments: its keys are not in this SSM, so the cold start fails as a provider error.
      await expect(fresh.prepare('contract-pay')).rejects.toMatchObject({ details: { provider: 'ssm', providerCode: 'ResourceNotFound' } });
      const reads = f.ssm.reads.slice(before);
      expect(reads.filter((n) => n === `${SSM_PREFIX}rate-limit-key`)).toHaveLength(1);
      expect(reads).toContain(`${SSM_PREFIX}wechatpay-merchant-private-key`);
      // The APIv3 key is asked for in parallel (it may still be on its way when the first refusal lands).
      expect(reads.filter((n) => ![`${SSM_PREFIX}rate-limit-key`, `${SSM_PREFIX}wechatpay-merchant-private-key`, `${SSM_PREFIX}wechatpay-apiv3-key`].includes(n))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('no secret value is read from the environment: a key or PEM there is ignored', async () => {
    const fresh = createContainer({ ...f.env, ESIGN_CA_ISSUING_KEY: '-----BEGIN PRIVATE KEY-----x', ESIGN_SIGNER_ID_SECRET: 'env-secret' });
    try {
      expect(fresh.config.signing).toEqual({ rootCertPem: null, issuingCertPem: null, issuingKeyPem: null, rootCrlPem: null, signerIdSecret: null });
      await fresh.prepare('user-profile');
      expect(fresh.config.rateLimitKey).not.toContain('env-secret');
    } finally {
      await fresh.close();
    }
  });
});

test('E1 the cloud TSA is the configured RFC 3161 URL: without ESIGN_TSA_URL a timestamp fails (PROVIDER_ERROR/tsa NOT_CONFIGURED), never a local clock', async () => {
  await expect(c.tsa.timestamp(Buffer.alloc(32, 1), 'sha256')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'tsa', providerCode: 'NOT_CONFIGURED' } });
  const down = createContainer({ ...f.env, ESIGN_TSA_URL: 'http://127.0.0.1:9/tsa', ESIGN_TSA_TIMEOUT_MS: '2000' });
  try {
    await expect(down.tsa.timestamp(Buffer.alloc(32, 1), 'sha256')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'tsa', providerCode: 'UNREACHABLE' } });
  } finally {
    await down.close();
  }
});
