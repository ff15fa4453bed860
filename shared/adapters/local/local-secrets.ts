/**
 * The local secrets adapter: each named secret (shared/ports/secrets.ts) is 32 random bytes, hex,
 * generated on first use into `<dataDir>/secrets/<name>` (mode 0600) and read from there after,
 * so codes and password hashes survive an emulator restart. Only declared names are served, so
 * no caller string can become a path. Values are cached per process.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createFileAtomic, readKeyFile } from './atomic-file';
import { SECRET_NAMES, type SecretName, type Secrets } from '../../ports/secrets';

export class LocalSecrets implements Secrets {
  private readonly cache = new Map<SecretName, Promise<string>>();
  constructor(private readonly dataDir: string) {}

  get(name: SecretName): Promise<string> {
    if (!(SECRET_NAMES as readonly string[]).includes(name)) return Promise.reject(new Error(`unknown secret ${JSON.stringify(name)}`));
    let p = this.cache.get(name);
    if (!p) {
      p = this.load(name);
      this.cache.set(name, p);
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  /** Locally every secret exists: made on first use. */
  find(name: SecretName): Promise<string | null> {
    return this.get(name);
  }

  private async load(name: SecretName): Promise<string> {
    const file = path.join(this.dataDir, 'secrets', name);
    const existing = await readKeyFile(file); // an empty file (an interrupted first write) is made again
    if (existing !== null) return existing.trim();
    // Atomic and exclusive: two processes starting together both generate; one file wins and both read it.
    await createFileAtomic(file, randomBytes(32).toString('hex'));
    return (await readKeyFile(file))!.trim();
  }
}

/** Fixed values for tests that need no files. */
export class StaticSecrets implements Secrets {
  constructor(private readonly values: Partial<Record<SecretName, string>>) {}
  async get(name: SecretName): Promise<string> {
    const v = this.values[name];
    if (!v) throw new Error(`secret ${name} is not set`);
    return v;
  }
  async find(name: SecretName): Promise<string | null> {
    return this.values[name] ?? null;
  }
}
