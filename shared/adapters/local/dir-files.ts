/**
 * Local file storage: a directory, private like the production bucket. A file is reachable only
 * through a temporary URL the emulator serves with a signed, expiring token (403 without a valid
 * signature, 410 once expired), as CloudBase storage under its deny-all security rule is reachable
 * only through getTempFileURL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  /**
   * A download link's verdict: `forged` unless the token was made here for this key and expiry
   * (the emulator answers 403), then `expired` once its time has passed (410), else `ok`. The
   * signature is checked first, so an unsigned link never learns whether a key exists or expired.
   */
  checkUrl(key: string, expires: number, sig: string): 'ok' | 'forged' | 'expired' {
    if (!Number.isSafeInteger(expires)) return 'forged';
    const expected = Buffer.from(this.sign(key, expires));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
    return expires * 1000 >= this.clock.now().getTime() ? 'ok' : 'expired';
  }
  private sign(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${expires}`).digest('base64url');
  }
}
