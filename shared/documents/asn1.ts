/**
 * The one door to ASN.1 for the documents library: encoding and strict decoding on the
 * @peculiar/asn1-* schemas (asn1js underneath), plus the two ESS structures (RFC 5035) those
 * packages do not define. Certificates, CRLs, CMS and timestamp modules build their structures
 * from the schema classes and go through here; nothing in the library writes DER bytes by hand.
 *
 * Strict means DER, not BER: asn1js reads BER leniently (long-form lengths, indefinite lengths,
 * non-minimal integers), so `parseStrict` re-encodes what it parsed and refuses the input unless
 * the bytes are identical. A verifier that accepted BER would let a forger re-encode signed
 * structures without changing what they mean — and report "valid" for bytes that differ.
 *
 * May import: @peculiar/asn1-schema, @peculiar/asn1-x509. Nothing else of ours. (Not the top-level
 * asn1js 4 or pkijs 4: they are ES modules only, which jest here does not load.)
 */
import { AsnConvert, AsnIntegerArrayBufferConverter, AsnPropTypes, AsnProp, AsnType, AsnTypeTypes, AsnArray, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, GeneralNames } from '@peculiar/asn1-x509';

/** Why a structure was refused: it could not be read, or it was read but is not DER. */
export class Asn1Error extends Error {
  constructor(
    readonly what: string,
    readonly reason: 'malformed' | 'not-der',
    detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'Asn1Error';
  }
}

/** A view of the bytes as the exact-length ArrayBuffer the schema classes want. */
export const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
    ? b.buffer
    : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);

export const encode = (value: unknown): Buffer => Buffer.from(AsnConvert.serialize(value));

type Ctor<T> = new () => T;

/** Parses `bytes` as `type`, refusing anything that is not exactly its DER encoding. */
export const parseStrict = <T>(bytes: Uint8Array, type: Ctor<T>, what: string): T => {
  let value: T;
  try {
    value = AsnConvert.parse(toArrayBuffer(bytes), type);
  } catch (e) {
    throw new Asn1Error(what, 'malformed', (e as Error).message);
  }
  let again: Buffer;
  try {
    again = encode(value);
  } catch (e) {
    throw new Asn1Error(what, 'malformed', (e as Error).message);
  }
  if (!again.equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    throw new Asn1Error(what, 'not-der', 'not the DER encoding of what it contains');
  }
  return value;
};

/**
 * A small most-recently-used memo keyed by the bytes' content: the platform's CA certificates and
 * names, and a certificate issued a moment ago, are parsed once instead of at every step of every
 * signature (issue 17). What it returns is shared: callers only read it or embed it in a
 * structure they encode, never change it.
 */
export const sharedMemo = <T>(size: number) => {
  const entries = new Map<string, T>();
  return (bytes: Uint8Array, make: () => T): T => {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const hit = entries.get(key);
    if (hit !== undefined) {
      entries.delete(key);
      entries.set(key, hit);
      return hit;
    }
    const value = make();
    if (entries.size >= size) entries.delete(entries.keys().next().value as string);
    entries.set(key, value);
    return value;
  };
};

const sharedParses = new Map<Ctor<unknown>, ReturnType<typeof sharedMemo<unknown>>>();

/** parseStrict, memoized per type and content (see sharedMemo): for values that are only read or embedded. */
export const parseShared = <T>(bytes: Uint8Array, type: Ctor<T>, what: string): T => {
  let memo = sharedParses.get(type);
  if (!memo) sharedParses.set(type, (memo = sharedMemo<unknown>(32)));
  return memo(bytes, () => parseStrict(bytes, type, what)) as T;
};

/**
 * Length of the one element at the start of `bytes` (header + content) as its header states it,
 * or undefined when the header is not a definite-length one that fits. PDF /Contents holds the
 * CMS followed by zero padding; this finds where the padding starts (only the header is read
 * here — the element itself goes through parseStrict).
 */
export const elementLength = (bytes: Uint8Array): number | undefined => {
  if (bytes.length < 2 || (bytes[0]! & 0x1f) === 0x1f) return undefined;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first <= bytes.length ? 2 + first : undefined;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || 2 + n > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + bytes[2 + i]!;
  const total = 2 + n + length;
  return total <= bytes.length ? total : undefined;
};

/** DER orders SET OF elements by their encodings (X.690 §11.6): sorts values by that order. */
export const sortForSet = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, der: encode(item) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((x) => x.item);

// ---------------------------------------------------------------------------------------------
// ESS (RFC 5035 §5.4): signingCertificateV2 binds the signer's certificate into the signed
// attributes, so a certificate swapped in the unsigned certificate set cannot pass for the
// signer's. Declared here because no @peculiar package has it. Decorators are applied as plain
// calls: the build tools (tsc, swc, esbuild) then need no decorator settings.

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber } */
export class IssuerSerial {
  issuer = new GeneralNames();
  serialNumber = new ArrayBuffer(0);
  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: GeneralNames })(IssuerSerial.prototype, 'issuer');
AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })(IssuerSerial.prototype, 'serialNumber');

/**
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
 *   certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
 * SHA-256 is the default, which DER forbids encoding: leave hashAlgorithm undefined for it.
 */
export class EssCertIdV2 {
  hashAlgorithm?: AlgorithmIdentifier;
  certHash = new OctetString();
  issuerSerial?: IssuerSerial;
  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AlgorithmIdentifier, optional: true })(EssCertIdV2.prototype, 'hashAlgorithm');
AsnProp({ type: OctetString })(EssCertIdV2.prototype, 'certHash');
AsnProp({ type: IssuerSerial, optional: true })(EssCertIdV2.prototype, 'issuerSerial');

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL } */
export class SigningCertificateV2 {
  certs: EssCertIdV2[] = [];
  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: EssCertIdV2, repeated: 'sequence' })(SigningCertificateV2.prototype, 'certs');

/** A SET OF ANY, for the signed-attributes SET the CMS signature covers. */
export class AnySet extends AsnArray<ArrayBuffer> {
  constructor(items: ArrayBuffer[] = []) {
    super(items);
    Object.setPrototypeOf(this, AnySet.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })(AnySet);
