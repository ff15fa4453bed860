/**
 * The platform CA and the signer-identifier secret, loaded once per process. In the cloud they come
 * from the environment (see docs/DEPLOY.md); the local emulator makes its own on first use and
 * keeps them under its data directory, so every contract it signs verifies against the same root.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generatePlatformCa, loadPlatformCa, type PlatformCa, type PlatformCaPems } from '../documents/ca';
import type { Deps } from '../ports/operation';

export interface SigningKeys {
  ca: PlatformCa;
  signerIdSecret: string;
}

const cache = new WeakMap<object, Promise<SigningKeys>>();

/**
 * Written whole or not at all (temporary file, fsync, link, folder fsync): a crash during the first
 * write used to leave an empty platform-ca.json, and every later signature failed for good. An
 * empty file is such a leftover — nothing was signed with it — and is made again; a non-empty file
 * that does not parse may hold keys in use and is reported, never replaced.
 * (adapters/local/atomic-file.ts has the same for the adapters: modules may not import adapters.)
 */
const readKeys = async (file: string): Promise<{ pems: PlatformCaPems; signerIdSecret: string } | null> => {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (text.trim() === '') {
    await fs.rm(file, { force: true });
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON: restore it from a backup (it holds the platform CA every local contract was signed under)`);
  }
};

const writeKeysAtomic = async (file: string, content: string): Promise<void> => {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.platform-ca.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const h = await fs.open(tmp, 'wx', 0o600);
  try {
    await h.writeFile(content);
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    // link, not rename: two first requests racing both generate; only one file wins, and both then read it.
    await fs.link(tmp, file);
    const d = await fs.open(dir, 'r');
    await d.sync().finally(() => d.close());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
};

export const localKeys = async (dataDir: string): Promise<{ pems: PlatformCaPems; signerIdSecret: string }> => {
  const file = path.join(dataDir, 'keys', 'platform-ca.json');
  const existing = await readKeys(file);
  if (existing) return existing;
  const { rootKeyPem: _offline, ...pems } = generatePlatformCa({});
  await writeKeysAtomic(file, JSON.stringify({ pems, signerIdSecret: randomBytes(32).toString('hex') }));
  return (await readKeys(file))!;
};

const load = async (deps: Deps): Promise<SigningKeys> => {
  const s = deps.config.signing;
  if (s.rootCertPem && s.issuingCertPem && s.issuingKeyPem && s.signerIdSecret) {
    return { ca: loadPlatformCa({ rootCertPem: s.rootCertPem, issuingCertPem: s.issuingCertPem, issuingKeyPem: s.issuingKeyPem }), signerIdSecret: s.signerIdSecret };
  }
  if (deps.config.provider !== 'local') throw new Error('signing keys are not configured (ESIGN_CA_ROOT_CERT, ESIGN_CA_ISSUING_CERT, ESIGN_CA_ISSUING_KEY, ESIGN_SIGNER_ID_SECRET)');
  const local = await localKeys(deps.config.dataDir);
  return { ca: loadPlatformCa(local.pems), signerIdSecret: local.signerIdSecret };
};

export const signingKeys = (deps: Deps): Promise<SigningKeys> => {
  let p = cache.get(deps.config);
  if (!p) {
    p = load(deps);
    cache.set(deps.config, p);
  }
  return p;
};
