/**
 * E2 the Merkle tree over chain heads: RFC 9162 hashing (checked against the Certificate
 * Transparency reference vectors), inclusion proofs that verify for every leaf of every size and
 * fail for any change; and the platform's signature over a chain head, checked by OpenSSL.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { issueSignerCertificate } from '../../shared/documents/ca';
import { fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { headSignerOf, signChainHead } from '../../shared/evidence/chain-head';
import { verifyChainHead } from '../../shared/evidence/chain-head-verify';
import { buildTree, chainHeadBytes, ChainHeadLeaf, merkleRootOf, verifyInclusion } from '../../shared/evidence/merkle';
import { newCa } from '../documents/signing-fixture';
import { run, tempDir, writeTemp } from '../documents/tools';

const hex = (s: string) => Buffer.from(s, 'hex');
const head = (i: number, seq = i + 1): ChainHeadLeaf => ({
  contractId: `c${String(i).padStart(4, '0')}`,
  head: { seq, hash: createHash('sha256').update(`event ${i}/${seq}`).digest('hex') },
});

describe('E2 Merkle tree (RFC 9162)', () => {
  test('roots match the Certificate Transparency reference vectors for 0..8 leaves', () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
    const roots = [
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    expect(roots.map((_, n) => merkleRootOf(leaves.slice(0, n)).toString('hex'))).toEqual(roots);
  });

  test('every leaf of every tree size up to 70 has a proof that verifies', () => {
    for (let n = 1; n <= 70; n++) {
      const heads = Array.from({ length: n }, (_, i) => head(i));
      const tree = buildTree(heads);
      for (const h of heads) expect(verifyInclusion(h, tree.prove(h.contractId)!, tree.root)).toBe(true);
    }
  });

  test('leaves are ordered by contract id: the same heads in any order give the same root; a contract appears once', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(Array.from({ length: 12 }, (_, i) => head(i)), { minLength: 1 }), (heads) => {
        const sorted = [...heads].sort((a, b) => a.contractId.localeCompare(b.contractId));
        expect(buildTree(heads).root.equals(buildTree(sorted).root)).toBe(true);
      }),
    );
    expect(() => buildTree([head(1), head(1, 5)])).toThrow(/two heads/);
  });

  test('a proof fails for an edited head, a dropped last event, another index, a tampered path or another tree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, pick) => {
        const heads = Array.from({ length: n }, (_, i) => head(i));
        const tree = buildTree(heads);
        const target = heads[pick % n]!;
        const proof = tree.prove(target.contractId)!;
        // The event chain rewritten and re-hashed: another head hash.
        expect(verifyInclusion({ ...target, head: { ...target.head, hash: createHash('sha256').update('rewritten').digest('hex') } }, proof, tree.root)).toBe(false);
        // The last event dropped: one fewer event, the previous hash.
        expect(verifyInclusion({ ...target, head: { seq: target.head.seq - 1, hash: target.head.hash } }, proof, tree.root)).toBe(false);
        expect(verifyInclusion(target, { ...proof, leafIndex: (proof.leafIndex + 1) % n }, tree.root)).toBe(false);
        // (The tree size travels with the anchored root; an index outside it is refused outright.)
        expect(verifyInclusion(target, { ...proof, treeSize: proof.leafIndex }, tree.root)).toBe(false);
        if (proof.path.length) {
          const path = [...proof.path];
          path[0] = path[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
          expect(verifyInclusion(target, { ...proof, path }, tree.root)).toBe(false);
        }
        const other = buildTree(heads.map((h, i) => (i === (pick + 1) % n ? { ...h, head: { ...h.head, seq: h.head.seq + 1 } } : h)));
        expect(verifyInclusion(target, proof, other.root)).toBe(false);
      }),
    );
  });

  test('chain-head bytes are unambiguous: bad ids, seqs or hashes are refused', () => {
    expect(chainHeadBytes(head(7)).toString()).toBe(`esign-chain-head/v1\nc0007\n8\n${head(7).head.hash}\n`);
    expect(() => chainHeadBytes({ ...head(1), contractId: 'a\nb' })).toThrow();
    expect(() => chainHeadBytes({ ...head(1), head: { seq: -1, hash: head(1).head.hash } })).toThrow();
    expect(() => chainHeadBytes({ ...head(1), head: { seq: 1, hash: 'ABC' } })).toThrow();
    expect(verifyInclusion({ ...head(1), contractId: 'a\nb' }, { leafIndex: 0, treeSize: 1, path: [] }, buildTree([head(1)]).root)).toBe(false);
  });
});

describe('E2 the platform-signed chain head', () => {
  const ca = newCa();
  const at = new Date();
  const leaf = head(3);
  let signature: Buffer;
  beforeAll(async () => {
    const platform = await issueSignerCertificate(ca.ca, { name: '电子签平台', identifier: 'PLATFORMSIGNINGSERVICE', signingTime: at });
    signature = signChainHead(leaf, headSignerOf(platform), at);
  });
  const rootFp = fingerprintHex(pemToDer(ca.pems.rootCertPem));

  test('OpenSSL verifies it (detached CMS over the head bytes) against the platform root', () => {
    const dir = tempDir('esign-head-');
    const r = run('openssl', [
      'cms', '-verify', '-binary', '-inform', 'DER',
      '-in', writeTemp(dir, 'head.p7s', signature),
      '-content', writeTemp(dir, 'head.txt', chainHeadBytes(leaf)),
      '-CAfile', writeTemp(dir, 'root.pem', ca.pems.rootCertPem),
      '-out', '/dev/null',
    ]);
    expect(r.stderr.trim()).toBe('CMS Verification successful');
  });

  test('our check: valid with the root fingerprint; a rewritten head, a shorter chain or another root fail by name', () => {
    expect(verifyChainHead(leaf, signature, { trustedRootSha256: rootFp })).toMatchObject({ valid: true, signerName: '电子签平台', failures: [] });
    const rewritten = verifyChainHead({ ...leaf, head: { ...leaf.head, hash: createHash('sha256').update('x').digest('hex') } }, signature, { trustedRootSha256: rootFp });
    expect(rewritten.failures.map((f) => f.code)).toEqual(['DIGEST_MISMATCH']);
    const shorter = verifyChainHead({ ...leaf, head: { ...leaf.head, seq: leaf.head.seq - 1 } }, signature, { trustedRootSha256: rootFp });
    expect(shorter.failures.map((f) => f.code)).toEqual(['DIGEST_MISMATCH']);
    const other = verifyChainHead(leaf, signature, { trustedRootSha256: fingerprintHex(pemToDer(newCa().pems.rootCertPem)) });
    expect(other.failures.map((f) => f.code)).toEqual(['UNTRUSTED_CHAIN']);
  });
});
