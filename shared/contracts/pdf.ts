/**
 * The contract's PDF through its life (T4, C5, C10, A5): rendered from the template and form once
 * every party's details are in, then signed revision by revision — each signature an incremental
 * update with its own one-time certificate from the platform CA, so every earlier signature stays
 * valid. Only the functions that produce or read PDFs import this module (pdf-lib and the font are
 * heavy); it never changes a contract itself: it returns what the caller commits.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { partyAt, type CertificateSummary, type Contract, type ContractDocument } from '../domain/contract';
import { issueSignerCertificate } from '../documents/ca';
import { validateHandwrittenSignature } from '../documents/handwritten';
import { renderDocument } from '../documents/render';
import { signatureFieldName } from '../documents/model';
import { createPersonalSeal } from '../documents/seal';
import { addLongTermValidation } from '../documents/long-term';
import { signPdf, type StampAppearance } from '../documents/sign';
import type { CertificateInfo } from '../documents/x509';
import { chinaDay } from '../rules/dates';
import type { Deps } from '../ports/operation';
import { kindSpec } from '../kinds/registry';
import { contractModel } from './model';
import { handwrittenKey } from './file-keys';
import { partyCertificate, signingKeys } from './signing-keys';
import { describeProofs, METHOD_LABELS } from '../identity/proof-records';
import type { SigningMethod } from '../identity/signing-methods';

/**
 * Renders the contract as it reads now (preview before signing, T4), whatever its kind: the
 * model comes from the kind's template (contract-model.ts); parties not yet filled in read （待填写）.
 */
export const renderContract = (c: Contract) => renderDocument(contractModel(kindSpec(c.kind), c));

/** The signature field of the party at index `i`: named after its role in the kind, e.g. Sig_landlord (C10). */
const fieldFor = (c: Contract, i: number) => signatureFieldName(c.ownFile ? `signer${i + 1}` : partyAt(c, i).role);

/**
 * An own file's original to sign (U3): the prepared PDF as imported (its hash checked, so what is
 * signed is what was shown), and each signer's area: the signature at their first placed field
 * (page from 1 → index), the same stamp at each of the others.
 */
const ownFileOriginal = async (deps: Deps, c: Contract): Promise<{ bytes: Uint8Array; sha256: string; areas: ContractDocument['areas'] }> => {
  const f = c.ownFile!;
  const bytes = await deps.files.get(f.pdfKey);
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== f.pdfSha256) throw new Error(`own file missing or changed: ${f.pdfKey}`);
  const areas = c.parties.map((_, party) => {
    const [first, ...others] = f.fields.filter((x) => x.party === party);
    const at = (x: typeof first & object) => ({ pageIndex: x.page - 1, rect: { x: x.x, y: x.y, width: x.width, height: x.height } });
    return { party, fieldName: fieldFor(c, party), ...at(first!), ...(others.length ? { alsoAt: others.map(at) } : {}) };
  });
  return { bytes, sha256: f.pdfSha256, areas };
};

export const summarize = (info: CertificateInfo): CertificateSummary => ({
  subject: info.subjectText,
  issuer: info.issuerText,
  serialNumber: info.serialNumberHex,
  validFrom: info.notBefore,
  validTo: info.notAfter,
  fingerprintSha256: info.fingerprintSha256,
});

const appearanceFor = async (deps: Deps, c: Contract, index: number): Promise<StampAppearance> => {
  const party = partyAt(c, index);
  const sig = party.signature;
  if (sig?.type === 'handwritten' && sig.ref) {
    const png = await deps.files.get(handwrittenKey(party.openid!, sig.ref));
    if (!png) throw new AppError('VALIDATION_FAILED', '手写签名不存在，请重新上传', { fields: [{ field: '/signature/ref', rule: 'exists' }] });
    validateHandwrittenSignature(png);
    return { kind: 'png', png };
  }
  return { kind: 'vector', drawing: createPersonalSeal(party.details!.name, sig?.style ?? 'square') };
};

/**
 * The next revision of the PDF with the signature of the party at `index`, from `c` as it will be committed (its
 * party already carries the chosen signature). Renders the original first when there is none.
 * Files are written under keys unique to this revision; if the commit then loses, they are
 * orphans nobody points at.
 */
