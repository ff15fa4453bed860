/**
 * Every commit that moves a contract's event chain also stores the new head signed by the
 * platform (E2), in the same write as the events: a rewritten or shortened chain then no longer
 * matches a signature only the platform could make, and the anchor timer (operations/timer-anchor)
 * fixes the signed heads in time.
 *
 * The platform's head-signing certificate is a one-time-style certificate from the issuing CA
 * (named like the platform's stamp, 电子签平台), issued once per process and renewed daily: a
 * fresh key per commit would cost a certificate per event for no gain — the head, not the key,
 * is what changes.
 *
 * May import: ./signing-keys, documents (ca), evidence/chain-head and evidence/merkle (pure: the
 * head's bytes and its CMS, no PDF code), domain.
 */
import { issueSignerCertificate } from '../documents/ca';
import { isSignedHead, type EventHead, type SignedHead } from '../domain/contract';
import { headSignerOf, signChainHead, type HeadSigner } from '../evidence/chain-head';
import type { Deps } from '../ports/operation';
import { signingKeys } from './signing-keys';

/** Named as the platform's stamp and the evidence report are (contracts/pdf.ts PLATFORM_SIGNER). */
export const HEAD_SIGNER_NAME = '电子签平台';
const HEAD_SIGNER_ID = 'PLATFORMCHAINHEADS';
const RENEW_MS = 24 * 3600 * 1000;

const signers = new WeakMap<object, { signer: HeadSigner; issuedAt: number }>();

const headSigner = async (deps: Deps, at: Date): Promise<HeadSigner> => {
  const cached = signers.get(deps.config);
  // Renewed also when the clock went backwards past its start (the emulator's clock moves).
  if (cached && at.getTime() >= cached.issuedAt && at.getTime() - cached.issuedAt < RENEW_MS) return cached.signer;
  const { ca } = await signingKeys(deps);
  const cert = await issueSignerCertificate(ca, { name: HEAD_SIGNER_NAME, identifier: HEAD_SIGNER_ID, signingTime: at, validityMs: 2 * RENEW_MS });
  const signer = headSignerOf(cert);
  signers.set(deps.config, { signer, issuedAt: at.getTime() });
  return signer;
};

/** The head `head` of contract `contractId`, signed at `at` (ISO) — stored with the commit that made it. */
export const signHead = async (deps: Deps, contractId: string, head: EventHead, at: string): Promise<SignedHead> => {
  const when = new Date(at);
  const signer = await headSigner(deps, when);
  const signature = signChainHead({ contractId, head }, signer, when);
  return { seq: head.seq, hash: head.hash, signature: signature.toString('base64'), signedAt: at };
};


/**
 * The signed head a commit stores: the old one when no event was added and it signs the head,
 * else a new signature — so any commit on a contract stored before heads were signed signs it.
 */
export const headFor = async (deps: Deps, contractId: string, before: EventHead, after: EventHead, previous: SignedHead | undefined, at: string): Promise<SignedHead> =>
  after.seq === before.seq && after.hash === before.hash && isSignedHead(after, previous) ? previous : signHead(deps, contractId, after, at);
