/**
 * The evidence bundle's layout (E3): what `contract-evidence` puts in the zip and `esign-verify`
 * reads back. One place, so the producer and the offline checker cannot drift apart. Every name
 * is fixed here — no name in the zip comes from what a user typed.
 *
 * Pure: no I/O. May import: domain types.
 */
import type { ContractEvent } from '../domain/events';

export const BUNDLE_FORMAT = 'esign-evidence-bundle/v1';

export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  readme: 'README.txt',
  /** The contract's PDF as it stands now: every signature, the DSS and the document timestamp. */
  finalPdf: 'contract.pdf',
  /** The unsigned PDF the first signature was made on (the rendering, or the prepared own file). */
  originalPdf: 'original.pdf',
  /** An own file's uploads as they came (originals/1.<ext>, …), before conversion to PDF. */
  originalsDir: 'originals/',
  /** Every event of the contract, one JSON object per line, in sequence. */
  events: 'events.jsonl',
  /** The chain head the platform signed: {contractId, seq, hash, signedAt}. */
  chainHead: 'chain-head.json',
  /** The platform's detached CMS over the head's bytes (merkle.ts chainHeadBytes), DER. */
  chainHeadSignature: 'chain-head.p7s',
  /** The head's RFC 9162 inclusion proof: {leafIndex, treeSize, path}. */
  inclusionProof: 'inclusion-proof.json',
  /** The anchor: {anchorId, root, treeSize, anchoredAt, from, cutoff}. */
  anchor: 'anchor.json',
  /** The TSA's token over SHA-256 of the Merkle root's bytes, DER. */
  anchorToken: 'anchor.tsr',
  /** The PDF's own timestamp tokens, extracted for tools like `openssl ts -verify` (timestamps/<n>-<kind>.tsr). */
  timestampsDir: 'timestamps/',
  /** The platform root certificate, PEM: compare its fingerprint with the published one. */
  root: 'platform-root.pem',
} as const;

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  contractId: string;
  contractNo: string;
  title: string;
  state: string;
  /** When the bundle was made (our clock; informative only). */
  createdAt: string;
  /** SHA-256 fingerprint of the platform root (hex, lower case). */
  rootSha256: string;
  files: Array<{ name: string; sha256: string; size: number }>;
}

export interface BundleChainHead {
  contractId: string;
  seq: number;
  hash: string;
  signedAt: string;
}

export interface BundleAnchor {
  anchorId: string;
  root: string;
  treeSize: number;
  anchoredAt: string;
  from: string;
  cutoff: string;
}

/** An event as the bundle carries it: the stored event without the store's own version. */
export type BundleEvent = Omit<ContractEvent, 'version'>;
