/**
 * Builds a contract's evidence bundle (E3): a zip (fflate) holding everything a court's expert
 * needs to check the contract without us — the final PDF, the original, the events, the signed
 * chain head, its inclusion proof in a TSA-anchored Merkle root, the timestamp tokens and the
 * platform root (layout: ./bundle-format.ts; checker: ./bundle-verify.ts and `esign-verify`).
 *
 * Only a head that is anchored is bundled: until the anchor timer has run over the contract's
 * last event the bundle would not prove its time, so the caller hears EVIDENCE_NOT_READY.
 *
 * May import: ports, domain, contracts (repository, files), documents (verify, x509), ./anchors,
 * ./bundle-format, errors.
 */
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { AppError } from '../errors';
import { isSignedHead, type Contract } from '../domain/contract';
import type { ContractEvent } from '../domain/events';
import { EVENTS } from '../contracts/repository';
import { readFile } from '../contracts/files';
import { signingKeys } from '../contracts/signing-keys';
import { timestampTokensOf } from '../documents/verify';
import { fingerprintHex, pemToDer } from '../documents/x509';
import type { Deps } from '../ports/operation';
import { anchorOfHead } from './anchors';
import { BUNDLE_FILES as F, BUNDLE_FORMAT, type BundleAnchor, type BundleChainHead, type BundleEvent, type BundleManifest } from './bundle-format';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

/** File extensions an own file's originals may carry in the zip (from their content, never their name). */
const originalExtension = (name: string): string => {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  const ext = m?.[1]?.toLowerCase();
  return ext && ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'txt', 'jpg', 'jpeg', 'png', 'wps'].includes(ext) ? ext : 'bin';
};

const README = (m: BundleManifest) => `电子合同证据包 Evidence bundle — ${m.title}（${m.contractNo}）

本证据包可在没有网络、没有本平台的情况下独立核验：
This bundle can be checked offline, without the platform:

  npx esign-verify <本文件.zip> --root-fingerprint ${m.rootSha256}

请将根证书指纹与平台公布的指纹核对（${F.root}）。
Compare the root fingerprint with the one the platform publishes (${F.root}).

内容 Contents:
  ${F.finalPdf}            最终合同（全部签名、DSS、文档时间戳） the final signed PDF
  ${F.originalPdf}            签署前的原始文件 the unsigned original
  ${F.events}            全部事件（哈希链） every event, hash-chained
  ${F.chainHead} / ${F.chainHeadSignature}   平台签名的链头 the platform-signed chain head
  ${F.inclusionProof} / ${F.anchor} / ${F.anchorToken}   默克尔包含证明、锚定与时间戳 inclusion proof, anchor, TSA token
  ${F.timestampsDir}               PDF 内的时间戳令牌 the PDF's timestamp tokens
  ${F.root}       平台根证书 the platform root certificate
`;

export interface BuiltBundle {
  zip: Buffer;
  sha256: string;
  manifest: BundleManifest;
  /** The TSA's time of the anchor holding the contract's last event. */
  anchoredAt: string;
}

export const buildEvidenceBundle = async (deps: Deps, c: Contract, now: Date): Promise<BuiltBundle> => {
  const doc = c.document;
  if (!doc || doc.signatures.length === 0) throw new AppError('INVALID_TRANSITION', '合同尚未签署，暂无证据包');
  const head = c.signedHead;
  const anchored = isSignedHead(c.eventHead, head) ? await anchorOfHead(deps, c._id, head.seq) : null;
  if (!head || !anchored) throw new AppError('EVIDENCE_NOT_READY');
  // The root as the signing keys hold it (SSM in the cloud, the data dir locally), never the
  // configuration's copy: in the cloud that is empty.
  const rootPem = (await signingKeys(deps)).ca.rootPem;

  const events: BundleEvent[] = [];
  for (let skip = 0; ; skip += 1000) {
    const page = await deps.store.find<ContractEvent>(EVENTS, { contractId: c._id }, { orderBy: [['seq', 'asc']], limit: 1000, skip });
    events.push(...page.map(({ version: _v, ...e }) => e));
    if (page.length < 1000) break;
  }
  const finalPdf = await readFile(deps, doc.currentKey);
  const files: Record<string, Uint8Array> = {
    [F.finalPdf]: finalPdf,
    [F.originalPdf]: await readFile(deps, doc.originalKey),
    [F.events]: Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8'),
    [F.chainHead]: json({ contractId: c._id, seq: head.seq, hash: head.hash, signedAt: head.signedAt } satisfies BundleChainHead),
    [F.chainHeadSignature]: Buffer.from(head.signature, 'base64'),
    [F.inclusionProof]: json(anchored.proof.proof),
    [F.anchor]: json({ anchorId: anchored.anchor._id, root: anchored.anchor.root, treeSize: anchored.anchor.treeSize, anchoredAt: anchored.anchor.anchoredAt, from: anchored.anchor.from, cutoff: anchored.anchor.cutoff } satisfies BundleAnchor),
    [F.anchorToken]: Buffer.from(anchored.anchor.token, 'base64'),
    [F.root]: Buffer.from(rootPem, 'utf8'),
  };
  for (const [i, o] of (c.ownFile?.originals ?? []).entries()) files[`${F.originalsDir}${i + 1}.${originalExtension(o.name)}`] = await readFile(deps, o.key);
  for (const [i, t] of (await timestampTokensOf(finalPdf)).entries()) files[`${F.timestampsDir}${i + 1}-${t.kind}.tsr`] = t.der;

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    contractId: c._id,
    contractNo: c.contractNo,
    title: c.title,
    state: c.state,
    createdAt: now.toISOString(),
    rootSha256: fingerprintHex(pemToDer(rootPem)).toLowerCase(),
    files: Object.entries(files).map(([name, b]) => ({ name, sha256: sha256(b), size: b.length })),
  };
  // A fixed time on every entry: zip dates are local times without a zone and prove nothing (the
  // manifest says when the bundle was made, the anchor's token when the evidence existed).
  const mtime = new Date('2000-01-01T00:00:00Z');
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const [name, b] of Object.entries({ [F.manifest]: json(manifest), [F.readme]: Buffer.from(README(manifest), 'utf8'), ...files })) entries[name] = [b, { mtime }];
  const zip = Buffer.from(zipSync(entries, { level: 6 }));
  return { zip, sha256: sha256(zip), manifest, anchoredAt: anchored.anchor.anchoredAt };
};
