/**
 * The offline check of an evidence bundle (E3), what `npx esign-verify bundle.zip` runs: no
 * network, no database, nothing from us but the platform root's fingerprint. One verdict per
 * check, each naming what failed:
 *   bundle          the zip reads, the manifest lists every file with its hash, nothing missing
 *   trust           the root the checks trust: the configured fingerprint (the bundle's root must match it)
 *   signatures      every party signature in the final PDF (byte range, digest, CMS, certificates, chain)
 *   timestamps      every signature timestamp (B-T) and the document timestamp (B-LTA)
 *   dss             the DSS's certificates and CRLs: the document reaches PAdES B-LTA
 *   pdf-integrity   nothing added to the PDF after its last signature
 *   events          the events form an unbroken hash chain ending at the signed head
 *   chain-head      the platform's signature over that head
 *   inclusion       the head is a leaf of the anchored Merkle root (RFC 9162 proof)
 *   anchor-time     the TSA's token over that root: its time is when the head existed at the latest
 *   final-document  the final PDF is the one the chain's last document event names (not an
 *                   earlier revision), and it grew from the original by incremental updates
 * The verdict holds only when every check passes.
 *
 * Pure: no I/O, no clock. May import: documents (verify, x509), domain (events), ./merkle,
 * ./chain-head-verify, ./bundle-format, fflate.
 */
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { verifyChain, type ContractEvent } from '../domain/events';
import { verifyPdf, verifyTimestampToken, type VerifyFailure, type VerifyFailureCode, type VerifyReport } from '../documents/verify';
import { fingerprintHex, normalizeFingerprint, pemToDer } from '../documents/x509';
import { verifyChainHead } from './chain-head-verify';
import { verifyInclusion, type InclusionProof } from './merkle';
import { BUNDLE_FILES as F, BUNDLE_FORMAT, type BundleAnchor, type BundleChainHead, type BundleManifest } from './bundle-format';

export type CheckId = 'bundle' | 'trust' | 'signatures' | 'timestamps' | 'dss' | 'pdf-integrity' | 'events' | 'chain-head' | 'inclusion' | 'anchor-time' | 'final-document';

export interface BundleCheck {
  id: CheckId;
  zh: string;
  en: string;
  ok: boolean;
  /** Why it failed (or what it established), in plain words. */
  details: string[];
  /** The PDF verifier's failure codes, for the PDF checks. */
  codes?: VerifyFailureCode[];
}

export interface BundleReport {
  valid: boolean;
  checks: BundleCheck[];
  contractId?: string;
  contractNo?: string;
  /** The fingerprint the checks trusted, and whether it came from the caller (else from the bundle). */
  rootSha256?: string;
  rootFromCaller: boolean;
  /** The TSA's time the last event is proven to have existed by. */
  anchoredAt?: string;
}

export interface BundleVerifyOptions {
  /** The platform root's SHA-256 fingerprint as published (hex, colons allowed). */
  rootFingerprint?: string;
}

const NAMES: Record<CheckId, [string, string]> = {
  bundle: ['证据包完整', 'Bundle complete'],
  trust: ['信任根', 'Trust anchor'],
  signatures: ['签名有效', 'Signatures'],
  timestamps: ['时间戳有效', 'Timestamps'],
  dss: ['长期验证数据（DSS）', 'Long-term validation data (DSS)'],
  'pdf-integrity': ['签署后未被修改', 'Unchanged after signing'],
  events: ['事件哈希链', 'Event hash chain'],
  'chain-head': ['平台签名的链头', 'Platform-signed chain head'],
  inclusion: ['默克尔包含证明', 'Merkle inclusion proof'],
  'anchor-time': ['锚定时间戳', 'Anchor timestamp'],
  'final-document': ['最终文件与事件一致', 'Final file matches the events'],
};

