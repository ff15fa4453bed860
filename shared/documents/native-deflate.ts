/**
 * pdf-lib compresses every stream it writes (page contents, font subsets, appearance streams,
 * object and xref streams) with fflate, a deflate written in JavaScript; node:zlib does the same
 * job natively in a fraction of the time (issue 17: among the largest costs of a render). The
 * output is the same format (a zlib stream, level 6), just produced natively.
 *
 * The hook is on pdf-lib's own classes, so it holds whichever build of pdf-lib a bundle resolves
 * (the bundles take its ES build, where fflate's functions are bound at bundle time):
 * - PDFContext.flateStream (font files, appearance streams) is a prototype method: replaced;
 * - PDFFlateStream (content, object and xref streams) fills its `contentsCache` from a
 *   per-instance function calling fflate; `getContents`/`getContentsSize` hand that cache a
 *   native filler instead before it is first read. The cache keeps pdf-lib's own invalidation
 *   (an xref stream invalidates it as entries are added), and contents set through
 *   `updateContents` (already encoded) are left as they are.
 *
 * Imported for its effect by every module here that writes a PDF with pdf-lib (render, sign,
 * long-term, dss, image-pdf, watermark). Idempotent.
 */
import { deflateSync } from 'node:zlib';
import { PDFContext, PDFFlateStream } from '@cantoo/pdf-lib';

const deflate = (data: Uint8Array | string): Uint8Array => {
  // pdf-lib turns a string into bytes code unit by code unit (its typedArrayFor): latin1 does the same.
  const out = deflateSync(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};

interface CacheLike {
  populate: () => Uint8Array;
  native?: true;
}
interface FlateStreamLike {
  encode: boolean;
  contentsCache: CacheLike;
  getUnencodedContents(): Uint8Array;
  getContents(): Uint8Array;
}

const MARK = Symbol.for('esign.nativeDeflate');
const flateProto = PDFFlateStream.prototype as unknown as Record<string | symbol, unknown> & {
  getContents(this: FlateStreamLike): Uint8Array;
  getContentsSize(this: FlateStreamLike): number;
  updateContents(this: FlateStreamLike, contents: Uint8Array): void;
};

if (!flateProto[MARK]) {
  flateProto[MARK] = true;
  const nativeCache = (s: FlateStreamLike): CacheLike => {
    const cache = s.contentsCache;
    if (s.encode && !cache.native) {
      cache.populate = () => deflate(s.getUnencodedContents());
      cache.native = true;
    }
    return cache;
  };
  const originalUpdate = flateProto.updateContents;
  flateProto.getContents = function getContents() {
    return (nativeCache(this) as unknown as { access(): Uint8Array }).access();
  };
  flateProto.getContentsSize = function getContentsSize() {
    return this.getContents().length;
  };
  flateProto.updateContents = function updateContents(contents) {
    originalUpdate.call(this, contents);
    this.contentsCache.native = true; // given as stored: never re-encoded
  };

  PDFContext.prototype.flateStream = function flateStream(this: PDFContext, contents, dict = {}) {
    return this.stream(deflate(contents as Uint8Array | string), { ...dict, Filter: 'FlateDecode' });
  } as PDFContext['flateStream'];
}

/**
 * The compressed bytes of a content stream that recurs: a signature's appearance (the same seal in
 * the same rectangle with the same day's caption) is compressed once, not at every signature.
 * Bounded; keyed by the content itself.
 */
const recurring = new Map<string, Uint8Array>();
export const deflateRecurring = (content: string): Uint8Array => {
  const hit = recurring.get(content);
  if (hit) return hit;
  const out = deflate(content);
  if (recurring.size >= 64) recurring.delete(recurring.keys().next().value as string);
  recurring.set(content, out);
  return out;
};

export const NATIVE_DEFLATE = true;
