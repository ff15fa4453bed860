/** Local file storage: a directory. Temporary URLs are served by the emulator with a signed, expiring token. */
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../ports/clock';
import type { FileStorage } from '../../ports/files';

export class DirFiles implements FileStorage {
  private readonly secret = randomBytes(32);
  constructor(private readonly root: string, private readonly clock: Clock) {}

  private resolve(key: string): string {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(path.resolve(this.root) + path.sep)) throw new Error('file key escapes the storage root');
    return p;
  }
  async put(key: string, content: Buffer): Promise<void> {
    const p = this.resolve(key);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.resolve(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }
  async temporaryUrl(key: string, maxAgeSeconds: number): Promise<string> {
    const expires = Math.floor(this.clock.now().getTime() / 1000) + maxAgeSeconds;
    return `/files/${encodeURIComponent(key)}?expires=${expires}&sig=${this.sign(key, expires)}`;
  }
  /** True when the token was made here for this key and has not expired. */
  checkUrl(key: string, expires: number, sig: string): boolean {
    return expires * 1000 >= this.clock.now().getTime() && sig === this.sign(key, expires);
  }
  private sign(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${expires}`).digest('base64url');
  }
}
