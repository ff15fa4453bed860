/**
 * RFC 3161 time-stamp protocol structures on @peculiar/asn1-tsp: requests and responses (what
 * the HTTP client and any TSA exchange), tokens made by a TSA identity (the embedded TSA and the
 * test server both use createTimestampToken), and tokens read and checked (the verifier).
 *
 * A token is a CMS SignedData whose encapsulated content is a TSTInfo: the TSA signs "this
 * imprint existed at genTime". Checking one means: the TSTInfo imprint is the digest we expect,
 * the CMS messageDigest is the TSTInfo's digest, the signature verifies with the TSA's
 * certificate, signingCertificateV2 names that certificate, and the certificate is a TSA's
 * (extended key usage timeStamping only, critical). Chaining the certificate to a trusted root
 * is the caller's (verify.ts), as it is for signer certificates.
 *
 * May import: ./asn1, ./cms, ./oids, ./x509, @peculiar/asn1-*, node:crypto.
 */
import { createHash, KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { OctetString } from '@peculiar/asn1-schema';
import { Accuracy, MessageImprint, PKIFailureInfo, PKIFreeText, PKIStatus, PKIStatusInfo, TimeStampReq, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { ContentInfo } from '@peculiar/asn1-cms';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { encode, parseStrict, toArrayBuffer } from './asn1';
import { buildCmsSignedData, eContentDigest, parseCmsSignedData, ParsedCms, verifyCmsSignature } from './cms';
import { HASH_BY_OID, HASH_LENGTH, HashName, OID, OID_BY_HASH } from './oids';
import { parseCertificate, ParsedCertificate } from './x509';

export type { HashName } from './oids';

const imprintOf = (hashAlg: HashName, digest: Uint8Array) => {
  if (digest.length !== HASH_LENGTH[hashAlg]) throw new Error(`a ${hashAlg} digest is ${HASH_LENGTH[hashAlg]} bytes`);
  // RFC 3161 examples and OpenSSL put NULL parameters on the hash AlgorithmIdentifier; RFC 5754
  // allows both. We write absent parameters and accept either when reading.
  return new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID_BY_HASH[hashAlg] }), hashedMessage: new OctetString(digest) });
};

const hashOfImprint = (imprint: MessageImprint): HashName | undefined => HASH_BY_OID[imprint.hashAlgorithm.algorithm];

/** A positive INTEGER's content bytes from random bytes (nonces, serial numbers). */
export const randomPositiveInteger = (bytes = 16): Buffer => {
  const b = randomBytes(bytes);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b;
};

const stripLeadingZeros = (b: Buffer) => {
  let s = b;
  while (s.length > 1 && s[0] === 0) s = s.subarray(1);
  return s;
};

// ---------------------------------------------------------------------------------------------
// Request and response

export interface TimestampRequest {
  hashAlg: HashName;
  digest: Buffer;
  /** INTEGER content bytes; the response must echo it. */
  nonce?: Buffer;
  /** Ask the TSA to put its certificate in the token (we always do: the file must stand alone). */
  certReq: boolean;
  policy?: string;
}

export const encodeTimestampRequest = (r: TimestampRequest): Buffer =>
  encode(
    new TimeStampReq({
      messageImprint: imprintOf(r.hashAlg, r.digest),
      ...(r.policy ? { reqPolicy: r.policy } : {}),
      ...(r.nonce ? { nonce: toArrayBuffer(r.nonce) } : {}),
      certReq: r.certReq,
    }),
  );

export const parseTimestampRequest = (der: Buffer): TimestampRequest => {
  const req = parseStrict(der, TimeStampReq, 'TimeStampReq');
  const hashAlg = hashOfImprint(req.messageImprint);
  if (!hashAlg) throw new Error(`unsupported hash algorithm ${req.messageImprint.hashAlgorithm.algorithm}`);
  const digest = Buffer.from(req.messageImprint.hashedMessage.buffer);
  if (digest.length !== HASH_LENGTH[hashAlg]) throw new Error('message imprint has the wrong length');
  return {
    hashAlg,
    digest,
    ...(req.nonce ? { nonce: Buffer.from(req.nonce) } : {}),
    certReq: req.certReq,
    ...(req.reqPolicy ? { policy: req.reqPolicy } : {}),
  };
};

