/**
 * X.509 v3 certificates on the @peculiar/asn1-x509 schemas: building (a TBSCertificate from the
 * schema classes, signed with node:crypto so EC and RSA issuer keys both work, synchronously) and
 * reading (strict DER; names decoded from the structure, not from Node's display strings, so
 * Chinese names come back exactly as written).
 *
 * May import: ./asn1, ./oids, ../ports/issuer-signer (a type), @peculiar/asn1-*, node:crypto.
 */
import { createHash, KeyObject, sign as cryptoSign, X509Certificate } from 'node:crypto';
import type { IssuerSigner } from '../ports/issuer-signer';
import { OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { encode, parseShared, parseStrict, sharedMemo, toArrayBuffer } from './asn1';
import { OID } from './oids';

export interface NameAttribute {
  type: 'C' | 'O' | 'OU' | 'CN' | 'serialNumber';
  value: string;
}

const ATTRIBUTE_OIDS: Record<NameAttribute['type'], string> = {
  C: OID.country,
  O: OID.organization,
  OU: OID.organizationalUnit,
  CN: OID.commonName,
  serialNumber: OID.serialNumber,
};
const ATTRIBUTE_NAMES: Record<string, NameAttribute['type']> = Object.fromEntries(
  Object.entries(ATTRIBUTE_OIDS).map(([k, v]) => [v, k as NameAttribute['type']]),
);

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Country and serialNumber are PrintableString as RFC 5280 requires; everything else UTF8String,
 * which is what keeps Chinese names intact in every verifier.
 */
export const nameOf = (attributes: readonly NameAttribute[]): Name =>
  new Name(
    attributes.map((a) => {
      const printable = a.type === 'C' || a.type === 'serialNumber';
      if (printable && !PRINTABLE.test(a.value)) throw new Error(`${a.type} must be a PrintableString`);
      return new RelativeDistinguishedName([
        new AttributeTypeAndValue({
          type: ATTRIBUTE_OIDS[a.type],
          value: new AttributeValue(printable ? { printableString: a.value } : { utf8String: a.value }),
        }),
      ]);
    }),
  );

export const encodeName = (attributes: readonly NameAttribute[]): Buffer => encode(nameOf(attributes));

export const decodeName = (name: Name): NameAttribute[] => {
  const out: NameAttribute[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      const type = ATTRIBUTE_NAMES[atv.type];
      if (type) out.push({ type, value: atv.value.toString() });
    }
  }
  return out;
};

export const nameToText = (attrs: readonly NameAttribute[]): string =>
  attrs.map((a) => `${a.type}=${a.value}`).join(', ');

const nameValue = (attrs: readonly NameAttribute[], type: NameAttribute['type']): string | undefined =>
  attrs.find((a) => a.type === type)?.value;

// ---------------------------------------------------------------------------------------------
// Building

export type KeyUsageBit = 'digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign';
const KEY_USAGE_FLAGS: Record<KeyUsageBit, number> = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  nonRepudiation: KeyUsageFlags.nonRepudiation,
  keyCertSign: KeyUsageFlags.keyCertSign,
  cRLSign: KeyUsageFlags.cRLSign,
};

const extension = (extnID: string, critical: boolean, value: unknown): Extension =>
  new Extension({ extnID, critical, extnValue: new OctetString(encode(value)) });

/**
 * The algorithm a key signs certificates, CRLs and CMS structures with (always SHA-256):
 * ecdsa-with-SHA256 without parameters (RFC 5758), sha256WithRSAEncryption with NULL (RFC 4055).
 */
export const signatureAlgorithmFor = (key: KeyObject | IssuerSigner): AlgorithmIdentifier => {
  const type = key instanceof KeyObject ? key.asymmetricKeyType : key.keyType;
  if (type === 'ec') return new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA256 });
  if (type === 'rsa') return new AlgorithmIdentifier({ algorithm: OID.sha256WithRSAEncryption, parameters: null });
  throw new Error(`unsupported key type ${type}`);
};

/**
 * The issuing CA's signer over a key object in memory (local, and the cloud without KMS). It signs
 * synchronously inside the promise: no copy of the key, no extra turn of the event loop beyond
 * the await (the documents bench counts every certificate).
 */
export const keyObjectSigner = (key: KeyObject): IssuerSigner => {
  const type = key.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa') throw new Error(`unsupported key type ${type}`);
  return { keyType: type, sign: (tbsDer) => Promise.resolve(cryptoSign('sha256', tbsDer, key)) };
};

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export const keyIdentifier = (spkiDer: Buffer): Buffer => {
  const spki = parseStrict(spkiDer, SubjectPublicKeyInfo, 'SubjectPublicKeyInfo');
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
};

