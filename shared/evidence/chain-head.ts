/**
 * The platform's signature over a contract's event-chain head (E2): a detached CMS SignedData
 * (signed attributes contentType, messageDigest, signingTime, signingCertificateV2) over the
 * head's canonical bytes (merkle.ts chainHeadBytes), made with a one-time platform certificate
 * from the platform CA — the same kind of signature as the PDF's, checkable by OpenSSL
 * (`openssl cms -verify -binary -content head.txt`) or by verifyChainHead with the root's
 * fingerprint. A rewritten chain re-hashed by someone without the platform key, or a chain cut
 * short, no longer matches a signed head.
 *
 * May import: documents (cms, verify, x509), ./merkle, node:crypto. No I/O.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { buildCmsSignedData } from '../documents/cms';
import { pemToDer } from '../documents/x509';
import { chainHeadBytes, type ChainHeadLeaf } from './merkle';

/** The head signer as its certificate was issued: DER and key object, decoded once, not per commit. */
export interface HeadSigner {
  certDer: Buffer;
  privateKey: KeyObject;
  /** Issuing CA then root. */
  chainDers: readonly Buffer[];
}

/** A just-issued certificate (documents/ca.ts) as the head signer. */
export const headSignerOf = (cert: { certDer: Buffer; privateKey: KeyObject; chainPems: readonly string[] }): HeadSigner => ({
  certDer: cert.certDer,
  privateKey: cert.privateKey,
  chainDers: cert.chainPems.map(pemToDer),
});

export const signChainHead = (leaf: ChainHeadLeaf, signer: HeadSigner, at: Date): Buffer =>
  buildCmsSignedData({
    contentDigest: createHash('sha256').update(chainHeadBytes(leaf)).digest(),
    signerCertDer: signer.certDer,
    chainDers: signer.chainDers,
    privateKey: signer.privateKey,
    signingTime: at,
    // Outside a PDF there is no /M: the claimed time travels in the CMS (the trusted one comes
    // from the timestamped Merkle root the head is anchored in).
    includeSigningTime: true,
  });
