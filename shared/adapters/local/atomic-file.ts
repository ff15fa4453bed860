/**
 * Key files written whole or not at all: the content goes to a temporary file in the same folder,
 * is fsynced, and is then linked to its name (first writer wins: link fails with EEXIST where
 * rename would replace) and the folder fsynced. A crash leaves the old state or the new, never the
 * empty file a plain writeFile leaves when the process dies between open and write.
 * Imports node only; the contracts module has its own copy (modules may not import adapters).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
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
