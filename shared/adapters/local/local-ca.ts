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

/** Reads the data directory's CA, making it first if there is none. Two first starts racing: one file wins (wx), both read it. */
export const readOrCreateLocalCa = (dataDir: string): LocalCaFile => {
  const file = localCaFile(dataDir);
  if (!fs.existsSync(file)) {
    const { rootKeyPem: _offline, ...pems } = generatePlatformCa({});
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, JSON.stringify({ pems, signerIdSecret: randomBytes(32).toString('hex') }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalCaFile;
};
