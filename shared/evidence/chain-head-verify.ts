/**
 * Checks the platform's signature over a chain head (chain-head.ts signs it): the same rules as a
 * PDF signature (strict DER, digest, algorithms, signingCertificateV2, chain to the configured
 * root). Apart from the signer because it loads the PDF verifier.
 *
 * May import: documents (verify), ./merkle. No I/O.
 */
import { verifyDetachedCms, type DetachedReport, type VerifyOptions } from '../documents/verify';
import { chainHeadBytes, type ChainHeadLeaf } from './merkle';

export const verifyChainHead = (leaf: ChainHeadLeaf, signature: Buffer, trust: Pick<VerifyOptions, 'trustedRootSha256' | 'trustedRootPem'>): DetachedReport => {
  let content: Buffer;
  try {
    content = chainHeadBytes(leaf);
  } catch (e) {
    return { valid: false, failures: [{ code: 'CMS_MALFORMED', message: `链头格式错误：${(e as Error).message}` }] };
  }
  return verifyDetachedCms(signature, content, trust);
};