/** Unpacked at most: a hostile zip may not make the checker allocate without bound. */
const MAX_UNZIPPED = 256 * 1024 * 1024;
const TIMESTAMP_CODES: readonly VerifyFailureCode[] = ['TIMESTAMP_MISSING', 'TIMESTAMP_MALFORMED', 'TIMESTAMP_IMPRINT_MISMATCH', 'TIMESTAMP_INVALID', 'TIMESTAMP_UNTRUSTED', 'CLAIMED_TIME_AFTER_TIMESTAMP'];
const DSS_CODES: readonly VerifyFailureCode[] = ['DSS_INVALID', 'LEVEL_NOT_REACHED', 'REVOKED'];
const DOCUMENT_CODES: readonly VerifyFailureCode[] = ['APPENDED_BYTES', 'UNSIGNED_REVISION', 'NOT_AT_REVISION_END', 'LATER_CHANGE', 'TOO_MANY_REVISIONS'];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const describe = (fs: readonly VerifyFailure[]) => fs.map((f) => `[${f.code}] ${f.message}`);

const parseJson = <T>(files: Map<string, Uint8Array>, name: string, problems: string[]): T | undefined => {
  const b = files.get(name);
  if (!b) {
    problems.push(`缺少 ${name} (missing)`);
    return undefined;
  }
  try {
    return JSON.parse(Buffer.from(b).toString('utf8')) as T;
  } catch {
    problems.push(`${name} 不是有效的 JSON (not valid JSON)`);
    return undefined;
  }
};

export const unzipBundle = (zip: Uint8Array): Map<string, Uint8Array> => {
  let total = 0;
  const out = unzipSync(zip, {
    filter: (f) => {
      total += f.originalSize;
      if (total > MAX_UNZIPPED) throw new Error('bundle unpacks to more than 256 MB');
      return true;
    },
  });
  return new Map(Object.entries(out));
};

/** The PDF verifier's report, split over the PDF checks by what each failure is about. */
const pdfChecks = (r: VerifyReport): Array<Pick<BundleCheck, 'id' | 'ok' | 'details' | 'codes'>> => {
  const sig: VerifyFailure[] = [];
  const ts: VerifyFailure[] = [];
  const dss: VerifyFailure[] = [];
  const doc: VerifyFailure[] = [];
  const level: VerifyFailure[] = [];
  const route = (f: VerifyFailure, documentTimestamp: boolean) =>
    (f.code === 'LEVEL_NOT_REACHED' ? level : DSS_CODES.includes(f.code) ? dss : DOCUMENT_CODES.includes(f.code) ? doc : documentTimestamp || TIMESTAMP_CODES.includes(f.code) ? ts : sig).push(f);
  for (const s of r.signatures) {
    for (const f of s.failures) route(f, s.kind === 'document-timestamp');
    for (const p of s.laterChanges) doc.push({ code: 'LATER_CHANGE', message: p });
  }
  for (const f of r.failures) route(f, false);
  const parties = r.signatures.filter((s) => s.kind === 'signature');
  if (parties.length === 0 && !sig.some((f) => f.code === 'NO_SIGNATURES')) sig.push({ code: 'NO_SIGNATURES', message: '合同文件中没有签名' });
  if (!r.signatures.some((s) => s.kind === 'document-timestamp')) ts.push({ code: 'TIMESTAMP_MISSING', message: '没有文档时间戳（B-LTA）' });
  if (!r.dss) dss.push({ code: 'DSS_INVALID', message: '没有 DSS（长期验证数据）' });
  // B-LTA not reached because a signature or timestamp failed is that failure, reported there;
  // the DSS check names it only when nothing else explains it.
  if (sig.length === 0 && ts.length === 0) dss.push(...level);
  if (r.modifiedAfterLastSignature && doc.length === 0) doc.push({ code: 'UNSIGNED_REVISION', message: `最后一个签名之后还有 ${r.unsignedBytes} 字节未被签名` });
  const codes = (fs: VerifyFailure[]) => [...new Set(fs.map((f) => f.code))];
  const okDetails = {
    signatures: parties.map((s) => `${s.signerName ?? '?'} ${s.signingTime ?? ''}`.trim()),
    timestamps: r.signatures.map((s) => `${s.fieldName}: ${s.timestamp?.time ?? '?'}`),
    dss: r.dss ? [`${r.dss.certificates} certificates, ${r.dss.crls} CRLs, PAdES ${r.level ?? '—'}`] : [],
    doc: [`${r.revisions} revisions, SHA-256 ${r.fileSha256}`],
  };
  return [
    { id: 'signatures', ok: sig.length === 0, details: sig.length ? describe(sig) : okDetails.signatures, codes: codes(sig) },
    { id: 'timestamps', ok: ts.length === 0, details: ts.length ? describe(ts) : okDetails.timestamps, codes: codes(ts) },
    { id: 'dss', ok: dss.length === 0, details: dss.length ? describe(dss) : okDetails.dss, codes: codes(dss) },
    { id: 'pdf-integrity', ok: doc.length === 0, details: doc.length ? describe(doc) : okDetails.doc, codes: codes(doc) },
  ];
};

