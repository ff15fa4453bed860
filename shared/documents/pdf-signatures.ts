/**
 * Finding the signatures in a PDF (read side, shared by verify.ts and long-term.ts): signature
 * fields with a value, depth-first through /Kids with fully qualified names, and what their
 * dictionaries hold — kind (a party signature or a document timestamp), /ByteRange, /Contents.
 *
 * May import: ./asn1, @cantoo/pdf-lib.
 */
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from '@cantoo/pdf-lib';
import { elementLength } from './asn1';

export interface SignatureField {
  name: string;
  sig: PDFDict;
}

export const pdfText = (v: unknown): string | undefined =>
  v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;

const nameValue = (d: PDFDict, key: string): string | undefined => {
  const v = d.lookup(PDFName.of(key));
  return v instanceof PDFName ? v.decodeText() : undefined;
};

export const signatureFields = (doc: PDFDocument): SignatureField[] => {
  const out: SignatureField[] = [];
  const acroForm = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fields = acroForm?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  const seen = new Set<PDFDict>();
  const walk = (arr: PDFArray, prefix: string, inheritedFt: string | undefined, depth: number) => {
    if (depth > 20) return;
    for (let i = 0; i < arr.size(); i++) {
      const f = doc.context.lookup(arr.get(i));
      if (!(f instanceof PDFDict) || seen.has(f)) continue;
      seen.add(f);
      const partial = pdfText(f.lookup(PDFName.of('T')));
      const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
      const ft = nameValue(f, 'FT') ?? inheritedFt;
      const v = f.lookup(PDFName.of('V'));
      if (ft === 'Sig' && v instanceof PDFDict) out.push({ name, sig: v });
      const kids = f.lookup(PDFName.of('Kids'));
      if (kids instanceof PDFArray) walk(kids, name, ft, depth + 1);
    }
  };
  if (fields) walk(fields, '', undefined, 0);
  return out;
};

/** A document timestamp (PAdES): /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161. */
export const isDocumentTimestamp = (sig: PDFDict): boolean =>
  nameValue(sig, 'Type') === 'DocTimeStamp' || nameValue(sig, 'SubFilter') === 'ETSI.RFC3161';

export const subFilterOf = (sig: PDFDict): string | undefined => nameValue(sig, 'SubFilter');

export const byteRangeOf = (sig: PDFDict): number[] | undefined => {
  const br = sig.lookup(PDFName.of('ByteRange'));
  return br instanceof PDFArray ? br.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN)) : undefined;
};

/** The /Contents bytes as stored (the DER followed by zero padding). */
export const contentsOf = (sig: PDFDict): Uint8Array | undefined => {
  const c = sig.lookup(PDFName.of('Contents'));
  return c instanceof PDFHexString || c instanceof PDFString ? c.asBytes() : undefined;
};

/** The DER inside /Contents (padding dropped), or undefined when its header is unreadable. */
export const contentsDer = (contents: Uint8Array): Buffer | undefined => {
  const end = elementLength(contents);
  return end === undefined ? undefined : Buffer.from(contents.subarray(0, end));
};
