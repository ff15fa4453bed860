/**
 * The platform CA and the signer-identifier secret, loaded once per process. In the cloud they are
 * secrets (deps.secrets: SSM, read on first use, see docs/DEPLOY.md), never environment variables,
 * and the issuing key is in KMS when the deployment has one (deps.issuerSigner, ESIGN_CA_KMS_KEY_ID:
 * then it is not read from SSM at all, and no function's memory ever holds it);
 * the local container fills the configuration from the data directory's own CA
 * (shared/adapters/local/local-ca.ts), so every contract it signs — and every token of its
 * embedded TSA — verifies against the same root.
 */
import { deriveSignerIdentifier, issueSignerCertificate, loadPlatformCa, type PlatformCa } from '../documents/ca';
import type { PartyDetails } from '../domain/contract';
import type { Deps } from '../ports/operation';

export interface SigningKeys {
  ca: PlatformCa;
  signerIdSecret: string;
}

const cache = new WeakMap<object, Promise<SigningKeys>>();

const load = async (deps: Deps): Promise<SigningKeys> => {
  const s = deps.config.signing;
  if (s.rootCertPem && s.issuingCertPem && s.issuingKeyPem && s.signerIdSecret) {
    return { ca: loadPlatformCa({ rootCertPem: s.rootCertPem, issuingCertPem: s.issuingCertPem, issuingKeyPem: s.issuingKeyPem, ...(s.rootCrlPem ? { rootCrlPem: s.rootCrlPem } : {}) }), signerIdSecret: s.signerIdSecret };
  }
  // The cloud: from the secrets port, read together (one cold-start wait, not five). With a
  // signing service holding the issuing key (KMS), the key is not read at all: only the public
  // certificates, the root CRL and the identifier secret are.
  const { secrets, issuerSigner } = deps;
  const [rootCertPem, issuingCertPem, issuingKeyPem, rootCrlPem, signerIdSecret] = await Promise.all([
    secrets.get('ca-root-cert'),
    secrets.get('ca-issuing-cert'),
    issuerSigner ? null : secrets.get('ca-issuing-key'),
    secrets.find('ca-root-crl'),
    secrets.get('signer-id-secret'),
  ]);
  const pems = { rootCertPem, issuingCertPem, ...(issuingKeyPem ? { issuingKeyPem } : {}), ...(rootCrlPem ? { rootCrlPem } : {}) };
  return { ca: loadPlatformCa(pems, issuerSigner?.(issuingCertPem)), signerIdSecret };
};

export const signingKeys = (deps: Deps): Promise<SigningKeys> => {
  let p = cache.get(deps.config);
  if (!p) {
    p = load(deps);
    cache.set(deps.config, p);
    // A failed read (SSM unreachable, a secret not yet put) is forgotten: the next call tries again.
    const mine = p;
    p.catch(() => {
      if (cache.get(deps.config) === mine) cache.delete(deps.config);
    });
  }
  return p;
};

/**
 * A one-time certificate naming the person of `details` (their name, and the irreversible
 * identifier of their ID number — never the number itself), for one signature at `signingTime`.
 */
export const partyCertificate = async (deps: Deps, details: PartyDetails, signingTime: Date) => {
  const keys = await signingKeys(deps);
  return issueSignerCertificate(keys.ca, { name: details.name, identifier: deriveSignerIdentifier(keys.signerIdSecret, details.idNumber), signingTime });
};
