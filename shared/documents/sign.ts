/**
 * PDF digital signatures as incremental updates (PAdES baseline, ETSI EN 319 142-1; ISO 32000-1
 * §12.8): party signatures (ETSI.CAdES.detached, with a signature timestamp from the TSA when one
 * is given — B-T) and document timestamps (ETSI.RFC3161, /Type /DocTimeStamp — the last step of
 * B-LTA, see long-term.ts).
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
 *
 * PAdES (ETSI EN 319 142-1 §5.1, 6.3): the signed attributes are contentType, messageDigest and
 * ESS signingCertificateV2 — no signingTime (the claimed time is /M; the trusted one is the
 * signature timestamp, an unsigned id-aa-signatureTimeStampToken attribute holding an RFC 3161
 * token over the SignerInfo's signature value). A TSA that fails makes signPdf throw its
 * TsaFailure: the signature is never written without the timestamp it was asked to carry.
 *
 * May import: ./cms, ./model, ./oids, ./vector, ./x509, ports/tsa (types), @cantoo/pdf-lib.
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
import { deflateRecurring } from './native-deflate'; // also: pdf-lib's stream compression on node:zlib
import { addUnsignedAttribute, buildCmsSignedData, parseCmsSignedData } from './cms';
import type { Rect } from './model';
import { OID } from './oids';
import { parseTimestampToken } from './timestamp';
import type { TimestampAuthority } from '../ports/tsa';
import { textOutline, toPdfOperators, VectorDrawing } from './vector';
import { pemToDer } from './x509';

export type StampAppearance =
  /** A seal (seal.ts) or any other vector drawing. */
  | { kind: 'vector'; drawing: VectorDrawing }
  /** A handwritten signature PNG, already checked by validateHandwrittenSignature. */
  | { kind: 'png'; png: Uint8Array };

export interface SignerMaterial {
  certPem: string;
  /** The same certificate as DER, when the caller has it (an issued SignerCertificate's certDer): not decoded again. */
  certDer?: Buffer;
  /** PKCS#8 PEM of the one-time signing key (or the KeyObject itself). */
  keyPem: string | KeyObject;
  /** Issuing CA then root. */
  chainPems: readonly string[];
}

export interface SignOptions {
  /** Unique per signer, e.g. 'Sig_lender'. */
  fieldName: string;
  /** Where to stamp: from RenderedDocument.signatureAreas; null for an invisible field (no place free of text is known). */
  placement: { pageIndex: number; rect: Rect } | null;
  /**
   * Further places for the same stamp (an own file's signer with several fields, U3): each a locked,
   * printed stamp annotation in the same incremental update, so the signature covers them too.
   */
  alsoAt?: ReadonlyArray<{ pageIndex: number; rect: Rect }>;
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
   * ETSI.CAdES.detached (default: PAdES baseline, no signingTime attribute; the claimed time is
   * /M) or adbe.pkcs7.detached (the legacy form, signingTime in the CMS) for relying parties that
   * need it.
   */
  subFilter?: 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';
  /**
   * The TSA to stamp the signature value (PAdES B-T). Without it the signature is B-B: its time
   * rests on our clock only. Contract signatures always pass one.
   */
  tsa?: TimestampAuthority;
}

