/**
 * A Merkle tree over contracts' event-chain heads (E2): every N minutes the heads of the chains
 * that changed become the leaves, the root is timestamped by the TSA, and any one head can then
 * be shown to have existed at that time by an inclusion proof — a few hashes, checkable offline.
 *
 * The hashing is RFC 9162 §2.1 (Certificate Transparency v2): leaf = SHA-256(0x00 ‖ data),
 * node = SHA-256(0x01 ‖ left ‖ right), the tree split at the largest power of two below n; the
 * distinct prefixes make a leaf impossible to pass off as an inner node. Leaves are sorted by
 * contract id (one per contract), so the same heads always give the same root.
 *
 * Pure: no I/O, no clock. May import: node:crypto, domain types.
 */
import { createHash } from 'node:crypto';
import type { EventHead } from '../domain/contract';

export type Hash = Buffer;

const sha256 = (...parts: Uint8Array[]): Hash => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const leafHash = (data: Uint8Array): Hash => sha256(Buffer.from([0x00]), data);
export const nodeHash = (left: Hash, right: Hash): Hash => sha256(Buffer.from([0x01]), left, right);

/** The largest power of two strictly less than n (n ≥ 2). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** RFC 9162 §2.1.1 MTH over leaf hashes. The empty tree's hash is SHA-256 of nothing. */
const rootOf = (leaves: readonly Hash[]): Hash => {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
};

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the sibling hashes from leaf m up to the root. */
const pathOf = (m: number, leaves: readonly Hash[]): Hash[] => {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...pathOf(m, leaves.slice(0, k)), rootOf(leaves.slice(k))] : [...pathOf(m - k, leaves.slice(k)), rootOf(leaves.slice(0, k))];
};

/** The tree hash over raw leaf data (RFC 9162 MTH): what buildTree computes over chain-head bytes. */
export const merkleRootOf = (leafData: readonly Uint8Array[]): Hash => rootOf(leafData.map(leafHash));

export interface InclusionProof {
  /** 0-based position of the leaf among the sorted leaves. */
  leafIndex: number;
  /**
   * Leaves in the tree. Store it with the anchored root (as CT's signed tree head does): a proof
   * checks against (root, size), and for some sizes the path alone does not pin the size down.
   */
  treeSize: number;
  /** Sibling hashes, leaf level first (hex). */
  path: string[];
}

/** A chain head as a leaf: the contract, how many events, the last hash. */
export interface ChainHeadLeaf {
  contractId: string;
  head: EventHead;
}

/**
 * The bytes a chain head contributes (and that the platform signs, chain-head.ts): versioned,
 * one field per line, nothing ambiguous — contract ids never contain a newline (checked).
 */
export const chainHeadBytes = (leaf: ChainHeadLeaf): Buffer => {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(leaf.contractId)) throw new Error('contract id must be 1..128 of [A-Za-z0-9_-]');
  if (!Number.isSafeInteger(leaf.head.seq) || leaf.head.seq < 0) throw new Error('head seq must be a non-negative integer');
  if (!/^[0-9a-f]{64}$/.test(leaf.head.hash)) throw new Error('head hash must be 64 lower-case hex digits');
  return Buffer.from(`esign-chain-head/v1\n${leaf.contractId}\n${leaf.head.seq}\n${leaf.head.hash}\n`, 'utf8');
};

export interface MerkleTree {
  root: Hash;
  /** The leaves in tree order (sorted by contract id). */
  leaves: ChainHeadLeaf[];
  /** Inclusion proof for one contract's head, or undefined when it is not in the tree. */
  prove(contractId: string): InclusionProof | undefined;
}

export const buildTree = (heads: readonly ChainHeadLeaf[]): MerkleTree => {
  const leaves = [...heads].sort((a, b) => (a.contractId < b.contractId ? -1 : a.contractId > b.contractId ? 1 : 0));
  for (let i = 1; i < leaves.length; i++) {
    if (leaves[i]!.contractId === leaves[i - 1]!.contractId) throw new Error(`two heads for contract ${leaves[i]!.contractId}`);
  }
  const hashes = leaves.map((l) => leafHash(chainHeadBytes(l)));
  return {
    root: rootOf(hashes),
    leaves,
    prove: (contractId) => {
      const i = leaves.findIndex((l) => l.contractId === contractId);
      if (i < 0) return undefined;
      return { leafIndex: i, treeSize: leaves.length, path: pathOf(i, hashes).map((h) => h.toString('hex')) };
    },
  };
};

/**
 * RFC 9162 §2.1.3.2: recomputes the root from a leaf and its proof. True only when the proof is
 * well formed for (leafIndex, treeSize) and leads to `root` — a head changed, a different index,
 * or a path from another tree all fail.
 */
export const verifyInclusion = (leaf: ChainHeadLeaf, proof: InclusionProof, root: Hash): boolean => {
  const { leafIndex, treeSize } = proof;
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return false;
  if (!proof.path.every((p) => /^[0-9a-f]{64}$/.test(p))) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Hash;
  try {
    r = leafHash(chainHeadBytes(leaf));
  } catch {
    return false;
  }
  for (const p of proof.path) {
    if (sn === 0) return false;
    const sibling = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
};
