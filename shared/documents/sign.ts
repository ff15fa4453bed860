/**
 * PDF digital signatures as incremental updates (PAdES-style, ISO 32000-1 §12.8).
 *
 * signPdf returns the input bytes UNCHANGED followed by one appended update holding: the
 * signature field (a merged field/widget named after the party, e.g. 'Sig_lender') with the
 * visible stamp as its appearance stream, the /Sig dictionary, the page's updated /Annots, the
 * AcroForm, a classic xref section and a trailer whose /Prev points at the previous one.
 * Because earlier bytes are never rewritten, every earlier signature stays valid; re-saving the
 * whole file would break them ("Digest Mismatch").
 *
 * The update is serialised by @cantoo/pdf-lib's incremental writer (load with
 * forIncrementalUpdate, save with a classic xref so the /Sig dictionary is never packed into an
 * object stream, where byte offsets would be meaningless). The /ByteRange and /Contents
 * placeholders are then patched in place: ByteRange covers the whole file except the /Contents
 * hex string, which receives the CMS SignedData (cms.ts) over those ranges.
 */
import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFString,
} from '@cantoo/pdf-lib';
import { buildCmsSignedData } from './cms';
import type { Rect } from './model';
import { textOutline, toPdfOperators, VectorDrawing } from './vector';
import { pemToDer } from './x509';

export type StampAppearance =
  /** A seal (seal.ts) or any other vector drawing. */
  | { kind: 'vector'; drawing: VectorDrawing }
  /** A handwritten signature PNG, already checked by validateHandwrittenSignature. */
  | { kind: 'png'; png: Uint8Array };

export interface SignerMaterial {
  certPem: string;
  /** PKCS#8 PEM of the one-time signing key (or the KeyObject itself). */
  keyPem: string | KeyObject;
  /** Issuing CA then root. */
  chainPems: readonly string[];
}

export interface SignOptions {
  /** Unique per signer, e.g. 'Sig_lender'. */
  fieldName: string;
  /** Where to stamp: from RenderedDocument.signatureAreas. */
  placement: { pageIndex: number; rect: Rect };
  signer: SignerMaterial;
  /** e.g. '出借人签署借条'. */
  reason: string;
  location?: string;
  /** Shown as /Name (the signer's name) — validators prefer the certificate's CN anyway. */
  signerName?: string;
  signingTime: Date;
  appearance: StampAppearance;
  /** A short line printed under the stamp, e.g. '2024-05-01 10:20'. */
  caption?: string;
  /**
   * adbe.pkcs7.detached (default: what pdfsig, Acrobat and most validators expect) or
   * ETSI.CAdES.detached (PAdES baseline; the signing time then lives only in /M).
   */
  subFilter?: 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';
}

export interface SignResult {
  bytes: Uint8Array;
  byteRange: [number, number, number, number];
  /** SHA-256 hex of the whole signed file. */
  sha256: string;
}

const BYTE_RANGE_PLACEHOLDER = '**********';
const SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY = 3;
/** Annotation flags: Print (4) + Locked (128) — printed, and viewers do not let users move it. */
const WIDGET_FLAGS = 132;

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** PDF text string: plain when ASCII, else UTF-16BE with BOM (what PDFHexString.fromText writes). */
const textString = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? PDFString.of(s) : PDFHexString.fromText(s));

/** Signature fields already in the document, by partial name, walking Kids. */
const existingFieldNames = (doc: PDFDocument, fields: PDFArray): Set<string> => {
  const names = new Set<string>();
  const walk = (arr: PDFArray, depth: number) => {
    if (depth > 20) return;
    for (let i = 0; i < arr.size(); i++) {
      const f = doc.context.lookup(arr.get(i));
      if (!(f instanceof PDFDict)) continue;
      const t = f.lookup(PDFName.of('T'));
      if (t instanceof PDFString || t instanceof PDFHexString) names.add(t.decodeText());
      const kids = f.lookup(PDFName.of('Kids'));
      if (kids instanceof PDFArray) walk(kids, depth + 1);
    }
  };
  walk(fields, 0);
  return names;
};

const fitInto = (w: number, h: number, box: { x: number; y: number; w: number; h: number }) => {
  const scale = Math.min(box.w / w, box.h / h);
  return { scale, x: box.x + (box.w - w * scale) / 2, y: box.y + (box.h - h * scale) / 2 };
};

