/**
 * The local emulator's platform CA (root + issuing CA) and signer-identifier secret: made on first
 * start and kept under the data directory (keys/platform-ca.json, mode 0600), so every contract
 * the emulator signs — and every token its embedded TSA issues — verifies against the same root.
 * The cloud takes these from its configuration instead (docs/DEPLOY.md); this file is local only.
 *
 * May import: documents/ca, node:fs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generatePlatformCa, type PlatformCaPems } from '../../documents/ca';

export interface LocalCaFile {
  pems: PlatformCaPems;
  signerIdSecret: string;
}

export const localCaFile = (dataDir: string): string => path.join(dataDir, 'keys', 'platform-ca.json');

/**
 * Reads the data directory's CA, making it first if there is none. Written whole or not at all
 * (temporary file, fsync, link, folder fsync): a crash during the first write used to leave an
 * empty platform-ca.json and every later signature failed for good. An empty file is such a
 * leftover — nothing was signed with it — and is made again; a non-empty file that does not parse
 * may hold keys in use and is reported, never replaced. Two first starts racing: link fails for
 * the loser (EEXIST), both read the winner's file.
 */
export const readOrCreateLocalCa = (dataDir: string): LocalCaFile => {
  const file = localCaFile(dataDir);
  const existing = readIfWhole(file);
  if (existing) return existing;
  const { rootKeyPem: _offline, ...pems } = generatePlatformCa({});
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.platform-ca.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, JSON.stringify({ pems, signerIdSecret: randomBytes(32).toString('hex') }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    const d = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readIfWhole(file)!;
};

const readIfWhole = (file: string): LocalCaFile | null => {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (text.trim() === '') {
    fs.rmSync(file, { force: true });
    return null;
  }
  try {
    return JSON.parse(text) as LocalCaFile;
  } catch {
    throw new Error(`${file} is not valid JSON: restore it from a backup (it holds the platform CA every local contract was signed under)`);
  }
};