export interface SignResult {
  bytes: Uint8Array;
  byteRange: [number, number, number, number];
  /** SHA-256 hex of the whole signed file. */
  sha256: string;
  /** genTime of the signature timestamp (ISO), when a TSA stamped it. */
  timestampTime?: string;
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
const buildAppearance = async (doc: PDFDocument, opts: Pick<SignOptions, 'caption' | 'appearance'>, w: number, h: number) => {
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

/** The /Contents reserved was too small for what the signer produced: retry with `needed`. */
class ContentsTooSmall extends Error {
  constructor(readonly needed: number) {
    super(`signature needs ${needed} bytes`);
  }
}

interface FieldSpec {
  fieldName: string;
  /** A visible stamp; absent for an invisible field (document timestamps). */
  visible?: { placement: { pageIndex: number; rect: Rect }; alsoAt?: ReadonlyArray<{ pageIndex: number; rect: Rect }>; caption?: string; appearance: StampAppearance; tooltip?: string };
  /** The signature dictionary's entries besides /ByteRange and /Contents. */
  entries: Record<string, unknown>;
}

/**
 * Appends one signature field as an incremental update, reserving `contentsBytes` for /Contents,
 * and fills it with what `produce` returns for the digest (SHA-256) of the signed ranges.
 */
const appendSignatureField = async (
  pdfBytes: Uint8Array,
  spec: FieldSpec,
  contentsBytes: number,
  produce: (digest: Buffer) => Promise<Buffer>,
): Promise<{ bytes: Buffer; byteRange: [number, number, number, number]; sha256: string }> => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(spec.fieldName)) throw new Error(`bad signature field name "${spec.fieldName}"`);
  const doc = await PDFDocument.load(pdfBytes, { forIncrementalUpdate: true, updateMetadata: false });
  const ctx = doc.context;
  const snapshot = ctx.snapshot;
  if (!snapshot) throw new Error('pdf-lib did not open the document for incremental update');
  const pageIndex = spec.visible?.placement.pageIndex ?? 0;
  const page = doc.getPage(pageIndex);
  const rect = spec.visible?.placement.rect ?? { x: 0, y: 0, width: 0, height: 0 };
  const insidePage = (p: typeof page, r: Rect) => {
    const box = p.getMediaBox();
    if (!(r.width > 0 && r.height > 0) || r.x < box.x || r.y < box.y || r.x + r.width > box.x + box.width || r.y + r.height > box.y + box.height) {
      throw new Error('signature rectangle is not inside the page');
    }
  };
  if (spec.visible) insidePage(page, rect);
  const extra = (spec.visible?.alsoAt ?? []).map((at) => {
    const p = doc.getPage(at.pageIndex);
    insidePage(p, at.rect);
    return { page: p, rect: at.rect };
  });

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
  if (existingFieldNames(doc, fields).has(spec.fieldName)) {
    throw new Error(`signature field "${spec.fieldName}" already exists in this document`);
  }
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS_SIGNATURES_EXIST_APPEND_ONLY));

  // Appearance: the stamp as a form XObject sized to the signature rectangle (none when invisible).
  let appearanceRef: PDFRef | undefined;
  if (spec.visible) {
    const { content, resources } = await buildAppearance(doc, spec.visible, rect.width, rect.height);
    const appearance = ctx.stream(deflateRecurring(content), {
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, rect.width, rect.height],
      Resources: resources,
      Filter: 'FlateDecode',
    });
    appearanceRef = ctx.register(appearance);
  }

  // Signature dictionary with fixed-width placeholders patched after serialisation.
  const sigDict = ctx.obj({
    ...spec.entries,
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER].map((v) =>
      typeof v === 'number' ? PDFNumber.of(v) : PDFName.of(v),
    ),
    Contents: PDFHexString.of('0'.repeat(contentsBytes * 2)),
  } as Parameters<typeof ctx.obj>[0]);
  const sigRef = ctx.register(sigDict);

  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(spec.fieldName),
    ...(spec.visible?.tooltip ? { TU: textString(spec.visible.tooltip) } : {}),
    V: sigRef,
    Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
    F: WIDGET_FLAGS,
    P: page.ref,
    ...(appearanceRef ? { AP: { N: appearanceRef } } : {}),
  });
  const widgetRef = ctx.register(widget);
  fields.push(widgetRef);

  const addAnnotation = (p: typeof page, ref: PDFRef) => {
    const annotsEntry = p.node.get(PDFName.of('Annots'));
    if (annotsEntry instanceof PDFRef) {
      ctx.lookup(annotsEntry, PDFArray).push(ref);
      snapshot.markRefForSave(annotsEntry);
    } else if (annotsEntry instanceof PDFArray) {
      annotsEntry.push(ref);
      snapshot.markRefForSave(p.ref);
    } else {
      p.node.set(PDFName.of('Annots'), ctx.obj([ref]));
      snapshot.markRefForSave(p.ref);
    }
  };
  addAnnotation(page, widgetRef);
  // The same appearance at the signer's other fields: the viewer scales its BBox to each Rect.
  for (const at of extra) {
    const stamp = ctx.obj({
      Type: 'Annot',
      Subtype: 'Stamp',
      Rect: [at.rect.x, at.rect.y, at.rect.x + at.rect.width, at.rect.y + at.rect.height],
      F: WIDGET_FLAGS,
      P: at.page.ref,
      ...(spec.visible?.tooltip ? { Contents: textString(spec.visible.tooltip) } : {}),
      ...(appearanceRef ? { AP: { N: appearanceRef } } : {}),
    });
    addAnnotation(at.page, ctx.register(stamp));
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

  // One pass over the file for both hashes: the part before /Contents is hashed once, and its
  // state continues into the signed ranges' digest and, once /Contents is filled, the file's.
  const head = createHash('sha256').update(out.subarray(0, gapStart));
  const digest = head.copy().update(out.subarray(gapEnd)).digest();
  const contents = await produce(digest);
  if (contents.length > contentsBytes) throw new ContentsTooSmall(contents.length);
  out.write(contents.toString('hex').toUpperCase(), gapStart + 1, 'latin1');
  const sha256 = head.update(out.subarray(gapStart)).digest('hex');
  return { bytes: out, byteRange, sha256 };
};

/**
 * Runs `attempt` with the estimated reservation, and once more with what was really needed when
 * the estimate fell short (a TSA's token can be bigger than expected: its chain is its own).
 */
const withReservation = async <T>(estimate: number, attempt: (contentsBytes: number) => Promise<T>): Promise<T> => {
  try {
    return await attempt(estimate);
  } catch (e) {
    if (!(e instanceof ContentsTooSmall)) throw e;
    return attempt(Math.ceil((e.needed + 512) / 256) * 256);
  }
};