/** Appearance stream content and resources for the stamp inside a w × h box. */
const buildAppearance = async (doc: PDFDocument, opts: SignOptions, w: number, h: number) => {
  const captionSize = opts.caption ? Math.min(8, h * 0.14) : 0;
  const captionBand = opts.caption ? captionSize * 1.6 : 0;
  const pad = 2;
  const stampBox = { x: pad, y: captionBand + pad, w: w - 2 * pad, h: h - captionBand - 2 * pad };
  const ops: string[] = ['/GS0 gs'];
  const resources = doc.context.obj({
    // Multiply lets the text under a seal show through, as ink on paper would.
    ExtGState: { GS0: { Type: 'ExtGState', BM: 'Multiply' } },
  });
  if (opts.appearance.kind === 'vector') {
    const d = opts.appearance.drawing;
    ops.push(toPdfOperators(d, fitInto(d.width, d.height, stampBox)));
  } else {
    const image = await doc.embedPng(opts.appearance.png);
    const at = fitInto(image.width, image.height, stampBox);
    ops.push(`q ${(image.width * at.scale).toFixed(2)} 0 0 ${(image.height * at.scale).toFixed(2)} ${at.x.toFixed(2)} ${at.y.toFixed(2)} cm /Im0 Do Q`);
    resources.set(PDFName.of('XObject'), doc.context.obj({ Im0: image.ref }));
  }
  if (opts.caption) {
    const probe = textOutline('regular', opts.caption, 0, 0, captionSize);
    const size = probe.width > w - 2 * pad ? (captionSize * (w - 2 * pad)) / probe.width : captionSize;
    const line = textOutline('regular', opts.caption, 0, 0, size);
    const x = (w - line.width) / 2;
    ops.push(
      toPdfOperators(
        { width: w, height: h, color: [0.25, 0.25, 0.25], shapes: [{ path: line.path, paint: 'fill' }] },
        { x, y: captionBand * 0.3, scale: 1 },
      ),
    );
  }
  return { content: ops.join('\n'), resources };
};