export interface CertificateTemplate {
  serialNumber: Buffer;
  /** The issuer's subject Name, exactly as encoded in the issuer's certificate. */
  issuerNameDer: Buffer;
  subject: readonly NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  /** Key identifier of the issuer (AuthorityKeyIdentifier); omit for self-signed roots. */
  authorityKeyId?: Buffer;
  ca: boolean;
  /** Only for CAs: how many intermediate CAs may follow. */
  pathLength?: number;
  keyUsage: readonly KeyUsageBit[];
  extKeyUsage?: readonly string[];
  /** RFC 3161 §2.3 wants the TSA's timeStamping usage critical; document signers keep it non-critical. */
  extKeyUsageCritical?: boolean;
}

/** An INTEGER's content bytes for an unsigned magnitude: minimal, with a 0 first when the top bit is set. */
const unsignedInteger = (magnitude: Buffer): Buffer => {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  return (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : Buffer.from(body.length ? body : [0]);
};

/** A certificate signed with a key in memory: the offline root ceremony, and tests. */
export const buildCertificate = (t: CertificateTemplate, issuerKey: KeyObject): Buffer => {
  const c = prepareCertificate(t, signatureAlgorithmFor(issuerKey));
  return c.finish(cryptoSign('sha256', c.tbsDer, issuerKey));
};

/** A certificate signed by the issuing CA's signer (a key object, or KMS in the cloud). */
export const signCertificate = async (t: CertificateTemplate, issuer: IssuerSigner): Promise<Buffer> => {
  const c = prepareCertificate(t, signatureAlgorithmFor(issuer));
  return c.finish(await issuer.sign(c.tbsDer));
};

/** The TBSCertificate to sign, and how to make the certificate of its signature. */
const prepareCertificate = (t: CertificateTemplate, sigAlg: AlgorithmIdentifier): { tbsDer: Buffer; finish(signature: Buffer): Buffer } => {
  const spkiDer = t.subjectPublicKey.export({ type: 'spki', format: 'der' });
  // node:crypto's own DER of the key: parsed once, for both the identifier and the embedding.
  const spki = parseStrict(spkiDer, SubjectPublicKeyInfo, 'SubjectPublicKeyInfo');
  const extensions = [
    extension(OID.basicConstraints, true, new BasicConstraints(t.ca ? { cA: true, pathLenConstraint: t.pathLength } : {})),
    extension(OID.keyUsage, true, new KeyUsage(t.keyUsage.reduce((m, b) => m | KEY_USAGE_FLAGS[b], 0))),
    ...(t.extKeyUsage?.length ? [extension(OID.extKeyUsage, !!t.extKeyUsageCritical, new ExtendedKeyUsage([...t.extKeyUsage]))] : []),
    extension(OID.subjectKeyIdentifier, false, new SubjectKeyIdentifier(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest())),
    ...(t.authorityKeyId
      ? [extension(OID.authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(t.authorityKeyId) }))]
      : []),
  ];
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(unsignedInteger(t.serialNumber)),
    signature: sigAlg,
    issuer: parseShared(t.issuerNameDer, Name, 'issuer Name'),
    validity: new Validity({ notBefore: wholeSeconds(t.notBefore), notAfter: wholeSeconds(t.notAfter) }),
    subject: nameOf(t.subject),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
  const tbsDer = encode(tbs);
  return { tbsDer, finish: (signature) => assembleCertificate(t, tbs, tbsDer, sigAlg, signature) };
};

