/**
 * X.509 v3 certificates: building (TBSCertificate assembled with our DER helpers, signed with
 * node:crypto so EC keys work) and reading (names decoded from the DER, not from Node's
 * display strings, so Chinese names come back exactly as written).
 */
import { createHash, KeyObject, sign as cryptoSign, X509Certificate } from 'node:crypto';
import {
  bitString,
  boolean,
  child,
  decodeOid,
  decodeString,
  decodeTime,
  DerNode,
  explicit,
  implicitPrimitive,
  integerFromUnsigned,
  nullValue,
  octetString,
  oid,
  parseDer,
  printableString,
  sequence,
  setOf,
  smallInteger,
  TAG,
  time,
  unsignedIntegerHex,
  utf8String,
} from './der';
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

/**
 * Country and serialNumber are PrintableString as RFC 5280 requires; everything else UTF8String,
 * which is what keeps Chinese names intact in every verifier.
 */
export const encodeName = (attributes: readonly NameAttribute[]): Buffer =>
  sequence(
    ...attributes.map((a) =>
      setOf(
        sequence(
          oid(ATTRIBUTE_OIDS[a.type]),
          a.type === 'C' || a.type === 'serialNumber' ? printableString(a.value) : utf8String(a.value),
        ),
      ),
    ),
  );

export const decodeName = (node: DerNode): NameAttribute[] => {
  const out: NameAttribute[] = [];
  for (const rdn of node.children) {
    for (const atv of rdn.children) {
      const type = ATTRIBUTE_NAMES[decodeOid(child(atv, 0))];
      if (type) out.push({ type, value: decodeString(child(atv, 1)) });
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
const KEY_USAGE_BITS: Record<KeyUsageBit, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyCertSign: 5,
  cRLSign: 6,
};

const keyUsageExtensionValue = (bits: readonly KeyUsageBit[]): Buffer => {
  let mask = 0;
  for (const b of bits) mask |= 0x80 >> KEY_USAGE_BITS[b];
  // DER BIT STRING: drop trailing zero bits and say how many were dropped.
  let unused = 0;
  while (unused < 7 && !(mask & (1 << unused))) unused++;
  return bitString(Buffer.from([mask]), unused);
};

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

/** The algorithm a key signs certificates and CMS structures with (always SHA-256). */
export const signatureAlgorithmFor = (key: KeyObject): Buffer => {
  if (key.asymmetricKeyType === 'ec') return sequence(oid(OID.ecdsaWithSHA256));
  if (key.asymmetricKeyType === 'rsa') return sequence(oid(OID.sha256WithRSAEncryption), nullValue());
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
};

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export const keyIdentifier = (spkiDer: Buffer): Buffer => {
  const spki = parseDer(spkiDer);
  const bits = child(spki, 1, TAG.BIT_STRING);
  return createHash('sha1').update(bits.content.subarray(1)).digest();
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
}

export const buildCertificate = (t: CertificateTemplate, issuerKey: KeyObject): Buffer => {
  const spki = t.subjectPublicKey.export({ type: 'spki', format: 'der' });
  const sigAlg = signatureAlgorithmFor(issuerKey);
  const basicConstraints = t.ca
    ? sequence(boolean(true), ...(t.pathLength !== undefined ? [smallInteger(t.pathLength)] : []))
    : sequence();
  const extensions = [
    extension(OID.basicConstraints, true, basicConstraints),
    extension(OID.keyUsage, true, keyUsageExtensionValue(t.keyUsage)),
    ...(t.extKeyUsage?.length ? [extension(OID.extKeyUsage, false, sequence(...t.extKeyUsage.map(oid)))] : []),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
    ...(t.authorityKeyId
      ? [extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, t.authorityKeyId)))]
      : []),
  ];
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integerFromUnsigned(t.serialNumber),
    sigAlg,
    t.issuerNameDer,
    sequence(time(t.notBefore), time(t.notAfter)),
    encodeName(t.subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = cryptoSign('sha256', tbs, issuerKey);
  return sequence(tbs, sigAlg, bitString(signature));
};

export const derToPem = (der: Buffer, label = 'CERTIFICATE'): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

// ---------------------------------------------------------------------------------------------
// Reading

export interface ParsedCertificate {
  der: Buffer;
  /** The TBSCertificate's issuer and subject Name elements, verbatim. */
  issuerNameDer: Buffer;
  subjectNameDer: Buffer;
  /** The INTEGER element of the serial number, verbatim. */
  serialNumberDer: Buffer;
  serialNumberHex: string;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** Key usage bits we care about; undefined when the extension is absent. */
  keyUsage?: KeyUsageBit[];
  extKeyUsage?: string[];
  isCa: boolean;
}

const parseExtensions = (tbs: DerNode) => {
  const out: { keyUsage?: KeyUsageBit[]; extKeyUsage?: string[]; isCa: boolean } = { isCa: false };
  const wrapper = tbs.children.find((c) => c.tag === 0xa3);
  if (!wrapper) return out;
  for (const ext of child(wrapper, 0, TAG.SEQUENCE).children) {
    const id = decodeOid(child(ext, 0, TAG.OID));
    const value = parseDer(Buffer.from(ext.children[ext.children.length - 1]!.content));
    if (id === OID.keyUsage) {
      const bits = value.content.subarray(1);
      out.keyUsage = (Object.keys(KEY_USAGE_BITS) as KeyUsageBit[]).filter((k) => {
        const bit = KEY_USAGE_BITS[k];
        return ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
      });
    } else if (id === OID.extKeyUsage) {
      out.extKeyUsage = value.children.map(decodeOid);
    } else if (id === OID.basicConstraints) {
      const first = value.children[0];
      out.isCa = first?.tag === TAG.BOOLEAN && first.content[0] !== 0;
    }
  }
  return out;
};

export const parseCertificate = (der: Buffer): ParsedCertificate => {
  const cert = parseDer(der);
  const tbs = child(cert, 0, TAG.SEQUENCE);
  // version is an optional [0] EXPLICIT; everything after it is positional.
  const o = tbs.children[0]?.tag === 0xa0 ? 1 : 0;
  const serial = child(tbs, o, TAG.INTEGER);
  const issuer = child(tbs, o + 2, TAG.SEQUENCE);
  const validity = child(tbs, o + 3, TAG.SEQUENCE);
  const subject = child(tbs, o + 4, TAG.SEQUENCE);
  return {
    der,
    issuerNameDer: Buffer.from(issuer.raw),
    subjectNameDer: Buffer.from(subject.raw),
    serialNumberDer: Buffer.from(serial.raw),
    serialNumberHex: unsignedIntegerHex(serial),
    issuer: decodeName(issuer),
    subject: decodeName(subject),
    notBefore: decodeTime(child(validity, 0)),
    notAfter: decodeTime(child(validity, 1)),
    ...parseExtensions(tbs),
  };
};

export const pemToDer = (pem: string): Buffer => {
  const m = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/);
  if (!m?.[1]) throw new Error('not a PEM certificate');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
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
