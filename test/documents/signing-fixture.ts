import { deriveSignerIdentifier, generatePlatformCa, loadPlatformCa, issueSignerCertificate, PlatformCa, PlatformCaPems } from '../../shared/documents/ca';
import { renderIou } from '../../shared/documents/iou-document';
import type { RenderedDocument } from '../../shared/documents/render';
import { createPersonalSeal } from '../../shared/documents/seal';
import { signPdf, SignOptions, StampAppearance } from '../../shared/documents/sign';
import { sampleIou } from './fixtures';
import { handwrittenPng } from './png';

export interface TestCa {
  pems: PlatformCaPems;
  ca: PlatformCa;
}

export const newCa = (): TestCa => {
  const pems = generatePlatformCa();
  return { pems, ca: loadPlatformCa(pems) };
};

export const signAs = async (
  bytes: Uint8Array,
  rendered: RenderedDocument,
  ca: PlatformCa,
  who: { fieldName: string; name: string; idNumber: string; signingTime: Date; appearance: StampAppearance },
  extra: Partial<SignOptions> = {},
) => {
  const area = rendered.signatureAreas.find((a) => a.fieldName === who.fieldName);
  if (!area) throw new Error(`no area ${who.fieldName}`);
  const cert = await issueSignerCertificate(ca, {
    name: who.name,
    identifier: deriveSignerIdentifier('test-platform-secret', who.idNumber),
    signingTime: who.signingTime,
  });
  return signPdf(bytes, {
    fieldName: who.fieldName,
    placement: area,
    signer: { certPem: cert.certPem, keyPem: cert.keyPem, chainPems: cert.chainPems },
    reason: `${area.role}签署借条`,
    location: '中国',
    signerName: who.name,
    signingTime: who.signingTime,
    appearance: who.appearance,
    caption: `${who.name} ${who.signingTime.toISOString().slice(0, 10)}`,
    ...extra,
  });
};

export const LENDER = { fieldName: 'Sig_lender', name: '张三', idNumber: '11010519491231002X' };
export const BORROWER = { fieldName: 'Sig_borrower', name: '李小明', idNumber: '310101199001011234' };

/**
 * Render the sample IOU, then the lender stamps a seal and the borrower a handwritten signature.
 * `extra` goes to both signatures (e.g. `{ tsa }` for PAdES B-T).
 */
export const twoSignerIou = async (ca: PlatformCa, extra: Partial<SignOptions> = {}) => {
  const rendered = await renderIou(sampleIou());
  const t0 = new Date();
  const lender = await signAs(rendered.bytes, rendered, ca, {
    ...LENDER,
    signingTime: t0,
    appearance: { kind: 'vector', drawing: createPersonalSeal(LENDER.name) },
  }, extra);
  const borrower = await signAs(lender.bytes, rendered, ca, {
    ...BORROWER,
    signingTime: new Date(t0.getTime() + 60_000),
    appearance: { kind: 'png', png: handwrittenPng() },
  }, extra);
  return { rendered, lender, borrower };
};
