/**
 * Assembling and producing the evidence report (C9): the contract's events (chain verified), face
 * checks, certificates and file hashes, rendered and signed by the platform.
 */
import { partyAt, partyIndexOf, type Contract } from '../domain/contract';
import { verifyChain, type ContractEvent } from '../domain/events';
import { buildEvidenceReport, REPORT_SIGNATURE_FIELD, type EvidenceReportData } from '../documents/evidence-report';
import { renderDocument } from '../documents/render';
import { createPersonalSeal } from '../documents/seal';
import { signPdf } from '../documents/sign';
import { maskIdNumber } from '../rules/id-number';
import { maskPhone } from '../rules/phone';
import { chinaDay } from '../rules/dates';
import { formatYuan } from '../rules/money';
import { isIou, ledgerOf, loadLedgerRecords } from '../repayments/records';
import { ledgerView } from '../repayments/views';
import type { Deps } from '../ports/operation';
import { EVENTS } from '../contracts/repository';
// Types only from face-checks.ts: the report reads face checks, it never starts one (no face port in its bundles).
import type { FaceCheck, FacePurpose } from '../identity/face-checks';
import { getUser } from '../identity/users';
import { signingKeys } from '../contracts/signing-keys';
import { fingerprintHex } from '../documents/x509';
import { describeProofs, FACE_CHECKS, METHOD_LABELS } from '../identity/proof-records';
import { PLATFORM_SIGNER, platformCertificate } from '../contracts/pdf';
// The timeline's words for each event: the report and the mini-program name an act alike.
import { EVENT_LABELS, STATE_LABELS } from '../contracts/views';
import { anchorOfHead } from './anchors';
import { kindSpec } from '../kinds/registry';

/** 'YYYY-MM-DD HH:mm:ss +08:00': Asia/Shanghai (UTC+8, no DST), the offset always written so no time in the report reads as UTC. */
export const chinaDateTime = (iso: string): string => `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19)} +08:00`;

/** What each face check was for, in the product's words. */
const PURPOSE_LABELS: Record<FacePurpose, string> = {
  realname: '实名认证', account: '账户变更', sign: '签署', accept: '确认领取', rescind_request: '申请解除', rescind_confirm: '确认解除',
  settle_request: '申请结清', settle_confirm: '确认结清', repayment_confirm: '确认还款', extension_propose: '申请展期', extension_sign: '签署展期协议', rename: '更名', signing_method: '设置签署验证方式',
};

/**
 * The time anchor of the contract's chain head (E2/E3): when the head went into a Merkle tree whose
 * root the TSA timestamped (evidence/anchors.ts); null until the anchoring timer has covered it —
 * the report then says 待锚定 (anchor: pending).
 */
export const chainAnchor = async (deps: Deps, c: Contract): Promise<{ anchoredAt: string; merkleRoot: string } | null> => {
  const a = await anchorOfHead(deps, c._id, c.eventHead.seq);
  return a ? { anchoredAt: a.anchor.anchoredAt, merkleRoot: a.anchor.root } : null;
};

export const loadEvents = (deps: Deps, contractId: string) =>
  deps.store.find<ContractEvent>(EVENTS, { contractId }, { orderBy: [['seq', 'asc']], limit: 1000 });

