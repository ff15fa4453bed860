/**
 * Issue 16 item 1: the Secrets port on Tencent Cloud SSM, through tencentcloud-sdk-nodejs's SSM
 * client against the local Tencent Cloud API server (TC3-HMAC-SHA256 verified by test/fakes/tc3.ts,
 * GetSecretValue's documented answer and error codes). Values are read once per process, a missing
 * secret is an error naming the secret (or null for an optional one), a refused key is a
 * provider error that carries no value, and the environment only ever names where secrets are.
 */
import type { TencentApiSettings } from '../../shared/adapters/tencentcloud/client-options';
import { SsmSecrets } from '../../shared/adapters/tencentcloud/ssm-secrets';
import { ProviderFailure } from '../../shared/adapters/tencentcloud/provider-error';
import { SECRET_NAMES } from '../../shared/ports/secrets';
import { SSM_PREFIX, SSM_VERSION, startCloudFakes, type CloudFakes } from '../fakes';

let f: CloudFakes;
let api: TencentApiSettings;
const settings = { prefix: SSM_PREFIX, version: SSM_VERSION };
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

beforeAll(async () => {
  f = await startCloudFakes();
  api = { region: 'ap-shanghai', credentials: () => ({ secretId: f.secretId, secretKey: f.secretKey }), timeoutSeconds: 5, gateway: f.api.url };
  f.ssm.put(`${SSM_PREFIX}ca-issuing-key`, SSM_VERSION, KEY_PEM);
  f.ssm.put(`${SSM_PREFIX}ca-issuing-key`, 'v0', 'the old key');
  f.ssm.put(`${SSM_PREFIX}rate-limit-key`, SSM_VERSION, 'a'.repeat(64));
});
afterAll(() => f.close());

test('GetSecretValue reads <prefix><name> at the configured version, signed for the ssm service', async () => {
  const s = new SsmSecrets(api, settings);
  expect(await s.get('ca-issuing-key')).toBe(KEY_PEM);
  expect(f.api.calls.at(-1)).toEqual({ service: 'ssm', action: 'GetSecretValue', region: 'ap-shanghai' });
  expect(await new SsmSecrets(api, { ...settings, version: 'v0' }).get('ca-issuing-key')).toBe('the old key');
});

test('each secret is read once per process, also when first asked for concurrently', async () => {
  const s = new SsmSecrets(api, settings);
  const before = f.ssm.reads.length;
  const values = await Promise.all([s.get('rate-limit-key'), s.get('rate-limit-key'), s.get('rate-limit-key')]);
  expect(values).toEqual(['a'.repeat(64), 'a'.repeat(64), 'a'.repeat(64)]);
  expect(await s.get('rate-limit-key')).toBe('a'.repeat(64));
  expect(f.ssm.reads.slice(before)).toEqual([`${SSM_PREFIX}rate-limit-key`]);
});

test('a missing secret: get fails naming it (ResourceNotFound), find answers null; a later put is read on retry', async () => {
  const s = new SsmSecrets(api, settings);
  const e = await s.get('ca-root-crl').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderFailure);
  expect(e).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'ssm', providerCode: 'ResourceNotFound' } });
  expect((e as Error).message + (e as ProviderFailure).providerMessage).not.toContain('BEGIN');
  expect(await new SsmSecrets(api, settings).find('ca-root-crl')).toBeNull();
  f.ssm.put(`${SSM_PREFIX}wechat-app-secret`, SSM_VERSION, 'appsecret-value');
  expect(await s.get('wechat-app-secret')).toBe('appsecret-value');
});

test('a wrong key is refused by the signature check; the error is the provider\'s, with no value in it, and is retried', async () => {
  const bad = new SsmSecrets({ ...api, credentials: () => ({ secretId: f.secretId, secretKey: 'wrong' }) }, settings);
  const refusedBefore = f.api.refused.length;
  const e = (await bad.get('ca-issuing-key').catch((x: unknown) => x)) as ProviderFailure;
  expect(e).toMatchObject({ details: { provider: 'ssm', providerCode: 'AuthFailure.SignatureFailure' } });
  expect(f.api.refused.slice(refusedBefore)).toEqual([{ service: 'ssm', code: 'AuthFailure.SignatureFailure' }]);
  expect(JSON.stringify(e) + e.message + e.providerMessage).not.toContain('PRIVATE KEY');
  // Not cached: the next call asks again.
  await bad.get('ca-issuing-key').catch(() => undefined);
  expect(f.api.refused.length).toBe(refusedBefore + 2);
});

test('only declared names; a prefix that makes an invalid SSM name is refused at start', async () => {
  const s = new SsmSecrets(api, settings);
  await expect(s.get('../etc/passwd' as never)).rejects.toThrow(/unknown secret/);
  expect(() => new SsmSecrets(api, { prefix: 'esign/prod/', version: 'v1' })).toThrow(/not an SSM secret name/);
  expect(() => new SsmSecrets(api, { prefix: 'x'.repeat(120), version: 'v1' })).toThrow(/not an SSM secret name/);
  expect(SECRET_NAMES.every((n) => /^[a-z0-9-]+$/.test(n))).toBe(true);
});