export const signRevision = async (deps: Deps, c: Contract, index: number, signingTime: Date, opts: { completes?: boolean } = {}): Promise<ContractDocument> => {
  let doc = c.document;
  let current: Uint8Array;
  if (!doc) {
    // The original that gets signed must name both parties: a 待填写 preview is never signed.
    if (c.parties.some((p) => p.details === null)) throw new AppError('INVALID_TRANSITION', '双方信息尚未填写完整');
    if (c.ownFile) {
      const own = await ownFileOriginal(deps, c);
      doc = { originalKey: c.ownFile.pdfKey, originalSha256: own.sha256, currentKey: c.ownFile.pdfKey, currentSha256: own.sha256, areas: own.areas, signatures: [], signedKey: null };
      current = own.bytes;
      return signWith(deps, c, index, signingTime, doc, current, opts);
    }
    const rendered = await renderContract(c);
    const originalKey = `contracts/${c._id}/original-${rendered.sha256.slice(0, 16)}.pdf`;
    await deps.files.put(originalKey, Buffer.from(rendered.bytes), 'application/pdf');
    const areas = rendered.signatureAreas.map((a) => ({
      party: ((i) => (i < 0 ? index : i))(c.parties.findIndex((_, i) => fieldFor(c, i) === a.fieldName)),
      fieldName: a.fieldName, pageIndex: a.pageIndex, rect: a.rect,
    }));
    doc = { originalKey, originalSha256: rendered.sha256, currentKey: originalKey, currentSha256: rendered.sha256, areas, ...(rendered.actsArea ? { actsArea: rendered.actsArea } : {}), signatures: [], signedKey: null };
    current = rendered.bytes;
  } else {
    const bytes = await deps.files.get(doc.currentKey);
    if (!bytes) throw new Error(`contract file missing: ${doc.currentKey}`);
    current = bytes;
  }
  return signWith(deps, c, index, signingTime, doc, current, opts);
};

const signWith = async (deps: Deps, c: Contract, index: number, signingTime: Date, doc: ContractDocument, current: Uint8Array, opts: { completes?: boolean }): Promise<ContractDocument> => {
  const fieldName = fieldFor(c, index);
  const area = doc.areas.find((a) => a.fieldName === fieldName);
  if (!area) throw new Error(`no signature area ${fieldName}`);
  const party = partyAt(c, index);
  const cert = await partyCertificate(deps, party.details!, signingTime);
  const signed = await signPdf(current, {
    fieldName,
    placement: { pageIndex: area.pageIndex, rect: area.rect },
    ...(area.alsoAt ? { alsoAt: area.alsoAt } : {}),
    signer: { certPem: cert.certPem, certDer: cert.certDer, keyPem: cert.privateKey, chainPems: cert.chainPems },
    reason: `${party.details!.name}签署《${c.title}》`,
    signerName: party.details!.name,
    signingTime,
    appearance: await appearanceFor(deps, c, index),
    caption: chinaDay(signingTime),
    // B-T: the TSA's time over the signature; a TSA that fails fails the act (PROVIDER_ERROR/tsa), retryable.
    tsa: deps.tsa,
  });
  const entry = { by: party.side, party: index, fieldName, signedAt: signingTime.toISOString(), certificate: summarize(cert.info) } as const;
  if (!opts.completes) return appendRevision(deps, c._id, doc, signed, entry);
  const done = await completeDocument(deps, signed.bytes, signingTime);
  return appendRevision(deps, c._id, doc, done, { ...entry, longTerm: done.longTerm });
};

/**
 * PAdES B-LTA at completion (E1): a DSS with the chain's certificates and the CRLs the platform CA
 * issues now, then a document timestamp over the whole file. A TSA failure fails the act
 * (PROVIDER_ERROR/tsa, retryable): a final file is never stored without its time.
 */
export const completeDocument = async (deps: Deps, bytes: Uint8Array, at: Date) => {
  const keys = await signingKeys(deps);
  const lt = await addLongTermValidation(bytes, { ca: keys.ca, tsa: deps.tsa, now: at });
  return { bytes: lt.bytes, sha256: lt.sha256, longTerm: { fieldName: lt.fieldName, timestampTime: lt.timestampTime, certificates: lt.dss.certificates, crls: lt.dss.crls } };
};