export type FailureInfo = 'badAlg' | 'badRequest' | 'badDataFormat' | 'timeNotAvailable' | 'unacceptedPolicy' | 'unacceptedExtension' | 'addInfoNotAvailable' | 'systemFailure';

export interface TimestampResponse {
  /** PKIStatus: 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4/5 revocation. */
  status: number;
  statusText?: string;
  failInfo?: FailureInfo[];
  token?: Buffer;
}

export const encodeTimestampResponse = (r: TimestampResponse): Buffer => {
  const failFlags = (r.failInfo ?? []).reduce((m, f) => m | FAIL_FLAGS[f], 0);
  return encode(
    new TimeStampResp({
      status: new PKIStatusInfo({
        status: r.status as PKIStatus,
        ...(r.statusText ? { statusString: new PKIFreeText([r.statusText]) } : {}),
        ...(failFlags ? { failInfo: new PKIFailureInfo(failFlags) } : {}),
      }),
      ...(r.token ? { timeStampToken: parseStrict(r.token, ContentInfo, 'TimeStampToken') } : {}),
    }),
  );
};

const FAIL_FLAGS: Record<FailureInfo, number> = {
  badAlg: 1,
  badRequest: 1 << 2,
  badDataFormat: 1 << 5,
  timeNotAvailable: 1 << 14,
  unacceptedPolicy: 1 << 15,
  unacceptedExtension: 1 << 16,
  addInfoNotAvailable: 1 << 17,
  systemFailure: 1 << 25,
};

export const parseTimestampResponse = (der: Buffer): TimestampResponse => {
  const resp = parseStrict(der, TimeStampResp, 'TimeStampResp');
  const flags = resp.status.failInfo ? resp.status.failInfo.toNumber() : 0;
  const failInfo = (Object.keys(FAIL_FLAGS) as FailureInfo[]).filter((f) => (flags & FAIL_FLAGS[f]) !== 0);
  return {
    status: resp.status.status,
    ...(resp.status.statusString?.length ? { statusText: resp.status.statusString.join(' ') } : {}),
    ...(failInfo.length ? { failInfo } : {}),
    ...(resp.timeStampToken ? { token: encode(resp.timeStampToken) } : {}),
  };
};

// ---------------------------------------------------------------------------------------------
// Making tokens (a TSA's side)

export interface TsaIdentity {
  certDer: Buffer;
  key: KeyObject;
  /** Issuing CA then root: carried in tokens when the request asks for certificates. */
  chainDers: readonly Buffer[];
  policy: string;
}

export interface TokenRequest {
  hashAlg: HashName;
  digest: Buffer;
  nonce?: Buffer;
  /** The TSA's time; recorded to the second with an accuracy of one second. */
  genTime: Date;
  serialNumber?: Buffer;
  includeCertificates: boolean;
}

/** A TimeStampToken (DER ContentInfo) for one imprint, signed by `tsa`. */
export const createTimestampToken = (tsa: TsaIdentity, r: TokenRequest): Buffer => {
  // Whole seconds: DER GeneralizedTime forbids trailing zeros in fractions, and a second is the
  // accuracy we claim anyway.
  const genTime = new Date(Math.floor(r.genTime.getTime() / 1000) * 1000);
  const tstInfo = encode(
    new TSTInfo({
      policy: tsa.policy,
      messageImprint: imprintOf(r.hashAlg, r.digest),
      serialNumber: toArrayBuffer(r.serialNumber ?? randomPositiveInteger(16)),
      genTime,
      accuracy: new Accuracy({ seconds: 1 }),
      ...(r.nonce ? { nonce: toArrayBuffer(r.nonce) } : {}),
    }),
  );
  return buildCmsSignedData({
    contentDigest: createHash('sha256').update(tstInfo).digest(),
    signerCertDer: tsa.certDer,
    // Without certReq the token still names its signer (signingCertificateV2); the relying party
    // must then have the certificate — we always ask for it.
    chainDers: r.includeCertificates ? tsa.chainDers : [],
    privateKey: tsa.key,
    signingTime: genTime,
    includeSigningTime: false,
    eContent: { type: OID.tstInfo, der: tstInfo },
  }).subarray(0);
};

// ---------------------------------------------------------------------------------------------
// Reading and checking tokens (a relying party's side)

