/**
 * Minimal DER encoder/decoder for the few ASN.1 structures we produce and check (X.509
 * certificates, CMS SignedData). Hand-written on purpose: node-forge's ASN.1 works on binary
 * strings and cannot put EC keys into certificates, while here we need Buffers and, above all,
 * the exact bytes of parsed elements (an issuer Name must be copied verbatim into a CMS
 * SignerInfo — re-encoding it is what breaks signatures with Chinese CA names).
 *
 * The decoder is used on untrusted input (uploaded or tampered PDFs): it accepts definite
 * lengths and low tag numbers only, checks every bound, and caps nesting depth.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

const encodeLength = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

export const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));

/** DER requires SET OF elements in ascending order of their encodings (X.690 §11.6). */
export const setOf = (...items: Buffer[]): Buffer =>
  tlv(TAG.SET, Buffer.concat([...items].sort(Buffer.compare)));

/** INTEGER from unsigned big-endian magnitude bytes (a leading 0 is added when the top bit is set). */
export const integerFromUnsigned = (magnitude: Buffer): Buffer => {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let body = magnitude.subarray(start);
  if (body.length === 0) body = Buffer.from([0]);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(TAG.INTEGER, body);
};

export const smallInteger = (n: number): Buffer => {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new DerError(`bad small integer ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return integerFromUnsigned(Buffer.from(bytes.length ? bytes : [0]));
};

export const oid = (dotted: string): Buffer => {
  const parts = dotted.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new DerError(`bad OID ${dotted}`);
    return BigInt(p);
  });
  const [a, b, ...rest] = parts;
  if (a === undefined || b === undefined) throw new DerError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
};

export const nullValue = (): Buffer => Buffer.from([TAG.NULL, 0]);
export const octetString = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b);
export const bitString = (b: Buffer, unusedBits = 0): Buffer =>
  tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), b]));
export const boolean = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0]);
export const utf8String = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printableString = (s: string): Buffer => {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new DerError('not a PrintableString');
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always whole seconds in UTC. */
export const time = (d: Date): Buffer => {
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(
    d.getUTCMinutes(),
  )}${pad(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(pad(y % 100) + rest, 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(pad(y, 4) + rest, 'latin1'));
};

/** [n] EXPLICIT — a constructed context tag wrapping a complete element. */
export const explicit = (tagNo: number, inner: Buffer): Buffer => tlv(0xa0 | tagNo, inner);

/** [n] IMPLICIT constructed — replaces the tag of a SET/SEQUENCE, keeping its content. */
export const implicitConstructed = (tagNo: number, contents: Buffer): Buffer => tlv(0xa0 | tagNo, contents);

/** [n] IMPLICIT primitive (e.g. keyIdentifier in AuthorityKeyIdentifier). */
export const implicitPrimitive = (tagNo: number, contents: Buffer): Buffer => tlv(0x80 | tagNo, contents);

// ---------------------------------------------------------------------------------------------
// Decoding

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number). */
  tag: number;
  /** Offset of the identifier octet within the buffer given to parseDer. */
  start: number;
  /** Offset just after the element. */
  end: number;
  /** The whole element (header + content) — a view, byte-for-byte as in the input. */
  raw: Buffer;
  /** The content octets. */
  content: Buffer;
  /** Child elements for constructed encodings. */
  children: DerNode[];
}

const MAX_DEPTH = 40;

const parseAt = (buf: Buffer, offset: number, limit: number, depth: number): DerNode => {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (offset + 2 > limit) throw new DerError('truncated header');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let pos = offset + 1;
  const first = buf[pos++] as number;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError('length too large');
    if (pos + n > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[pos++] as number);
  }
  const contentStart = pos;
  const end = contentStart + length;
  if (end > limit) throw new DerError('element exceeds its container');
  const children: DerNode[] = [];
  if (tag & 0x20) {
    let p = contentStart;
    while (p < end) {
      const child = parseAt(buf, p, end, depth + 1);
      children.push(child);
      p = child.end;
    }
  }
  return {
    tag,
    start: offset,
    end,
    raw: buf.subarray(offset, end),
    content: buf.subarray(contentStart, end),
    children,
  };
};

/** Parses exactly one element spanning the whole buffer. */
export const parseDer = (buf: Buffer): DerNode => {
  const node = parseAt(buf, 0, buf.length, 0);
  if (node.end !== buf.length) throw new DerError('trailing bytes after DER element');
  return node;
};

/** Parses one element at the start of the buffer and ignores what follows (PDF /Contents is zero-padded). */
export const parseDerPrefix = (buf: Buffer): DerNode => parseAt(buf, 0, buf.length, 0);

export const child = (node: DerNode, index: number, expectedTag?: number): DerNode => {
  const c = node.children[index];
  if (!c) throw new DerError(`missing element #${index}`);
  if (expectedTag !== undefined && c.tag !== expectedTag) {
    throw new DerError(`element #${index}: tag 0x${c.tag.toString(16)}, expected 0x${expectedTag.toString(16)}`);
  }
  return c;
};

export const decodeOid = (node: DerNode): string => {
  if (node.tag !== TAG.OID) throw new DerError('not an OID');
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of node.content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const [first, ...rest] = arcs;
  if (first === undefined) throw new DerError('empty OID');
  const a = first < 80n ? first / 40n : 2n;
  return [a, first - a * 40n, ...rest].join('.');
};

export const decodeTime = (node: DerNode): Date => {
  const s = node.content.toString('latin1');
  let m: RegExpMatchArray | null;
  if (node.tag === TAG.UTC_TIME && (m = s.match(/^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  }
  if (node.tag === TAG.GENERALIZED_TIME && (m = s.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d+))?Z$/))) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms));
  }
  throw new DerError(`unsupported time "${s}"`);
};

/** Decodes the string types that appear in Names. */
export const decodeString = (node: DerNode): string => {
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return node.content.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case 0x14: // TeletexString: treated as Latin-1, as most toolkits do
      return node.content.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      const b = Buffer.from(node.content);
      if (b.length % 2) throw new DerError('odd BMPString');
      b.swap16();
      return b.toString('utf16le');
    }
    default:
      throw new DerError(`unsupported string tag 0x${node.tag.toString(16)}`);
  }
};

export const unsignedIntegerHex = (node: DerNode): string => {
  if (node.tag !== TAG.INTEGER) throw new DerError('not an INTEGER');
  let b = node.content;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
};