/** Stores a newly signed revision beside the earlier ones (each stays retrievable) and makes it current. */
const appendRevision = async (
  deps: Deps,
  contractId: string,
  doc: ContractDocument,
  signed: { bytes: Uint8Array; sha256: string },
  signature: Omit<ContractDocument['signatures'][number], 'sha256'>,
): Promise<ContractDocument> => {
  const key = `contracts/${contractId}/rev${doc.signatures.length + 1}-${signed.sha256.slice(0, 16)}.pdf`;
  await deps.files.put(key, Buffer.from(signed.bytes), 'application/pdf');
  return { ...doc, currentKey: key, currentSha256: signed.sha256, signatures: [...doc.signatures, { ...signature, sha256: signed.sha256 }] };
};

/** The platform's own signing identity: it signs status changes it witnessed and evidence reports. */
export const PLATFORM_SIGNER = '电子签平台';

export const platformCertificate = async (deps: Deps, signingTime: Date) => {
  const keys = await signingKeys(deps);
  return issueSignerCertificate(keys.ca, { name: PLATFORM_SIGNER, identifier: 'PLATFORMSIGNINGSERVICE', signingTime });
};

/**
 * What each platform stamp says: the seal's text and the signature's reason. `accepted` is the
 * payer's 确认领取 of a payee-initiated receipt (R2): the receipt is the payee's signed document;
 * the payer does not sign it, the platform witnesses their acceptance in the file itself.
 */
const STATUS_STAMP = {
  rescinded: { seal: '双方解除', reason: () => '合同已解除（双方确认，平台见证）' },
  settled: { seal: '双方结清', reason: () => '借条已结清（双方确认，平台见证）' },
  accepted: { seal: '确认领取', reason: (c: Contract) => `付款人${partyAt(c, 1).details?.name ?? ''}已确认领取（平台见证）` },
} as const;

/** The parties who performed a rescind/settle: the requester (c.pending.by) and the confirmer, each after a face check. */
export interface Acts {
  requestedBy: number;
  requestedAt: string;
  /** The proof the request spent (its faceCheckId: a face check, a password use or a SOTER challenge). */
  requestProof: string;
  confirmedBy: number;
  /** How the confirmer proved it was them in this call. */
  confirmMethod: SigningMethod;
}

const ACT_WORDS = { rescinded: { request: '申请解除', confirm: '确认解除' }, settled: { request: '申请结清', confirm: '确认结清' } } as const;

type Placement = { pageIndex: number; rect: { x: number; y: number; width: number; height: number } } | null;

/**
 * Where an ending's signatures go, inside the band of the original nobody drew in (layout.ts
 * actsArea): the requester's seal, the confirmer's, then the platform's round stamp beside them —
 * never over text. An older rendering without the band is laid out again to find it; an own file
 * (not ours to lay out) gets invisible fields: the signatures are in the file, the page is untouched.
 */
const actsPlacements = async (c: Contract): Promise<{ requester: Placement; confirmer: Placement; platform: Placement }> => {
  const band = c.document!.actsArea ?? (c.ownFile ? undefined : (await renderContract(c)).actsArea);
  if (!band) return { requester: null, confirmer: null, platform: null };
  // As tall as a contract signature box (layout.ts SIGNATURE_BOX): the acts read as signatures, not as a headline.
  const h = Math.min(band.rect.height, 76);
  const y = band.rect.y + band.rect.height - h;
  const seal = { width: Math.min(150, (band.rect.width - h - 24) / 2), height: h };
  const at = (x: number, width: number) => ({ pageIndex: band.pageIndex, rect: { x, y, width, height: h } });
  return {
    requester: at(band.rect.x, seal.width),
    confirmer: at(band.rect.x + seal.width + 12, seal.width),
    platform: at(band.rect.x + 2 * seal.width + 24, h),
  };
};

/** An acceptance sits beside the payee's signature, where the payer's would be (R2). */
const acceptancePlacement = (doc: ContractDocument) => {
  const beside = doc.areas[0]!;
  return { pageIndex: beside.pageIndex, rect: { x: beside.rect.x + 236, y: beside.rect.y, width: beside.rect.height, height: beside.rect.height } };
};

/**
 * One party's signature of their rescind/settle act (issue 15 item 5): their own one-time
 * certificate (their name and irreversible identifier, as on their contract signature), after the
 * face check the act spent — the platform's stamp then witnesses both.
 */