export interface ParsedToken {
  der: Buffer;
  cms: ParsedCms;
  policy: string;
  hashAlg: HashName;
  imprint: Buffer;
  serialNumberHex: string;
  genTime: Date;
  nonce?: Buffer;
  /** The TSA certificate among the token's certificates (matched by issuer and serial), if carried. */
  tsaCertificate?: ParsedCertificate;
}

export const parseTimestampToken = (der: Buffer): ParsedToken => {
  const cms = parseCmsSignedData(der);
  if (cms.eContentType !== OID.tstInfo || !cms.eContent) throw new Error('timestamp token: content is not a TSTInfo');
  const tst = parseStrict(cms.eContent, TSTInfo, 'TSTInfo');
  const hashAlg = hashOfImprint(tst.messageImprint);
  if (!hashAlg) throw new Error(`timestamp token: unsupported imprint hash ${tst.messageImprint.hashAlgorithm.algorithm}`);
  let tsaCertificate: ParsedCertificate | undefined;
  for (const c of cms.certificates) {
    const p = parseCertificate(c);
    if (p.issuerNameDer.equals(cms.signerIssuerDer) && p.serialNumber.equals(cms.signerSerial)) tsaCertificate = p;
  }
  return {
    der,
    cms,
    policy: tst.policy,
    hashAlg,
    imprint: Buffer.from(tst.messageImprint.hashedMessage.buffer),
    serialNumberHex: stripLeadingZeros(Buffer.from(tst.serialNumber)).toString('hex').toUpperCase(),
    genTime: tst.genTime,
    ...(tst.nonce ? { nonce: Buffer.from(tst.nonce) } : {}),
    ...(tsaCertificate ? { tsaCertificate } : {}),
  };
};

export interface TokenCheck {
  /** The imprint is the digest of what the caller says was timestamped. */
  imprint: boolean;
  /** messageDigest = digest(TSTInfo), the TSA's signature verifies, signingCertificateV2 names its certificate. */
  signature: boolean;
  /** The signing certificate is a TSA certificate: extended key usage timeStamping only, critical. */
  tsaCertificate: boolean;
  problems: string[];
}

/**
 * Checks a parsed token against the data it should cover. `expected` is the digest of that data
 * with the token's own hash algorithm (the caller computes it: `digestFor(token.hashAlg)`).
 */
export const checkTimestampToken = (token: ParsedToken, expected: (hash: HashName) => Buffer): TokenCheck => {
  const problems: string[] = [];
  const imprint = token.imprint.equals(expected(token.hashAlg));
  if (!imprint) problems.push('时间戳的消息摘要（imprint）与被盖时间戳的数据不符');
  let signature = false;
  let tsaCertificate = false;
  const cert = token.tsaCertificate;
  if (!cert) problems.push('时间戳中没有时间戳服务（TSA）的证书');
  else {
    const x = new X509Certificate(cert.der);
    const digestOk = !!token.cms.messageDigest && token.cms.messageDigest.equals(eContentDigest(token.cms) ?? Buffer.alloc(0));
    const sigOk = verifyCmsSignature(token.cms, x);
    const essOk = !token.cms.signingCertificateHash || token.cms.signingCertificateHash.equals(createHash('sha256').update(cert.der).digest());
    if (!digestOk) problems.push('时间戳的 TSTInfo 摘要与其签名属性不符');
    if (!sigOk) problems.push('时间戳服务的签名值无效');
    if (!token.cms.signingCertificateHash) problems.push('时间戳缺少 signingCertificateV2 属性');
    else if (!essOk) problems.push('时间戳的 signingCertificateV2 与 TSA 证书不符');
    if (token.cms.contentType !== OID.tstInfo) problems.push('时间戳的 contentType 属性不是 TSTInfo');
    signature = digestOk && sigOk && essOk && !!token.cms.signingCertificateHash && token.cms.contentType === OID.tstInfo;
    tsaCertificate = cert.extKeyUsageCritical && cert.extKeyUsage?.length === 1 && cert.extKeyUsage[0] === OID.kpTimeStamping;
    if (!tsaCertificate) problems.push('时间戳签名证书不是时间戳服务证书（扩展密钥用途须仅为 timeStamping 且为关键扩展）');
  }
  return { imprint, signature, tsaCertificate, problems };
};
