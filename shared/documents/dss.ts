/**
 * The Document Security Store (PAdES, ETSI EN 319 142-1 §5.4.2; ISO 32000-2 §12.8.4.3): an
 * incremental update that adds to the catalog a /DSS dictionary with the certificates and
 * revocation data (CRLs; OCSP responses where there are any) needed to validate the signatures
 * without asking anyone, and a /VRI entry per signature naming which of them it uses.
 *
 * Merging: when the document already has a DSS (an earlier completion, before a settle or
 * rescind revision), the new one lists the old streams again (same objects, not copies) plus the
 * new ones, de-duplicated by content; the old VRI entries are kept. Nothing existing is rewritten
 * except the catalog, whose /DSS entry points at the new dictionary.
 *
 * May import: @cantoo/pdf-lib, node:crypto.
 */
import { createHash } from 'node:crypto';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream } from '@cantoo/pdf-lib';
import './native-deflate'; // pdf-lib's stream compression on node:zlib

export interface DssContent {
  certificates: readonly Buffer[];
  crls: readonly Buffer[];
  ocsps?: readonly Buffer[];
  /**
   * Per signature: key = upper-case hex SHA-1 of the signature's /Contents bytes (for a document
   * timestamp: of its token), with the certificates and CRLs that validate it (from the lists above).
   */
  vri?: ReadonlyArray<{ key: string; certificates: readonly Buffer[]; crls: readonly Buffer[] }>;
}

export interface DssSummary {
  certificates: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
  vriKeys: string[];
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const streamBytes = (s: PDFStream): Buffer => {
  if (s instanceof PDFRawStream) return Buffer.from(decodePDFRawStream(s).decode());
  return Buffer.from(s.getContents());
};

/** What a document's current DSS holds (empty lists when it has none). */
export const readDss = (doc: PDFDocument): DssSummary => {
  const dss = doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const list = (key: string): Buffer[] => {
    const arr = dss?.lookupMaybe(PDFName.of(key), PDFArray);
    if (!arr) return [];
    const out: Buffer[] = [];
    for (let i = 0; i < arr.size(); i++) {
      const s = arr.lookup(i);
      if (s instanceof PDFStream) out.push(streamBytes(s));
    }
    return out;
  };
  const vri = dss?.lookupMaybe(PDFName.of('VRI'), PDFDict);
  return {
    certificates: list('Certs'),
    crls: list('CRLs'),
    ocsps: list('OCSPs'),
    vriKeys: vri ? vri.keys().map((k) => k.decodeText()) : [],
  };
};

export const appendDss = async (pdfBytes: Uint8Array, content: DssContent): Promise<Uint8Array> => {
  const doc = await PDFDocument.load(pdfBytes, { forIncrementalUpdate: true, updateMetadata: false });
  const ctx = doc.context;
  const snapshot = ctx.snapshot;
  if (!snapshot) throw new Error('pdf-lib did not open the document for incremental update');
  const old = doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);

  /** One list (Certs, CRLs, OCSPs): the old stream refs, then new streams for bytes not yet there. */
  const refsByHash = new Map<string, PDFRef>();
  const buildList = (key: string, added: readonly Buffer[]): PDFRef[] => {
    const refs: PDFRef[] = [];
    const arr = old?.lookupMaybe(PDFName.of(key), PDFArray);
    for (let i = 0; arr && i < arr.size(); i++) {
      const ref = arr.get(i);
      const s = arr.lookup(i);
      if (ref instanceof PDFRef && s instanceof PDFStream) {
        const h = sha(streamBytes(s));
        if (!refsByHash.has(h)) {
          refsByHash.set(h, ref);
          refs.push(ref);
        }
      }
    }
    for (const bytes of added) {
      const h = sha(bytes);
      if (refsByHash.has(h)) continue;
      const ref = ctx.register(ctx.stream(bytes));
      refsByHash.set(h, ref);
      refs.push(ref);
    }
    return refs;
  };
  const certs = buildList('Certs', content.certificates);
  const crls = buildList('CRLs', content.crls);
  const ocsps = buildList('OCSPs', content.ocsps ?? []);

  const vri = ctx.obj({});
  const oldVri = old?.lookupMaybe(PDFName.of('VRI'), PDFDict);
  for (const [k, v] of oldVri?.entries() ?? []) vri.set(k, v);
  for (const entry of content.vri ?? []) {
    if (!/^[0-9A-F]{40}$/.test(entry.key)) throw new Error('a VRI key is the upper-case hex SHA-1 of the signature');
    const refsFor = (list: readonly Buffer[]) => list.map((b) => refsByHash.get(sha(b))).filter((r): r is PDFRef => !!r);
    const d = ctx.obj({ Type: 'VRI' });
    const c = refsFor(entry.certificates);
    const r = refsFor(entry.crls);
    if (c.length) d.set(PDFName.of('Cert'), ctx.obj(c));
    if (r.length) d.set(PDFName.of('CRL'), ctx.obj(r));
    vri.set(PDFName.of(entry.key), ctx.register(d));
  }

  const dss = ctx.obj({ Type: 'DSS' });
  if (certs.length) dss.set(PDFName.of('Certs'), ctx.obj(certs));
  if (crls.length) dss.set(PDFName.of('CRLs'), ctx.obj(crls));
  if (ocsps.length) dss.set(PDFName.of('OCSPs'), ctx.obj(ocsps));
  if (vri.keys().length) dss.set(PDFName.of('VRI'), ctx.register(vri));
  doc.catalog.set(PDFName.of('DSS'), ctx.register(dss));
  snapshot.markRefForSave(ctx.trailerInfo.Root as PDFRef);

  const out = await doc.save({ useObjectStreams: false });
  if (!Buffer.from(out.subarray(0, pdfBytes.length)).equals(Buffer.from(pdfBytes))) {
    throw new Error('incremental save altered the original bytes');
  }
  return out;
};