const signAct = async (deps: Deps, c: Contract, bytes: Uint8Array, index: number, step: 'request' | 'confirm', status: keyof typeof ACT_WORDS, at: Date, actAt: Date, placement: Placement, method: SigningMethod) => {
  const party = partyAt(c, index);
  const word = ACT_WORDS[status][step];
  const cert = await partyCertificate(deps, party.details!, at);
  // e.g. Sig_settle_request_borrower: one field per act, named after the ending, the step and the role.
  const fieldName = signatureFieldName(`${status === 'settled' ? 'settle' : 'rescind'}_${step}_${c.ownFile ? `signer${index + 1}` : party.role}`);
  const signed = await signPdf(bytes, {
    fieldName,
    placement,
    signer: { certPem: cert.certPem, certDer: cert.certDer, keyPem: cert.privateKey, chainPems: cert.chainPems },
    reason: `${party.details!.name}${word}《${c.title}》（经${METHOD_LABELS[method]}${method === 'face' ? '' : '验证'}）`,
    signerName: party.details!.name,
    signingTime: at,
    // The seal in the style the party signed the contract with (a handwritten signer's acts carry the seal).
    appearance: { kind: 'vector', drawing: createPersonalSeal(party.details!.name, party.signature?.style ?? 'square') },
    caption: `${word} ${chinaDay(actAt)}`,
    tsa: deps.tsa,
  });
  return { signed, entry: { by: party.side, party: index, fieldName, signedAt: at.toISOString(), certificate: summarize(cert.info) } as const };
};

/**
 * A rescinded or settled contract (C6, I9), or a receipt its payer accepted (R2), gets a revision
 * signed by the platform with a round status stamp: the parties' signatures stay valid, and the
 * file itself now says what happened to it (C8 sends the file matching the state).
 */
export const stampStatus = async (deps: Deps, c: Contract, status: keyof typeof STATUS_STAMP, at: Date, acts?: Acts): Promise<ContractDocument> => {
  let doc = c.document;
  if (!doc) throw new Error('a contract without a signed document cannot be stamped');
  let bytes: Uint8Array | null = await deps.files.get(doc.currentKey);
  if (!bytes) throw new Error(`contract file missing: ${doc.currentKey}`);
  let placement: Placement = status === 'accepted' ? acceptancePlacement(doc) : null;
  if (status !== 'accepted') {
    // An ending the parties performed carries their own signatures, requester first (item 5).
    if (!acts) throw new Error(`a ${status} revision needs the parties' acts`);
    const where = await actsPlacements(c);
    // Each signature says how its party proved it was them (V2): a face check, the signing password, SOTER.
    const requestMethod = (await describeProofs(deps, [acts.requestProof])).get(acts.requestProof)?.method ?? 'face';
    for (const [index, step, place, actAt, method] of [
      [acts.requestedBy, 'request', where.requester, new Date(acts.requestedAt), requestMethod],
      [acts.confirmedBy, 'confirm', where.confirmer, at, acts.confirmMethod],
    ] as const) {
      const { signed: partySigned, entry } = await signAct(deps, c, bytes, index, step, status, at, actAt, place, method);
      doc = await appendRevision(deps, c._id, doc, partySigned, entry);
      bytes = partySigned.bytes;
    }
    placement = where.platform;
  }
  const cert = await platformCertificate(deps, at);
  const fieldName = `Sig_platform_${status}`;
  const signed = await signPdf(bytes, {
    fieldName,
    placement,
    signer: { certPem: cert.certPem, certDer: cert.certDer, keyPem: cert.privateKey, chainPems: cert.chainPems },
    reason: STATUS_STAMP[status].reason(c),
    signerName: PLATFORM_SIGNER,
    signingTime: at,
    appearance: { kind: 'vector', drawing: createPersonalSeal(STATUS_STAMP[status].seal, 'round') },
    caption: chinaDay(at),
    tsa: deps.tsa,
  });
  // Every stamp ends a life (已生效 by acceptance, 已结清, 已解除): the file is completed for the long term.
  const done = await completeDocument(deps, signed.bytes, at);
  return appendRevision(deps, c._id, doc, done, { by: 'platform', party: null, fieldName, signedAt: at.toISOString(), certificate: summarize(cert.info), longTerm: done.longTerm });
};