export const evidenceData = async (deps: Deps, c: Contract, reportNo: string): Promise<EvidenceReportData> => {
  const events = await loadEvents(deps, c._id);
  // An event names its actor by side and openid; the openid finds the party among any number of them.
  const who = (actor: { role: string; openid: string | null }) => {
    if (actor.role === 'system') return '系统';
    const i = actor.openid === null ? null : partyIndexOf(c, actor.openid);
    const p = i !== null ? partyAt(c, i) : c.parties.find((x) => x.side === actor.role);
    return `${p?.details?.name ?? ''}`;
  };
  // Every face check the events name, read at once rather than one round trip after another.
  const checkIds = [...new Set(events.flatMap((e) => (e.faceCheckId ? [e.faceCheckId] : [])))];
  const found = await Promise.all(checkIds.map((id) => deps.store.get<FaceCheck>(FACE_CHECKS, id)));
  const checks = new Map(found.filter((f): f is FaceCheck => f !== null).map((f) => [f._id, f]));
  // The parties' real-name checks (实名认证): the face check that proved who each of them is.
  const users = await Promise.all(c.parties.map((p) => (p.openid ? getUser(deps, p.openid) : Promise.resolve(null))));
  const realnameIds = users.map((u) => u?.realName?.faceCheckId).filter((id): id is string => !!id && !checks.has(id));
  for (const f of await Promise.all(realnameIds.map((id) => deps.store.get<FaceCheck>(FACE_CHECKS, id)))) if (f) checks.set(f._id, f);
  // Proofs of person that are not face checks (signing password, SOTER, V2): their method and result.
  const proofIds = [...events.flatMap((e) => (e.faceCheckId ? [e.faceCheckId] : [])), ...c.parties.flatMap((p) => (p.signature?.faceCheckId ? [p.signature.faceCheckId] : []))];
  const proofs = await describeProofs(deps, [...new Set(proofIds)].filter((id) => !checks.has(id)));
  // How a party proved it was them when signing (签署验证方式), for the certificate rows.
  const methodOf = (party: number | null) => {
    const id = party === null ? undefined : c.parties[party]?.signature?.faceCheckId;
    const m = id ? (checks.has(id) ? 'face' : proofs.get(id)?.method) : undefined;
    return m ? { method: METHOD_LABELS[m] } : {};
  };
  const doc = c.document!;
  const keys = await signingKeys(deps);
  const anchor = await chainAnchor(deps, c);
  const nameOf = (openid: string) => {
    const i = partyIndexOf(c, openid);
    return i === null ? '' : partyAt(c, i).details?.name ?? '';
  };
  const identityChecks = [...checks.values()]
    .map((f) => ({
      sortAt: f.usedAt ?? f.createdAt,
      person: nameOf(f.openid),
      method: '人脸核身',
      purpose: Object.hasOwn(PURPOSE_LABELS, f.purpose) ? PURPOSE_LABELS[f.purpose] : f.purpose,
      // The provider's reference in full: the one key a court's request to the provider needs.
      reference: f._id,
      at: chinaDateTime(f.usedAt ?? f.createdAt),
      result: f.result?.errCode === 0 ? '通过' : f.result ? `未通过（${f.result.errCode ?? '—'}）` : '未完成',
    }))
    .concat(events.flatMap((e) => {
      const proof = e.faceCheckId ? proofs.get(e.faceCheckId) : undefined;
      return proof ? [{ sortAt: e.at, person: who(e.actor), method: METHOD_LABELS[proof.method], purpose: EVENT_LABELS[e.type] ?? e.type, reference: e.faceCheckId!, at: chinaDateTime(e.at), result: proof.passed ? '通过' : '未通过' }] : [];
    }))
    .sort((a, b) => a.sortAt.localeCompare(b.sortAt))
    .map(({ sortAt: _, ...row }) => row);
  return {
    reportNo,
    contractNo: c.contractNo,
    contractTitle: c.title,
    stateLabel: STATE_LABELS[c.state],
    generatedAt: chinaDateTime(deps.clock.now().toISOString()),
    identityChecks,
    rootFingerprint: fingerprintHex(keys.ca.rootDer).toUpperCase().match(/../g)!.join(':'),
    chainHead: { seq: c.eventHead.seq, hash: c.eventHead.hash, anchoredAt: anchor ? chinaDateTime(anchor.anchoredAt) : null, merkleRoot: anchor?.merkleRoot ?? null },
    parties: c.parties.map((p) => ({
      // The kind's own Chinese role name (出租人/承租人, 收款人…), never the template's key.
      role: kindSpec(c.kind).roleLabels[p.role] ?? p.role,
      name: p.details?.name ?? '',
      maskedIdNumber: p.details ? maskIdNumber(p.details.idNumber) : '',
      maskedPhone: p.details ? maskPhone(p.details.phone) : '',
      signedAt: p.signature ? chinaDateTime(p.signature.at) : '未签署',
    })),
    // An own file's hash is of the file as uploaded (before it was rendered into the signed PDF), when the contract records one.
    originalSha256: (c as Contract & { ownFile?: { originalSha256?: string } }).ownFile?.originalSha256 ?? doc.originalSha256,
    finalSha256: doc.currentSha256,
    events: events.map((e) => {
      const f = e.faceCheckId ? checks.get(e.faceCheckId) : undefined;
      const p = e.faceCheckId ? proofs.get(e.faceCheckId) : undefined;
      return {
        seq: e.seq, at: chinaDateTime(e.at), actor: who(e.actor), action: EVENT_LABELS[e.type] ?? e.type, hash: e.hash,
        // The full reference is in the identity-check section; the row says which check it was.
        identityCheck: f
          ? `人脸核身${f.result?.errCode === 0 ? '通过' : '未通过'}（见身份核验记录第 ${identityChecks.findIndex((x) => x.reference === f._id) + 1} 条）`
          : p
            ? `${METHOD_LABELS[p.method]}验证${p.passed ? '通过' : '未通过'}（见身份核验记录第 ${identityChecks.findIndex((x) => x.reference === e.faceCheckId) + 1} 条）`
            : '—',
      };
    }),
    certificates: doc.signatures.map((s) => ({
      signer: s.party === null ? PLATFORM_SIGNER : partyAt(c, s.party).details?.name ?? '',
      subject: s.certificate.subject, issuer: s.certificate.issuer, serial: s.certificate.serialNumber,
      validity: `${chinaDateTime(s.certificate.validFrom)} 至 ${chinaDateTime(s.certificate.validTo)}`, fingerprint: s.certificate.fingerprintSha256, signedAt: chinaDateTime(s.signedAt),
      ...methodOf(s.party),
    })),
    chainIntact: verifyChain(events, c.eventHead).ok,
    platformName: '电子签',
    ...(await ledgerSection(deps, c)),
  };
};

