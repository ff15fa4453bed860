/**
 * The local emulator's platform CA (root + issuing CA) and signer-identifier secret: made on first
 * start and kept under the data directory (keys/platform-ca.json, mode 0600), so every contract
 * the emulator signs — and every token its embedded TSA issues — verifies against the same root.
 * The cloud takes these from its configuration instead (docs/DEPLOY.md); this file is local only.
 *
 * May import: documents/ca, ./atomic-file.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generatePlatformCa, type PlatformCaPems } from '../../documents/ca';
import { readOrCreateKeyFileSync } from './atomic-file';

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
  const text = readOrCreateKeyFileSync(file, () => {
    const { rootKeyPem: _offline, ...pems } = generatePlatformCa({});
    return JSON.stringify({ pems, signerIdSecret: randomBytes(32).toString('hex') });
  });
  try {
    return JSON.parse(text) as LocalCaFile;
  } catch {
    throw new Error(`${file} is not valid JSON: restore it from a backup (it holds the platform CA every local contract was signed under)`);
  }
};
