/**
 * What changed between two revisions of a PDF, and whether it is only "someone signed": new
 * signature fields with their widgets and appearances, the page /Annots and AcroForm /Fields
 * that list them, and the catalog entry pointing at the AcroForm. Anything else added after a
 * signature — a changed page content stream, a new FreeText annotation covering a figure, a
 * replaced font — is reported, even though the earlier signature's digest still matches its own
 * byte range. This is what makes the second signer's update checkable, not just trusted.
 *
 * PAdES long-term validation adds two more kinds of update that are not content: a DSS (the
 * catalog's /DSS entry pointing at certificates and CRLs, which nothing renders) and a document
 * timestamp field (an invisible widget whose value is a /DocTimeStamp dictionary).
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRawStream, PDFRef, PDFStream } from '@cantoo/pdf-lib';

/**
 * Where each revision ends: just after its "%%EOF" marker, or after the end-of-line that may
 * follow it (writers differ; a signature may legitimately cover either).
 */
export const revisionEnds = (bytes: Uint8Array): Array<{ marker: number; ends: number[] }> => {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const out: Array<{ marker: number; ends: number[] }> = [];
  for (let i = text.indexOf('%%EOF'); i >= 0; i = text.indexOf('%%EOF', i + 5)) {
    const ends = [i + 5];
    let end = i + 5;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    if (end !== i + 5) ends.push(end);
    out.push({ marker: i, ends });
  }
  return out;
};

const serialize = (obj: PDFObject): Buffer => {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return Buffer.from(buf);
};

const sameObject = (a: PDFObject | undefined, b: PDFObject | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && serialize(a).equals(serialize(b)));

const dictOf = (obj: PDFObject | undefined): PDFDict | undefined =>
  obj instanceof PDFDict ? obj : obj instanceof PDFStream ? (obj as PDFRawStream).dict : undefined;

const nameOf = (d: PDFDict | undefined, key: string): string | undefined => {
  const v = d?.get(PDFName.of(key));
  return v instanceof PDFName ? v.decodeText() : undefined;
};

/** Keys whose values differ between two dictionaries. */
const changedKeys = (a: PDFDict, b: PDFDict): string[] => {
  const keys = new Set([...a.keys(), ...b.keys()].map((k) => k.decodeText()));
  return [...keys].filter((k) => !sameObject(a.get(PDFName.of(k)), b.get(PDFName.of(k))));
};

const refsOf = (arr: PDFObject | undefined, doc: PDFDocument): string[] => {
  const resolved = arr instanceof PDFRef ? doc.context.lookup(arr) : arr;
  if (!(resolved instanceof PDFArray)) return [];
  return resolved.asArray().map((v) => v.toString());
};

/** Is `ref` (in `doc`) a signature field widget whose value is a signature dictionary? */
const isSignatureWidget = (doc: PDFDocument, ref: string): boolean => {
  const m = ref.match(/^(\d+) (\d+) R$/);
  if (!m) return false;
  const d = doc.context.lookup(PDFRef.of(Number(m[1]), Number(m[2])));
  if (!(d instanceof PDFDict)) return false;
  const v = d.lookup(PDFName.of('V'));
  const type = v instanceof PDFDict ? nameOf(v, 'Type') : undefined;
  return nameOf(d, 'FT') === 'Sig' && nameOf(d, 'Subtype') === 'Widget' && (type === 'Sig' || type === 'DocTimeStamp');
};

const appearanceOf = (d: PDFDict): string | undefined => {
  const ap = d.lookup(PDFName.of('AP'));
  return ap instanceof PDFDict ? ap.get(PDFName.of('N'))?.toString() : undefined;
};

/**
 * The appearances of the signature widgets `after` adds: a stamp annotation showing one of them is
 * that signature's stamp at the signer's other field (sign.ts `alsoAt`), covered by the same
 * signature. Any other annotation added after a signature is a change.
 */