/** L1–L4: an IOU that came into force reports its ledger as of today, the demand notices with their delivery. */
const ledgerSection = async (deps: Deps, c: Contract): Promise<Pick<EvidenceReportData, 'ledger'>> => {
  if (!isIou(c) || !c.completedAt) return {};
  const records = await loadLedgerRecords(deps, c._id);
  const ledger = ledgerView(c, ledgerOf(deps, c, records, chinaDay(deps.clock.now())), records);
  const yuan = (fen: number) => `¥${formatYuan(fen)}`;
  return {
    ledger: {
      asOf: ledger.asOf,
      totalOutstanding: yuan(ledger.totalOutstandingFen),
      repayments: ledger.repayments.map((r) => ({ paidOn: r.paidOn, amount: yuan(r.amountFen), channel: r.channelLabel, status: r.statusLabel })),
      extensions: ledger.extensions.map((e) => ({ proposedOn: e.proposedOn, plan: e.plan.map((p) => `${p.dueDate} ${yuan(p.principalFen)}`).join('；'), status: e.statusLabel, sha256: e.documentSha256 })),
      demands: ledger.demands.map((d) => ({ sentOn: d.sentOn, overdue: yuan(d.overdueFen), delivery: d.deliveryLabel })),
      limitationEndsOn: ledger.limitation.endsOn,
      ...(c.settlementCertificate ? { settlementCertificateSha256: c.settlementCertificate.sha256 } : {}),
    },
  };
};

/** Renders the report and signs it as the platform. */
export const produceEvidenceReport = async (deps: Deps, data: EvidenceReportData): Promise<{ bytes: Buffer; sha256: string }> => {
  const rendered = await renderDocument(buildEvidenceReport(data));
  const area = rendered.signatureAreas.find((a) => a.fieldName === REPORT_SIGNATURE_FIELD)!;
  const at = deps.clock.now();
  const cert = await platformCertificate(deps, at);
  const signed = await signPdf(rendered.bytes, {
    fieldName: REPORT_SIGNATURE_FIELD,
    placement: { pageIndex: area.pageIndex, rect: area.rect },
    signer: { certPem: cert.certPem, keyPem: cert.keyPem, chainPems: cert.chainPems },
    reason: `出具签署报告 ${data.reportNo}`,
    signerName: PLATFORM_SIGNER,
    signingTime: at,
    appearance: { kind: 'vector', drawing: createPersonalSeal('签署报告', 'round') },
    tsa: deps.tsa,
  });
  return { bytes: Buffer.from(signed.bytes), sha256: signed.sha256 };
};
