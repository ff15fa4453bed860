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

const localKeys = async (dataDir: string): Promise<{ pems: PlatformCaPems; signerIdSecret: string }> => {
  const file = path.join(dataDir, 'keys', 'platform-ca.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { rootKeyPem: _offline, ...pems } = generatePlatformCa({});
  const made = { pems, signerIdSecret: randomBytes(32).toString('hex') };
  await fs.mkdir(path.dirname(file), { recursive: true });
  // wx: two first requests racing both generate; only one file wins, and both then read it.
  await fs.writeFile(file, JSON.stringify(made), { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return JSON.parse(await fs.readFile(file, 'utf8'));
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