const newSignatureAppearances = (before: PDFDocument, after: PDFDocument): Set<string> => {
  const out = new Set<string>();
  for (const [ref, o] of after.context.enumerateIndirectObjects()) {
    if (before.context.lookup(ref) !== undefined || !(o instanceof PDFDict) || !isSignatureWidget(after, ref.toString())) continue;
    const n = appearanceOf(o);
    if (n) out.add(n);
  }
  return out;
};

const isSignatureStamp = (doc: PDFDocument, ref: string, appearances: Set<string>): boolean => {
  const m = ref.match(/^(\d+) (\d+) R$/);
  if (!m) return false;
  const d = doc.context.lookup(PDFRef.of(Number(m[1]), Number(m[2])));
  if (!(d instanceof PDFDict) || nameOf(d, 'Subtype') !== 'Stamp') return false;
  const n = appearanceOf(d);
  return n !== undefined && appearances.has(n);
};

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  Catalog: ['AcroForm', 'DSS'],
  Page: ['Annots'],
  AcroForm: ['Fields', 'SigFlags'],
};

/**
 * Lists the changes from `before` to `after` that are not the addition of signatures.
 * Objects new in `after` are fine by themselves: they matter only when something existing
 * starts pointing at them, which is checked where that happens.
 */
export const unexpectedChanges = (before: PDFDocument, after: PDFDocument): string[] => {
  const problems: string[] = [];
  const acroFormRef = before.catalog.get(PDFName.of('AcroForm'))?.toString();
  const catalogRef = before.context.trailerInfo.Root?.toString();
  const beforeObjects = new Map(before.context.enumerateIndirectObjects().map(([r, o]) => [r.toString(), o]));
  const stamps = newSignatureAppearances(before, after);
  const addable = (r: string) => isSignatureWidget(after, r) || isSignatureStamp(after, r, stamps);
  for (const [ref, next] of after.context.enumerateIndirectObjects()) {
    const key = ref.toString();
    const prev = beforeObjects.get(key);
    if (prev === undefined || sameObject(prev, next)) continue;
    const prevDict = dictOf(prev);
    const nextDict = dictOf(next);
    const kind =
      key === catalogRef ? 'Catalog' : key === acroFormRef ? 'AcroForm' : nameOf(prevDict, 'Type') === 'Page' ? 'Page' : undefined;
    if (prev instanceof PDFArray && next instanceof PDFArray) {
      // An indirect /Annots or /Fields array may only grow by signature widgets.
      const old = prev.asArray().map(String);
      const now = next.asArray().map(String);
      const kept = old.every((r, i) => now[i] === r);
      const added = now.slice(old.length);
      if (!kept || !added.every(addable)) problems.push(`对象 ${key}（数组）被修改`);
      continue;
    }
    if (!kind || !prevDict || !nextDict || prev instanceof PDFStream || next instanceof PDFStream) {
      problems.push(`对象 ${key}${nameOf(prevDict, 'Type') ? `（/${nameOf(prevDict, 'Type')}）` : ''}被修改`);
      continue;
    }
    const disallowed = changedKeys(prevDict, nextDict).filter((k) => !ALLOWED_KEYS[kind]!.includes(k));
    if (disallowed.length) problems.push(`${kind} ${key} 的 ${disallowed.map((k) => `/${k}`).join(', ')} 被修改`);
    if (kind === 'Page' || kind === 'AcroForm') {
      const listKey = kind === 'Page' ? 'Annots' : 'Fields';
      const old = refsOf(prevDict.get(PDFName.of(listKey)), before);
      const now = refsOf(nextDict.get(PDFName.of(listKey)), after);
      const kept = old.every((r, i) => now[i] === r);
      const added = now.slice(old.length);
      if (!kept) problems.push(`${kind} ${key} 的 /${listKey} 删除或替换了条目`);
      for (const r of added) if (!(kind === 'Page' ? addable(r) : isSignatureWidget(after, r))) problems.push(`${kind} ${key} 新增了非签名条目 ${r}`);
    }
  }
  for (const key of beforeObjects.keys()) {
    const m = key.match(/^(\d+) (\d+) R$/);
    if (m && !after.context.lookup(PDFRef.of(Number(m[1]), Number(m[2])))) problems.push(`对象 ${key} 被删除`);
  }
  return problems;
};
