/**
 * The Secrets port on Tencent Cloud SSM (凭据管理系统), API 2019-09-23 GetSecretValue
 * (https://cloud.tencent.com/document/api/1140/40523): `{SecretName, VersionId}` →
 * `SecretString` (or `SecretBinary`, base64). The function role reads with its temporary keys
 * (the CAM policy in docs/DEPLOY.md allows ssm:GetSecretValue on the `<prefix>*` secrets only).
 *
 * The environment holds only where secrets are: the name prefix (ESIGN_SSM_PREFIX) and the version
 * (ESIGN_SSM_VERSION) — never a value. Each value is read once per process (a cold start) and
 * kept as a promise, so concurrent first uses make one call; a failed read is forgotten so the
 * next call retries. Values never reach a log or an error message: failures name the secret and
 * the API's error code only.
 *
 * Only the SSM client of the SDK is imported (the whole SDK takes ~0.8 s to require).
 */
import { Client as SsmClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/ssm/v20190923/ssm_client';
import { SECRET_NAMES, type SecretName, type Secrets } from '../../ports/secrets';
import { providerFailure } from './api-errors';
import { sdkClientConfig, type TencentApiSettings } from './client-options';
import { ProviderFailure } from './provider-error';

export interface SsmSettings {
  /** Prepended to each secret's name: `esign-prod-` reads `esign-prod-ca-issuing-key`. */
  prefix: string;
  /** The version every secret is read at (an operator rotates by adding a version and redeploying). */
  version: string;
}

/** SSM secret names: letters, digits, `-` and `_`, at most 128 characters. */
const SSM_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export const ssmSecretName = (settings: SsmSettings, name: SecretName): string => `${settings.prefix}${name}`;

export class SsmSecrets implements Secrets {
  private client: SsmClient | undefined;
  private readonly cache = new Map<SecretName, Promise<string | null>>();

  constructor(private readonly api: TencentApiSettings, private readonly settings: SsmSettings) {
    const bad = SECRET_NAMES.map((n) => ssmSecretName(settings, n)).find((n) => !SSM_NAME.test(n));
    if (bad !== undefined) throw new Error(`ESIGN_SSM_PREFIX makes ${JSON.stringify(bad)}, not an SSM secret name (letters, digits, - and _)`);
    if (!settings.version) throw new Error('ESIGN_SSM_VERSION is empty');
  }

  private get ssm(): SsmClient {
    return (this.client ??= new SsmClient(sdkClientConfig('ssm', this.api)));
  }

  async get(name: SecretName): Promise<string> {
    const v = await this.find(name);
    if (v === null) throw new ProviderFailure('ssm', 'ResourceNotFound', `secret ${ssmSecretName(this.settings, name)} (version ${this.settings.version}) does not exist`);
    return v;
  }

  /** The value, or null when SSM has no such secret (for the optional ones). */
  find(name: SecretName): Promise<string | null> {
    if (!(SECRET_NAMES as readonly string[]).includes(name)) return Promise.reject(new Error(`unknown secret ${JSON.stringify(name)}`));
    let p = this.cache.get(name);
    if (!p) {
      p = this.read(name);
      this.cache.set(name, p);
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  private async read(name: SecretName): Promise<string | null> {
    const secretName = ssmSecretName(this.settings, name);
    try {
      const r = await this.ssm.GetSecretValue({ SecretName: secretName, VersionId: this.settings.version });
      const value = r.SecretString ?? (r.SecretBinary ? Buffer.from(r.SecretBinary, 'base64').toString('utf8') : undefined);
      if (value === undefined || value === '') throw new ProviderFailure('ssm', 'EmptySecret', `secret ${secretName} has no value`, r.RequestId);
      return value;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code.startsWith('ResourceNotFound')) return null;
      // The SDK's message is the API's (it names the secret, never its value).
      throw providerFailure('ssm', e);
    }
  }
}
