/**
 * SSM (凭据管理系统), API 2019-09-23 GetSecretValue (https://cloud.tencent.com/document/api/1140/40523):
 * `{SecretName, VersionId}` → `{SecretName, VersionId, SecretString}`; a name or version that does
 * not exist answers `ResourceNotFound`, a disabled secret `FailedOperation` (as the API's error
 * codes list them). Reads are counted per name, so tests see "once per cold start".
 */
import { ApiError, type ApiService, type Params } from './server';

export class SsmFake {
  /** name → version → value. */
  private readonly secrets = new Map<string, Map<string, string>>();
  private readonly disabled = new Set<string>();
  readonly reads: string[] = [];

  put(name: string, version: string, value: string): void {
    const versions = this.secrets.get(name) ?? new Map<string, string>();
    versions.set(version, value);
    this.secrets.set(name, versions);
  }

  disable(name: string): void {
    this.disabled.add(name);
  }

  service(): ApiService {
    return { version: '2019-09-23', actions: { GetSecretValue: (p) => this.get(p) } };
  }

  private get(p: Params): Params {
    const name = p.SecretName;
    const version = p.VersionId;
    if (typeof name !== 'string' || !name) throw new ApiError('MissingParameter', 'The request is missing a required parameter `SecretName`.');
    if (typeof version !== 'string' || !version) throw new ApiError('MissingParameter', 'The request is missing a required parameter `VersionId`.');
    this.reads.push(name);
    const value = this.secrets.get(name)?.get(version);
    if (value === undefined) throw new ApiError('ResourceNotFound', `凭据 ${name} 的版本 ${version} 不存在`);
    if (this.disabled.has(name)) throw new ApiError('FailedOperation', `凭据 ${name} 已禁用`);
    return { SecretName: name, VersionId: version, SecretString: value };
  }
}
