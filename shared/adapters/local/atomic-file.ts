/**
 * Key files written whole or not at all: the content goes to a temporary file in the same folder,
 * is fsynced, and is then linked to its name (first writer wins: link fails with EEXIST where
 * rename would replace) and the folder fsynced. A crash leaves the old state or the new, never the
 * empty file a plain writeFile leaves when the process dies between open and write.
 * Imports node only. The local CA (local-ca.ts) and the WeChat Pay simulator keys
 * (wechatpay-keys.ts) use the synchronous form, made while the container is built.
 */
import { randomBytes } from 'node:crypto';
import fsSync, { promises as fs } from 'node:fs';
import path from 'node:path';

/** Creates `file` with `content` unless it exists; true when this call wrote it. */
export const createFileAtomic = async (file: string, content: string, mode = 0o600): Promise<boolean> => {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const h = await fs.open(tmp, 'wx', mode);
  try {
    await h.writeFile(content);
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    await fs.link(tmp, file);
    const d = await fs.open(dir, 'r');
    await d.sync().finally(() => d.close());
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
};

/**
 * Reads a key file, treating an empty one as absent and removing it: an empty key file is what a
 * non-atomic first write left when interrupted — nothing was ever made with it, so it is regenerated.
 * A non-empty file that does not parse is NOT repaired (it may hold keys in use): the caller throws.
 */
export const readKeyFile = async (file: string): Promise<string | null> => {
  try {
    const text = await fs.readFile(file, 'utf8');
    if (text.trim() !== '') return text;
    await fs.rm(file, { force: true });
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
};

/**
 * The same for the adapters that make their keys while the container is built (synchronously):
 * `file`'s text, an empty leftover treated as absent; else `make()` written whole (first writer
 * wins), then read back — so two first starts racing both end with the winner's content.
 */
export const readOrCreateKeyFileSync = (file: string, make: () => string): string => {
  const read = (): string | null => {
    try {
      const text = fsSync.readFileSync(file, 'utf8');
      if (text.trim() !== '') return text;
      fsSync.rmSync(file, { force: true });
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  };
  const existing = read();
  if (existing !== null) return existing;
  const dir = path.dirname(file);
  fsSync.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fsSync.openSync(tmp, 'wx', 0o600);
  try {
    fsSync.writeFileSync(fd, make());
    fsSync.fsyncSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
  try {
    fsSync.linkSync(tmp, file);
    const d = fsSync.openSync(dir, 'r');
    try {
      fsSync.fsyncSync(d);
    } finally {
      fsSync.closeSync(d);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fsSync.rmSync(tmp, { force: true });
  }
  return read()!;
};