/** The last event that names the contract's PDF (a signature, an acceptance, a settle or rescind stamp). */
const lastDocumentEvent = (events: readonly ContractEvent[]): ContractEvent | undefined =>
  [...events].sort((a, b) => b.seq - a.seq).find((e) => typeof (e.data as Record<string, unknown> | undefined)?.documentSha256 === 'string');

export const verifyBundle = async (zip: Uint8Array, options: BundleVerifyOptions = {}): Promise<BundleReport> => {
  const checks: BundleCheck[] = [];
  const add = (id: CheckId, ok: boolean, details: string[], codes?: VerifyFailureCode[]) => checks.push({ id, zh: NAMES[id][0], en: NAMES[id][1], ok, details, ...(codes && codes.length ? { codes } : {}) });
  const finish = (extra: Partial<BundleReport>): BundleReport => {
    // Every check is listed, also those that could not run: a missing verdict is a failed one.
    for (const id of Object.keys(NAMES) as CheckId[]) if (!checks.some((c) => c.id === id)) add(id, false, ['未能检查（证据包不完整）not checked: the bundle is incomplete']);
    checks.sort((a, b) => Object.keys(NAMES).indexOf(a.id) - Object.keys(NAMES).indexOf(b.id));
    return { valid: checks.every((c) => c.ok), checks, rootFromCaller: options.rootFingerprint !== undefined, ...extra };
  };

  // 1. The bundle itself.
  let files: Map<string, Uint8Array>;
  try {
    files = unzipBundle(zip);
  } catch (e) {
    add('bundle', false, [`无法解压 cannot unzip: ${(e as Error).message}`]);
    return finish({});
  }
  const problems: string[] = [];
  const manifest = parseJson<BundleManifest>(files, F.manifest, problems);
  if (manifest && manifest.format !== BUNDLE_FORMAT) problems.push(`未知的格式 unknown format: ${String(manifest.format)}`);
  const listed = new Set<string>();
  for (const f of manifest?.files ?? []) {
    listed.add(f.name);
    const b = files.get(f.name);
    if (!b) problems.push(`缺少 ${f.name} (missing)`);
    else if (sha256(b) !== f.sha256) problems.push(`${f.name} 的哈希与清单不符 (hash differs from the manifest)`);
  }
  for (const name of files.keys()) if (name !== F.manifest && name !== F.readme && !listed.has(name)) problems.push(`${name} 不在清单中 (not in the manifest)`);
  for (const name of [F.finalPdf, F.originalPdf, F.events, F.chainHead, F.chainHeadSignature, F.inclusionProof, F.anchor, F.anchorToken, F.root]) {
    if (!files.has(name) && !problems.some((p) => p.startsWith(`缺少 ${name}`))) problems.push(`缺少 ${name} (missing)`);
  }
  add('bundle', problems.length === 0, problems.length ? problems : [`${files.size} files, manifest hashes match`]);

  // 2. The trust anchor: the caller's fingerprint, never the file. Without one the other checks
  // still run against the bundle's own root (so a reader sees what else holds), but trust fails:
  // a bundle with a root of its own making would pass every other check.
  let bundleRootFp: string | undefined;
  try {
    const pem = files.get(F.root);
    if (pem) bundleRootFp = fingerprintHex(pemToDer(Buffer.from(pem).toString('utf8'))).toLowerCase();
  } catch {
    /* reported below */
  }
  let rootFp: string | undefined;
  if (options.rootFingerprint !== undefined) {
    try {
      rootFp = normalizeFingerprint(options.rootFingerprint).toLowerCase();
      const same = bundleRootFp === rootFp;
      add('trust', same, [same ? `根证书指纹 root SHA-256 ${rootFp}（与给定的一致 matches the one given）` : `证据包中的根证书（${bundleRootFp ?? '无法读取 unreadable'}）不是给定的根 ${rootFp} — the bundle's root is not the one given`]);
    } catch {
      add('trust', false, ['给定的根证书指纹格式错误 the fingerprint given is malformed']);
    }
  } else {
    rootFp = bundleRootFp;
    add('trust', false, bundleRootFp
      ? [`未给定指纹：无法确认证据包自带的根证书 ${bundleRootFp} 就是平台的根，请用 --root-fingerprint 提供平台公布的指纹（其余检查暂以它为准） no fingerprint given: nothing shows the bundle's own root is the platform's — pass the published one with --root-fingerprint (the other checks used the bundle's root)`]
      : ['证据包中的根证书无法读取 the bundle\'s root certificate is unreadable']);
  }
  const trust = { trustedRootSha256: rootFp ?? [] };

  // 3. The final PDF.
  const finalPdf = files.get(F.finalPdf);
  if (finalPdf) for (const c of pdfChecks(await verifyPdf(finalPdf, { ...trust, requireLevel: 'B-LTA' }))) add(c.id, c.ok, c.details, c.codes);

  // 4. The events against the signed head.
  const head = parseJson<BundleChainHead>(files, F.chainHead, []);
  let events: ContractEvent[] | undefined;
  const eventsBytes = files.get(F.events);
  if (eventsBytes) {
    try {
      events = Buffer.from(eventsBytes).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ContractEvent);
    } catch {
      add('events', false, [`${F.events} 不是每行一个 JSON 对象 (not JSON lines)`]);
    }
  }
  if (events && head) {
    const foreign = events.filter((e) => e.contractId !== head.contractId);
    const chain = verifyChain(events, { seq: head.seq, hash: head.hash });
    const why: Record<string, string> = {
      'missing event': '缺少事件 an event is missing',
      'broken link': '哈希链断开 the hash chain is broken',
      'edited event': '事件内容被修改 an event was edited',
      'events after the last stored one are missing': '事件链与链头不符（末尾事件缺失或多出） the chain does not end at the signed head (last events dropped or added)',
    };
    add('events', chain.ok && foreign.length === 0, chain.ok ? (foreign.length ? ['包含其他合同的事件 events of another contract'] : [`${events.length} events, head seq ${head.seq}`]) : [`第 ${chain.atSeq} 个事件 at event ${chain.atSeq}: ${why[chain.why] ?? chain.why}`]);
  }

  // 5. The platform's signature over the head.
  const headSig = files.get(F.chainHeadSignature);
  const leaf = head ? { contractId: head.contractId, head: { seq: head.seq, hash: head.hash } } : undefined;
  if (leaf && headSig) {
    const r = verifyChainHead(leaf, Buffer.from(headSig), trust);
    add('chain-head', r.valid, r.valid ? [`${r.signerName ?? '?'} 签署于 signed at ${r.signingTime ?? '?'}`] : describe(r.failures));
  }

  // 6. The head in the anchored tree, 7. the tree's root in time.
  const proof = parseJson<InclusionProof>(files, F.inclusionProof, []);
  const anchor = parseJson<BundleAnchor>(files, F.anchor, []);
  let anchoredAt: string | undefined;
  if (leaf && proof && anchor) {
    const rootOk = typeof anchor.root === 'string' && /^[0-9a-f]{64}$/.test(anchor.root);
    const ok = rootOk && proof.treeSize === anchor.treeSize && verifyInclusion(leaf, proof, Buffer.from(anchor.root, 'hex'));
    add('inclusion', ok, ok ? [`leaf ${proof.leafIndex + 1} of ${proof.treeSize}, root ${anchor.root}`] : ['链头不在锚定的默克尔树中 the head is not a leaf of the anchored Merkle root']);
  }
  const token = files.get(F.anchorToken);
  if (anchor && token) {
    const root = typeof anchor.root === 'string' && /^[0-9a-f]{64}$/.test(anchor.root) ? Buffer.from(anchor.root, 'hex') : Buffer.alloc(0);
    const r = verifyTimestampToken(Buffer.from(token), root, trust);
    const sameTime = r.report.time !== undefined && r.report.time === anchor.anchoredAt;
    if (r.valid && sameTime) anchoredAt = r.report.time;
    add('anchor-time', r.valid && sameTime, r.valid ? (sameTime ? [`${r.report.time}（${r.report.tsa ?? 'TSA'}）`] : [`锚定时间 ${anchor.anchoredAt} 与时间戳 ${r.report.time} 不符 the anchor's time differs from its token's`]) : describe(r.failures));
  }

  // 8. The final PDF is the one the last document event names, grown from the original.
  const original = files.get(F.originalPdf);
  if (events && finalPdf && original) {
    const named = lastDocumentEvent(events);
    const finalSha = sha256(finalPdf);
    const problems8: string[] = [];
    if (!named) problems8.push('事件中没有记录合同文件的哈希 no event names the document');
    else if ((named.data as { documentSha256: string }).documentSha256 !== finalSha) {
      const earlier = events.some((e) => (e.data as Record<string, unknown> | undefined)?.documentSha256 === finalSha);
      problems8.push(earlier
        ? `合同文件是较早的版本（第 ${events.find((e) => (e.data as Record<string, unknown>).documentSha256 === finalSha)!.seq} 个事件时的文件），不是第 ${named.seq} 个事件记录的最终文件 the PDF is an earlier revision, not the final one event ${named.seq} names`
        : `合同文件的哈希 ${finalSha} 与第 ${named.seq} 个事件记录的不符 the PDF is not the one event ${named.seq} names`);
    }
    if (!(finalPdf.length >= original.length && Buffer.from(finalPdf.subarray(0, original.length)).equals(Buffer.from(original)))) {
      problems8.push('最终文件不是由原始文件增量签署而来 the final PDF does not extend the original');
    }
    add('final-document', problems8.length === 0, problems8.length ? problems8 : [`SHA-256 ${finalSha} = event ${named!.seq}`]);
  }

  return finish({
    ...(head ? { contractId: head.contractId } : {}),
    ...(manifest?.contractNo ? { contractNo: manifest.contractNo } : {}),
    ...(rootFp ? { rootSha256: rootFp } : {}),
    ...(anchoredAt ? { anchoredAt } : {}),
  });
};

/** The report as a person reads it: one line per check, Chinese then English. */
export const formatBundleReport = (r: BundleReport): string => {
  const lines: string[] = [];
  lines.push(`合同 Contract: ${r.contractNo ?? '?'} (${r.contractId ?? '?'})`);
  lines.push(`根证书 Root SHA-256: ${r.rootSha256 ?? '—'}${r.rootFromCaller ? '' : '（取自证据包 taken from the bundle）'}`);
  if (r.anchoredAt) lines.push(`锚定时间 Anchored at (TSA): ${r.anchoredAt}`);
  lines.push('');
  for (const c of r.checks) {
    lines.push(`${c.ok ? '✔ 通过 PASS' : '✘ 失败 FAIL'}  ${c.zh} ${c.en}${c.codes?.length ? `  [${c.codes.join(', ')}]` : ''}`);
    for (const d of c.details) lines.push(`      ${d}`);
  }
  lines.push('');
  const failed = r.checks.filter((c) => !c.ok);
  lines.push(r.valid ? '结论 Verdict: 全部检查通过 — VALID' : `结论 Verdict: 未通过 — INVALID（${failed.map((c) => `${c.zh} ${c.en}`).join('；')}）`);
  return lines.join('\n');
};