const TIMESTAMP_RESERVE = 4096;

const result = (bytes: Buffer, byteRange: [number, number, number, number], sha256: string, timestampTime?: string): SignResult => ({
  bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
  byteRange,
  sha256,
  ...(timestampTime ? { timestampTime } : {}),
});

export const signPdf = async (pdfBytes: Uint8Array, opts: SignOptions): Promise<SignResult> => {
  const certDer = opts.signer.certDer ?? pemToDer(opts.signer.certPem);
  const chainDers = opts.signer.chainPems.map(pemToDer);
  const key = typeof opts.signer.keyPem === 'string' ? createPrivateKey(opts.signer.keyPem) : opts.signer.keyPem;
  // A mismatched pair would produce a signature no validator accepts; fail before writing it.
  if (!new X509Certificate(certDer).checkPrivateKey(key)) throw new Error('signing key does not match the certificate');
  const subFilter = opts.subFilter ?? 'ETSI.CAdES.detached';
  const spec: FieldSpec = {
    fieldName: opts.fieldName,
    ...(opts.placement
      ? { visible: { placement: opts.placement, ...(opts.alsoAt?.length ? { alsoAt: opts.alsoAt } : {}), appearance: opts.appearance, ...(opts.caption ? { caption: opts.caption } : {}), ...(opts.signerName ? { tooltip: opts.signerName } : {}) } }
      : {}),
    entries: {
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: subFilter,
      M: PDFString.fromDate(opts.signingTime),
      Reason: textString(opts.reason),
      ...(opts.location ? { Location: textString(opts.location) } : {}),
      ...(opts.signerName ? { Name: textString(opts.signerName) } : {}),
      Prop_Build: { App: { Name: 'esign-personal-backend' } },
    },
  };
  let timestampTime: string | undefined;
  const produce = async (digest: Buffer): Promise<Buffer> => {
    let cms = buildCmsSignedData({
      contentDigest: digest,
      signerCertDer: certDer,
      chainDers,
      privateKey: key,
      signingTime: opts.signingTime,
      includeSigningTime: subFilter === 'adbe.pkcs7.detached',
    });
    if (opts.tsa) {
      // ETSI EN 319 122-1 §5.3: the signature timestamp covers the SignerInfo's signature value.
      const signature = parseCmsSignedData(cms).signature;
      const token = Buffer.from(await opts.tsa.timestamp(createHash('sha256').update(signature).digest(), 'sha256'));
      cms = addUnsignedAttribute(cms, OID.signatureTimeStampToken, token);
      timestampTime = tokenTime(token);
    }
    return cms;
  };
  const estimate = estimateContentsSize(certDer, chainDers) + (opts.tsa ? TIMESTAMP_RESERVE : 0);
  const { bytes, byteRange, sha256 } = await withReservation(estimate, (size) => appendSignatureField(pdfBytes, spec, size, produce));
  return result(bytes, byteRange, sha256, timestampTime);
};

export interface DocumentTimestampOptions {
  tsa: TimestampAuthority;
  /** Unique in the document, e.g. 'DocTimeStamp_1'. */
  fieldName: string;
}

/**
 * Appends a document timestamp (PAdES, ETSI EN 319 142-1 §5.4): an invisible signature field
 * whose dictionary is /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, and whose /Contents is the
 * TSA's token over the SHA-256 of the signed ranges — everything in the file before it, the DSS
 * included. It is what keeps the earlier signatures and their validation data verifiable after
 * their certificates expire (B-LTA); a later one renews it.
 */
export const timestampPdf = async (pdfBytes: Uint8Array, opts: DocumentTimestampOptions): Promise<SignResult> => {
  let timestampTime: string | undefined;
  const spec: FieldSpec = {
    fieldName: opts.fieldName,
    entries: { Type: 'DocTimeStamp', Filter: 'Adobe.PPKLite', SubFilter: 'ETSI.RFC3161', V: 0 },
  };
  const produce = async (digest: Buffer) => {
    const token = Buffer.from(await opts.tsa.timestamp(digest, 'sha256'));
    timestampTime = tokenTime(token);
    return token;
  };
  const { bytes, byteRange, sha256 } = await withReservation(TIMESTAMP_RESERVE + 2048, (size) => appendSignatureField(pdfBytes, spec, size, produce));
  return result(bytes, byteRange, sha256, timestampTime);
};

const tokenTime = (token: Buffer): string => parseTimestampToken(token).genTime.toISOString();

/**
 * Space reserved for the CMS: the certificates plus room for attributes and the signature,
 * rounded up. Reserving only what is needed keeps each signature's update small (a fixed 8 KB
 * would add 16 KB of hex zeros per signer).
 */
const estimateContentsSize = (certDer: Buffer, chainDers: readonly Buffer[]): number => {
  const certs = certDer.length + chainDers.reduce((s, c) => s + c.length, 0);
  return Math.ceil((certs * 1.05 + 1536) / 256) * 256;
};
