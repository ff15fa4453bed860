/**
 * The tamper-evident log's anchors (E2): every run of the anchor timer takes the contracts whose
 * event chain moved since the last anchor, puts their platform-signed heads (contracts/
 * chain-heads.ts) into an RFC 9162 Merkle tree (./merkle.ts), has the TSA timestamp its root and
 * stores the anchor with one inclusion proof per head — all in one commit. A head can then be
 * shown to have existed at the TSA's time with a few hashes, offline.
 *
 * Which chains: contracts updated in the window (last cutoff, now − SETTLE_MS]. The margin lets
 * every commit whose clock reading falls in the window land before the window is read (a commit
 * takes well under a second; the margin is a minute). A contract updated again after the window
 * is anchored by the next run with its newer head — the newer head extends the older chain, so
 * nothing is lost by anchoring only the latest. The window's end moves by compare-and-set on one
 * `state` document, in the same commit as the anchor: two overlapping runs never anchor the same
 * window twice, and a run that fails (the TSA did not answer) leaves the window where it was for
 * the next run to take up — the anchor's time is always the TSA's, never ours.
 *
 * May import: ports, domain, contracts (repository), documents (timestamp), ./merkle, errors.
 */
import { createHash } from 'node:crypto';
import { isSignedHead, type Contract } from '../domain/contract';
import type { EvidenceReportData } from '../documents/evidence-report';
import { parseTimestampToken } from '../documents/timestamp';
import { findContracts } from '../contracts/repository';
import type { Deps } from '../ports/operation';
import type { Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import { buildTree, type ChainHeadLeaf, type InclusionProof } from './merkle';

export const ANCHORS = collectionName('anchors');
export const ANCHOR_PROOFS = collectionName('anchorProofs');
const STATE_ID = 'state';

/** How long after a clock reading a commit is assumed to have landed. */
export const SETTLE_MS = 60_000;
/**
 * Heads per anchor at most: the anchor, its proofs and the window's move are one commit (one
 * CloudBase transaction), so it stays small; a busier window is cut and the rest left to the next
 * run, whose window starts where this one stopped.
 */
const MAX_LEAVES = 500;

export interface AnchorState extends Doc {
  /** Contracts updated up to this instant (ISO) are anchored. */
  cutoff: string;
  lastAnchorId: string | null;
}

export interface AnchorDoc extends Doc {
  /** Merkle root (hex) over the heads' chainHeadBytes, RFC 9162. */
  root: string;
  treeSize: number;
  /** The TSA's TimeStampToken over SHA-256(root bytes), DER base64. */
  token: string;
  /** The token's genTime: the TSA's time, the only one that counts. */
  anchoredAt: string;
  /** The window anchored: contracts updated in (from, cutoff]. */
  from: string;
  cutoff: string;
}

export interface AnchorProofDoc extends Doc {
  contractId: string;
  seq: number;
  hash: string;
  anchorId: string;
  proof: InclusionProof;
}

export const proofId = (contractId: string, seq: number): string => `${contractId}:${seq}`;

/** What the Merkle root's timestamp is over: SHA-256 of the 32 root bytes. */
export const anchorDigest = (rootHex: string): Buffer => createHash('sha256').update(Buffer.from(rootHex, 'hex')).digest();

export interface AnchorRun {
  /** Heads put in the tree (0: nothing changed, no anchor stored). */
  anchored: number;
  anchorId: string | null;
  /** Another run moved the window meanwhile: this one stored nothing. */
  skipped: boolean;
}

const EPOCH = new Date(0).toISOString();

/** Contracts updated in (from, to], oldest first, at most MAX_LEAVES; `to` moves back when the window is cut. */
const changedIn = async (deps: Deps, from: string, to: string): Promise<{ contracts: Contract[]; to: string }> => {
  const page = await findContracts(deps, { updatedAt: { $gt: from, $lte: to } }, { orderBy: [['updatedAt', 'asc']], limit: MAX_LEAVES });
  if (page.length < MAX_LEAVES) return { contracts: page, to };
  // Cut before the last instant seen, so contracts sharing it are all left for the next run (when
  // the whole page shares one instant it is taken as is: 500 commits in one millisecond do not happen).
  const last = page[page.length - 1]!.updatedAt;
  const kept = page.filter((c) => c.updatedAt < last);
  return kept.length ? { contracts: kept, to: kept[kept.length - 1]!.updatedAt } : { contracts: page, to: last };
};

export const runAnchor = async (deps: Deps): Promise<AnchorRun> => {
  const state = await deps.store.get<AnchorState>(ANCHORS, STATE_ID);
  const from = state?.cutoff ?? EPOCH;
  const now = deps.clock.now();
  let to = new Date(now.getTime() - SETTLE_MS).toISOString();
  if (to <= from) return { anchored: 0, anchorId: null, skipped: false };
  const changed = await changedIn(deps, from, to);
  to = changed.to;
  // Contracts stored before heads were signed have no signed head until their chain next moves.
  const leaves: ChainHeadLeaf[] = changed.contracts
    .filter((c): c is Contract & { signedHead: NonNullable<Contract['signedHead']> } => isSignedHead(c.eventHead, c.signedHead))
    .map((c) => ({ contractId: c._id, head: { seq: c.signedHead.seq, hash: c.signedHead.hash } }));
  // A head anchored already (its contract touched without a new event) is not anchored again.
  const known = new Set<string>();
  for (let i = 0; i < leaves.length; i += 100) {
    const ids = leaves.slice(i, i + 100).map((l) => proofId(l.contractId, l.head.seq));
    for (const d of await deps.store.find<AnchorProofDoc>(ANCHOR_PROOFS, { _id: { $in: ids } }, { limit: 100 })) known.add(d._id);
  }
  const fresh = leaves.filter((l) => !known.has(proofId(l.contractId, l.head.seq)));
  const nextState: AnchorState = { _id: STATE_ID, cutoff: to, lastAnchorId: state?.lastAnchorId ?? null };
  const stateWrite = { collection: ANCHORS, doc: nextState, expectedVersion: state?.version ?? 0 };
  if (fresh.length === 0) {
    const r = await deps.store.commit([stateWrite], []);
    return { anchored: 0, anchorId: null, skipped: !r.ok };
  }
  const tree = buildTree(fresh);
  const root = tree.root.toString('hex');
  // No answer from the TSA: this throws (TsaFailure), nothing is stored, the next run retries the window.
  const token = Buffer.from(await deps.tsa.timestamp(anchorDigest(root), 'sha256'));
  const anchoredAt = parseTimestampToken(token).genTime.toISOString();
  const anchorId = `an_${now.getTime().toString(36)}${deps.ids.token(6).replace(/[^A-Za-z0-9]/g, '').toLowerCase()}`;
  const anchor: AnchorDoc = { _id: anchorId, root, treeSize: tree.leaves.length, token: token.toString('base64'), anchoredAt, from, cutoff: to };
  const proofs: AnchorProofDoc[] = tree.leaves.map((l) => ({ _id: proofId(l.contractId, l.head.seq), contractId: l.contractId, seq: l.head.seq, hash: l.head.hash, anchorId, proof: tree.prove(l.contractId)! }));
  const r = await deps.store.commit([{ ...stateWrite, doc: { ...nextState, lastAnchorId: anchorId } }], [{ collection: ANCHORS, docs: [anchor] }, { collection: ANCHOR_PROOFS, docs: proofs }]);
  if (!r.ok) return { anchored: 0, anchorId: null, skipped: true };
  return { anchored: proofs.length, anchorId, skipped: false };
};

/** The anchor holding this head, with its proof; null while the head is not anchored yet. */
export const anchorOfHead = async (deps: Deps, contractId: string, seq: number): Promise<{ anchor: AnchorDoc; proof: AnchorProofDoc } | null> => {
  const proof = await deps.store.get<AnchorProofDoc>(ANCHOR_PROOFS, proofId(contractId, seq));
  if (!proof) return null;
  const anchor = await deps.store.get<AnchorDoc>(ANCHORS, proof.anchorId);
  return anchor ? { anchor, proof } : null;
};