export const signPdf = async (pdfBytes: Uint8Array, opts: SignOptions): Promise<SignResult> => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(opts.fieldName)) throw new Error(`bad signature field name "${opts.fieldName}"`);
  const certDer = pemToDer(opts.signer.certPem);
  const chainDers = opts.signer.chainPems.map(pemToDer);
  const key = typeof opts.signer.keyPem === 'string' ? createPrivateKey(opts.signer.keyPem) : opts.signer.keyPem;
  // A mismatched pair would produce a signature no validator accepts; fail before writing it.
  if (!new X509Certificate(certDer).checkPrivateKey(key)) throw new Error('signing key does not match the certificate');

  const doc = await PDFDocument.load(pdfBytes, { forIncrementalUpdate: true, updateMetadata: false });
  const ctx = doc.context;
  const snapshot = ctx.snapshot;
  if (!snapshot) throw new Error('pdf-lib did not open the document for incremental update');
  const page = doc.getPage(opts.placement.pageIndex);
  const { rect } = opts.placement;
  const box = page.getMediaBox();
  if (
    !(rect.width > 0 && rect.height > 0) ||
    rect.x < box.x ||
    rect.y < box.y ||
    rect.x + rect.width > box.x + box.width ||
    rect.y + rect.height > box.y + box.height
  ) {
    throw new Error('signature rectangle is not inside the page');
  }

  // AcroForm (create, or update the existing one in this revision).
  const catalogRef = ctx.trailerInfo.Root as PDFRef;
  const acroFormEntry = doc.catalog.get(PDFName.of('AcroForm'));
  let acroForm: PDFDict;
  if (acroFormEntry instanceof PDFRef) {
    acroForm = ctx.lookup(acroFormEntry, PDFDict);
    snapshot.markRefForSave(acroFormEntry);
  } else if (acroFormEntry instanceof PDFDict) {
    acroForm = acroFormEntry;
    snapshot.markRefForSave(catalogRef);
  } else {
    acroForm = ctx.obj({ Fields: [] });
    doc.catalog.set(PDFName.of('AcroForm'), ctx.register(acroForm));
    snapshot.markRefForSave(catalogRef);
  }
  let fieldsEntry = acroForm.get(PDFName.of('Fields'));
  if (!fieldsEntry) {
    fieldsEntry = ctx.obj([]);
    acroForm.set(PDFName.of('Fields'), fieldsEntry);
  }
  const fields = ctx.lookup(fieldsEntry, PDFArray);
  if (fieldsEntry instanceof PDFRef) snapshot.markRefForSave(fieldsEntry);
  if (existingFieldNames(doc, fields).has(opts.fieldName)) {
    throw new Error(`signature field "${opts.fieldName}" already exists in this document`);
  }
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY));

  // Appearance: the stamp as a form XObject sized to the signature rectangle.
  const { content, resources } = await buildAppearance(doc, opts, rect.width, rect.height);
  const appearance = ctx.flateStream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, rect.width, rect.height],
    Resources: resources,
  });
  const appearanceRef = ctx.register(appearance);

  // Signature dictionary with fixed-width placeholders patched after serialisation.
  const contentsBytes = estimateContentsSize(certDer, chainDers);
  const subFilter = opts.subFilter ?? 'adbe.pkcs7.detached';
  const sigDict = ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: subFilter,
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER].map((v) =>
      typeof v === 'number' ? PDFNumber.of(v) : PDFName.of(v),
    ),
    Contents: PDFHexString.of('0'.repeat(contentsBytes * 2)),
    M: PDFString.fromDate(opts.signingTime),
    Reason: textString(opts.reason),
    ...(opts.location ? { Location: textString(opts.location) } : {}),
    ...(opts.signerName ? { Name: textString(opts.signerName) } : {}),
    Prop_Build: { App: { Name: 'esign-personal-backend' } },
  });
  const sigRef = ctx.register(sigDict);

  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(opts.fieldName),
    ...(opts.signerName ? { TU: textString(opts.signerName) } : {}),
    V: sigRef,
    Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
    F: WIDGET_FLAGS,
    P: page.ref,
    AP: { N: appearanceRef },
  });
  const widgetRef = ctx.register(widget);
  fields.push(widgetRef);

  const annotsEntry = page.node.get(PDFName.of('Annots'));
  if (annotsEntry instanceof PDFRef) {
    ctx.lookup(annotsEntry, PDFArray).push(widgetRef);
    snapshot.markRefForSave(annotsEntry);
  } else if (annotsEntry instanceof PDFArray) {
    annotsEntry.push(widgetRef);
    snapshot.markRefForSave(page.ref);
  } else {
    page.node.set(PDFName.of('Annots'), ctx.obj([widgetRef]));
    snapshot.markRefForSave(page.ref);
  }

  const out = Buffer.from(await doc.save({ useObjectStreams: false }));
  if (!out.subarray(0, pdfBytes.length).equals(Buffer.from(pdfBytes))) {
    throw new Error('incremental save altered the original bytes');
  }

  // Locate the placeholders inside the appended update only.
  const text = latin1(out);
  const brNeedle = `/ByteRange [ 0 /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} ]`;
  let brAt = text.indexOf(brNeedle, pdfBytes.length);
  let brLength = brNeedle.length;
  if (brAt < 0) {
    const compact = `/ByteRange [0 /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER}]`;
    brAt = text.indexOf(compact, pdfBytes.length);
    brLength = compact.length;
  }
  const contentsNeedle = `/Contents <${'0'.repeat(contentsBytes * 2)}>`;
  const contentsAt = text.indexOf(contentsNeedle, pdfBytes.length);
  if (brAt < 0 || contentsAt < 0) throw new Error('signature placeholders not found in the update');
  const gapStart = contentsAt + '/Contents '.length;
  const gapEnd = contentsAt + contentsNeedle.length;
  const byteRange: [number, number, number, number] = [0, gapStart, gapEnd, out.length - gapEnd];
  const brValue = `/ByteRange [${byteRange.join(' ')}]`;
  if (brValue.length > brLength) throw new Error('ByteRange does not fit its placeholder');
  out.write(brValue.padEnd(brLength, ' '), brAt, 'latin1');

  const digest = createHash('sha256')
    .update(out.subarray(0, gapStart))
    .update(out.subarray(gapEnd))
    .digest();
  const cms = buildCmsSignedData({
    contentDigest: digest,
    signerCertDer: certDer,
    chainDers,
    privateKey: key,
    signingTime: opts.signingTime,
    includeSigningTime: subFilter === 'adbe.pkcs7.detached',
  });
  if (cms.length > contentsBytes) throw new Error(`CMS signature (${cms.length} B) exceeds reserved space (${contentsBytes} B)`);
  out.write(cms.toString('hex').toUpperCase(), gapStart + 1, 'latin1');

  return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.length), byteRange, sha256: createHash('sha256').update(out).digest('hex') };
};

/**
 * Space reserved for the CMS: the certificates plus room for attributes and the signature,
 * rounded up. Reserving only what is needed keeps each signature's update small (a fixed 8 KB
 * would add 16 KB of hex zeros per signer).
 */
const estimateContentsSize = (certDer: Buffer, chainDers: readonly Buffer[]): number => {
  const certs = certDer.length + chainDers.reduce((s, c) => s + c.length, 0);
  return Math.ceil((certs * 1.05 + 1536) / 256) * 256;
};