const assembleCertificate = (t: CertificateTemplate, tbs: TBSCertificate, tbsDer: Buffer, sigAlg: AlgorithmIdentifier, signature: Buffer): Buffer => {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }, put
  // together from the parts just encoded rather than encoding the whole tree again.
  const der = derSequence([tbsDer, encode(sigAlg), Buffer.concat([Buffer.from([0x03]), derLength(signature.length + 1), Buffer.from([0]), signature])]);
  const issuer = decodeName(tbs.issuer);
  const serial = unsignedInteger(t.serialNumber);
  const details = t.subjectPublicKey.asymmetricKeyDetails;
  const keyType = t.subjectPublicKey.asymmetricKeyType;
  const subject = t.subject.filter((a) => ATTRIBUTE_NAMES[ATTRIBUTE_OIDS[a.type]]);
  built.set(der, {
    issuerNameDer: Buffer.from(t.issuerNameDer),
    serialNumber: serial,
    info: {
      subject: { commonName: nameValue(subject, 'CN'), identifier: nameValue(subject, 'serialNumber'), organization: nameValue(subject, 'O'), country: nameValue(subject, 'C') },
      subjectText: nameToText(subject),
      issuer: { commonName: nameValue(issuer, 'CN'), organization: nameValue(issuer, 'O'), country: nameValue(issuer, 'C') },
      issuerText: nameToText(issuer),
      serialNumberHex: hex(serial),
      notBefore: wholeSeconds(t.notBefore).toISOString(),
      notAfter: wholeSeconds(t.notAfter).toISOString(),
      fingerprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':'),
      keyAlgorithm:
        keyType === 'ec'
          ? `ECDSA ${details?.namedCurve === 'prime256v1' ? 'P-256' : (details?.namedCurve ?? '')}`.trim()
          : `${(keyType ?? '').toUpperCase()} ${details?.modulusLength ?? ''}`.trim(),
    },
  });
  return der;
};

const derLength = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const derSequence = (parts: Buffer[]): Buffer => {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
};

/**
 * What buildCertificate knew of a certificate it made, by the very DER Buffer it returned: a
 * just-issued certificate is described and put into a CMS without being parsed again (issue 17).
 * (test/documents/costs.test.ts checks it against a fresh parse.)
 */
interface BuiltCertificate {
  issuerNameDer: Buffer;
  serialNumber: Buffer;
  info: CertificateInfo;
}
const built = new WeakMap<Buffer, BuiltCertificate>();

/** Whether this very Buffer is a certificate buildCertificate made (so it needs no check that it is one). */
export const wasBuiltHere = (der: Buffer): boolean => built.has(der);

/** The issuer Name (DER) and serial-number content bytes of a certificate: from its build, else parsed. */
export const certificateIssuerSerial = (der: Buffer): { issuerNameDer: Buffer; serialNumber: Buffer } => {
  const c = built.get(der) ?? parseCertificate(der);
  return { issuerNameDer: c.issuerNameDer, serialNumber: c.serialNumber };
};

/** Certificate and CRL times are whole seconds (RFC 5280 §4.1.2.5): DER has no fractions there. */
export const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export const derToPem = (der: Buffer, label = 'CERTIFICATE'): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

/** The DER inside a PEM certificate. */
export const pemToDer = (pem: string): Buffer => pemBlockToDer(pem, 'CERTIFICATE');

/** The DER inside a PEM block with this label ('X509 CRL', 'CERTIFICATE'…). */
export const pemBlockToDer = (pem: string, label: string): Buffer => {
  const m = pem.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`));
  if (!m?.[1]) throw new Error(`not a PEM ${label.toLowerCase()}`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
};

// ---------------------------------------------------------------------------------------------
// Reading

export interface ParsedCertificate {
  der: Buffer;
  /** The signed part, exactly as in the certificate. */
  tbsDer: Buffer;
  /** The TBSCertificate's issuer and subject Name elements (DER, identical to the input). */
  issuerNameDer: Buffer;
  subjectNameDer: Buffer;
  /** The serial number INTEGER's content bytes. */
  serialNumber: Buffer;
  serialNumberHex: string;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** Outer signatureAlgorithm and the TBSCertificate's signature field: RFC 5280 wants them equal. */
  signatureAlgorithm: string;
  signatureAlgorithmDer: Buffer;
  tbsSignatureAlgorithmDer: Buffer;
  signature: Buffer;
  spkiDer: Buffer;
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  /** Key usage bits we care about; undefined when the extension is absent. */
  keyUsage?: KeyUsageBit[];
  extKeyUsage?: string[];
  extKeyUsageCritical: boolean;
  isCa: boolean;
}

const hex = (b: ArrayBuffer | Buffer) => {
  let s = Buffer.from(b as ArrayBuffer);
  while (s.length > 1 && s[0] === 0) s = s.subarray(1);
  return s.toString('hex').toUpperCase();
};

const parsedCertificates = sharedMemo<ParsedCertificate>(32);

/** The certificate's parts; memoized by content (asn1.ts sharedMemo): treat the result as read-only. */
export const parseCertificate = (der: Buffer): ParsedCertificate => parsedCertificates(der, () => parseCertificateOnce(der));

const parseCertificateOnce = (der: Buffer): ParsedCertificate => {
  const cert = parseShared(der, Certificate, 'certificate');
  const tbs = cert.tbsCertificate;
  const out: ParsedCertificate = {
    der,
    tbsDer: encode(tbs),
    issuerNameDer: encode(tbs.issuer),
    subjectNameDer: encode(tbs.subject),
    serialNumber: Buffer.from(tbs.serialNumber),
    serialNumberHex: hex(tbs.serialNumber),
    issuer: decodeName(tbs.issuer),
    subject: decodeName(tbs.subject),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    signatureAlgorithmDer: encode(cert.signatureAlgorithm),
    tbsSignatureAlgorithmDer: encode(tbs.signature),
    signature: Buffer.from(cert.signatureValue),
    spkiDer: encode(tbs.subjectPublicKeyInfo),
    extKeyUsageCritical: false,
    isCa: false,
  };
  for (const ext of tbs.extensions ?? []) {
    const value = Buffer.from(ext.extnValue.buffer);
    if (ext.extnID === OID.keyUsage) {
      const flags = parseStrict(value, KeyUsage, 'keyUsage').toNumber();
      out.keyUsage = (Object.keys(KEY_USAGE_FLAGS) as KeyUsageBit[]).filter((k) => (flags & KEY_USAGE_FLAGS[k]) !== 0);
    } else if (ext.extnID === OID.extKeyUsage) {
      out.extKeyUsage = [...parseStrict(value, ExtendedKeyUsage, 'extKeyUsage')];
      out.extKeyUsageCritical = ext.critical;
    } else if (ext.extnID === OID.basicConstraints) {
      out.isCa = parseStrict(value, BasicConstraints, 'basicConstraints').cA;
    } else if (ext.extnID === OID.subjectKeyIdentifier) {
      out.subjectKeyId = Buffer.from(parseStrict(value, SubjectKeyIdentifier, 'subjectKeyIdentifier').buffer);
    } else if (ext.extnID === OID.authorityKeyIdentifier) {
      const aki = parseStrict(value, AuthorityKeyIdentifier, 'authorityKeyIdentifier');
      if (aki.keyIdentifier) out.authorityKeyId = Buffer.from(aki.keyIdentifier.buffer);
    }
  }
  return out;
};

/** What the contract page shows about a signing certificate (C10). */
export interface CertificateInfo {
  subject: { commonName?: string; identifier?: string; organization?: string; country?: string };
  subjectText: string;
  issuer: { commonName?: string; organization?: string; country?: string };
  issuerText: string;
  serialNumberHex: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, upper-case hex pairs separated by ':' as certificate viewers show it. */
  fingerprintSha256: string;
  keyAlgorithm: string;
}

export const describeCertificate = (pemOrDer: string | Buffer): CertificateInfo => {
  const known = typeof pemOrDer === 'string' ? undefined : built.get(pemOrDer)?.info;
  if (known) return { ...known, subject: { ...known.subject }, issuer: { ...known.issuer } };
  const der = typeof pemOrDer === 'string' ? pemToDer(pemOrDer) : pemOrDer;
  const p = parseCertificate(der);
  const x = new X509Certificate(der);
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails;
  const keyAlgorithm =
    key.asymmetricKeyType === 'ec'
      ? `ECDSA ${details?.namedCurve === 'prime256v1' ? 'P-256' : (details?.namedCurve ?? '')}`.trim()
      : `${(key.asymmetricKeyType ?? '').toUpperCase()} ${details?.modulusLength ?? ''}`.trim();
  return {
    subject: {
      commonName: nameValue(p.subject, 'CN'),
      identifier: nameValue(p.subject, 'serialNumber'),
      organization: nameValue(p.subject, 'O'),
      country: nameValue(p.subject, 'C'),
    },
    subjectText: nameToText(p.subject),
    issuer: {
      commonName: nameValue(p.issuer, 'CN'),
      organization: nameValue(p.issuer, 'O'),
      country: nameValue(p.issuer, 'C'),
    },
    issuerText: nameToText(p.issuer),
    serialNumberHex: p.serialNumberHex,
    notBefore: p.notBefore.toISOString(),
    notAfter: p.notAfter.toISOString(),
    fingerprintSha256: x.fingerprint256,
    keyAlgorithm,
  };
};

/** SHA-256 fingerprint as lower-case hex without separators, the form configuration uses. */
export const fingerprintHex = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

/** Accepts "AB:CD:…", "abcd…" or with spaces: the forms people copy a fingerprint in. */
export const normalizeFingerprint = (fp: string): string => {
  const h = fp.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(h)) throw new Error('a SHA-256 fingerprint is 64 hex digits');
  return h;
};
