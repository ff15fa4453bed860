/**
 * Independent verification of a signed contract PDF — what a court's expert or any validator
 * would check, with nothing from us but the root's fingerprint:
 *  - per signature: the byte range is sound and leaves out exactly its /Contents; the CMS is
 *    strict DER; the digest matches; the signature verifies under an algorithm consistent with
 *    the key and digest; signingCertificateV2 names the signer's certificate; every certificate
 *    embedded is intact (DER, its own signature verifies); the chain ends at a root whose SHA-256
 *    fingerprint is the configured one (the file is never trusted for the anchor); the
 *    certificates were valid, and not revoked per the DSS CRLs, at the signature's trusted time;
 *  - per signature timestamp (PAdES B-T) and document timestamp (B-LTA): the token is strict DER,
 *    its imprint is the digest of what it stamps, the TSA's signature holds, the TSA certificate
 *    is a TSA's and chains to the configured root;
 *  - for the document: nothing appended after the last signature (an unsigned revision and bytes
 *    after the last %%EOF are told apart), later revisions only add signatures, a DSS and
 *    document timestamps, and which PAdES level the file reaches.
 *
 * Each failure has a code (VerifyFailureCode) naming the check that failed, plus a Chinese
 * message. Never throws on hostile input: every failure becomes part of the report.
 *
 * May import: ./asn1, ./cms, ./crl, ./dss, ./oids, ./pdf-signatures, ./revisions, ./timestamp,
 * ./x509, @cantoo/pdf-lib, node:crypto.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { PDFDocument, PDFName, PDFString } from '@cantoo/pdf-lib';
import { Asn1Error } from './asn1';
import { parseCmsSignedData, ParsedCms, signatureAlgorithmProblem, verifyCmsSignature } from './cms';
import { hashOfSignatureAlgorithm, parseCrl, ParsedCrl, verifyCrl } from './crl';
import { readDss } from './dss';
import { HashName, OID } from './oids';
import { byteRangeOf, contentsDer, contentsOf, isDocumentTimestamp, pdfText, SignatureField, signatureFields, subFilterOf } from './pdf-signatures';
import { revisionEnds, unexpectedChanges } from './revisions';
import { checkTimestampToken, parseTimestampToken, ParsedToken } from './timestamp';
import { CertificateInfo, describeCertificate, fingerprintHex, nameToText, normalizeFingerprint, parseCertificate, ParsedCertificate } from './x509';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface VerifyOptions {
  /**
   * SHA-256 fingerprint(s) of the root(s) we trust, from configuration ("AB:CD:…" or plain hex).
   * The root certificate itself may then come from the file: it is trusted only if its bytes hash
   * to this value.
   */
  trustedRootSha256?: string | readonly string[];
  /** Or the root certificate(s) (PEM, from configuration): the same, by their fingerprints. */
  trustedRootPem?: string | readonly string[];
  /** The level the file must reach to be valid (default B-B: every signature valid). */
  requireLevel?: PadesLevel;
}

/** What failed, by name: the verifier's contract with its callers and the CLI. */
export type VerifyFailureCode =
  | 'PDF_UNREADABLE'
  | 'TOO_MANY_REVISIONS'
  | 'NO_SIGNATURES'
  | 'BYTE_RANGE'
  | 'NOT_DER'
  | 'CMS_MALFORMED'
  | 'CONTENTS_PADDING'
  | 'DIGEST_MISMATCH'
  | 'ALGORITHM_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SIGNING_CERTIFICATE_MISMATCH'
  | 'SIGNER_CERTIFICATE_MISSING'
  | 'CERTIFICATE_ALTERED'
  | 'ROOT_COPY_ALTERED'
  | 'UNTRUSTED_CHAIN'
  | 'NOT_VALID_AT_SIGNING_TIME'
  | 'KEY_USAGE'
  | 'REVOKED'
  | 'NO_SIGNING_TIME'
  | 'TIMESTAMP_MISSING'
  | 'TIMESTAMP_MALFORMED'
  | 'TIMESTAMP_IMPRINT_MISMATCH'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_UNTRUSTED'
  | 'CLAIMED_TIME_AFTER_TIMESTAMP'
  | 'APPENDED_BYTES'
  | 'UNSIGNED_REVISION'
  | 'NOT_AT_REVISION_END'
  | 'LATER_CHANGE'
  | 'DSS_INVALID'
  | 'LEVEL_NOT_REACHED';

export interface VerifyFailure {
  code: VerifyFailureCode;
  message: string;
}

export interface SignatureCheck {
  /** The signed ranges are well formed and leave out exactly this signature's /Contents. */
  byteRange: boolean;
  /** Digest of the signed ranges equals the signed messageDigest (the token imprint for a document timestamp). */
  digest: boolean;
  /** The CMS signature over the signed attributes verifies with the signer's key, algorithms consistent. */
  signature: boolean;
  /** The signer certificate chains to a configured root, every link signed by the next. */
  chain: boolean;
  /** Every certificate of the chain was within its validity period (and not revoked) at the signature's time. */
  validAtSigningTime: boolean;
  /** The signer certificate allows document signatures (a TSA's allows timestamping). */
  keyUsage: boolean;
  /** Every certificate embedded in the signature is strict DER and verifies under its issuer. */
  certificates: boolean;
}

export interface TimestampReport {
  /** genTime, the TSA's (ISO). */
  time?: string;
  tsa?: string;
  policy?: string;
  imprint: boolean;
  signature: boolean;
  chain: boolean;
  valid: boolean;
}

export interface SignatureReport {
  fieldName: string;
  /** A party's (or the platform's) signature, or a document timestamp. */
  kind: 'signature' | 'document-timestamp';
  signerName?: string;
  /** The certificate's serialNumber attribute: our non-reversible signer identifier. */
  identifier?: string;
  /**
   * The signature's time: the signature timestamp's genTime when one verifies (trusted), else the
   * CMS signingTime or /M (claimed by the signer).
   */
  signingTime?: string;
  signingTimeSource?: 'timestamp' | 'claimed';
  subFilter?: string;
  reason?: string;
  byteRange?: number[];
  /** End of the signed data (= end of the revision the signature belongs to). */
  signedUpTo?: number;
  /** The signed ranges reach the end of the file. */
  coversWholeFile: boolean;
  certificate?: CertificateInfo;
  checks: SignatureCheck;
  /** The signature timestamp (party signatures) or the document timestamp itself. */
  timestamp?: TimestampReport;
  /** Changes made after this signature that are not signatures (empty for the last one when nothing follows). */
  laterChanges: string[];
  failures: VerifyFailure[];
  /** The failures' messages (and later changes), for display. */
  problems: string[];
  valid: boolean;
}

export interface VerifyReport {
  valid: boolean;
  signatures: SignatureReport[];
  /** Bytes follow the last signature's signed range: an unsigned change or appended bytes. */
  modifiedAfterLastSignature: boolean;
  unsignedBytes: number;
  /** Number of revisions (original plus incremental updates). */
  revisions: number;
  fileSha256: string;
  /** The highest PAdES baseline level every party signature reaches (undefined when not even B-B). */
  level?: PadesLevel;
  dss?: { certificates: number; crls: number; vri: number };
  /** The trust anchor(s) used: SHA-256 fingerprints from configuration. */
  trustedRoots: string[];
  failures: VerifyFailure[];
  problems: string[];
}

const MAX_REVISIONS = 64;
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

const FAILED_CHECKS: SignatureCheck = {
  byteRange: false,
  digest: false,
  signature: false,
  chain: false,
  validAtSigningTime: false,
  keyUsage: false,
  certificates: false,
};

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Checks the range geometry against the /Contents bytes found in the gap, or names the problem. */
const checkByteRange = (bytes: Buffer, br: number[], contents: Uint8Array): string | undefined => {
  if (br.length !== 4 || !br.every((n) => Number.isSafeInteger(n) && n >= 0)) return '/ByteRange 格式错误';
  const [a, b, c, d] = br as [number, number, number, number];
  if (a !== 0) return '/ByteRange 未从文件开头开始';
  if (!(b < c) || c + d > bytes.length) return '/ByteRange 超出文件范围';
  if (bytes[b] !== 0x3c || bytes[c - 1] !== 0x3e) return '/ByteRange 的间隙不是 /Contents 十六进制串';
  for (let i = b + 1; i < c - 1; i++) if (!isHex(bytes[i]!)) return '/ByteRange 的间隙含有非十六进制内容';
  const gap = Buffer.from(bytes.toString('latin1', b + 1, c - 1), 'hex');
  if (!gap.equals(Buffer.from(contents))) return '/ByteRange 的间隙不是本签名的 /Contents';
  return undefined;
};

const pdfDate = (v: unknown): Date | undefined => {
  try {
    return v instanceof PDFString ? v.decodeDate() : undefined;
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------------------------------------
// Certificates: a pool from the file, anchors by fingerprint

interface PoolCert {
  parsed: ParsedCertificate;
  x509: X509Certificate;
  fingerprint: string;
}

const subjectText = (p: ParsedCertificate) => nameToText(p.subject) || '(无名称)';

class Trust {
  constructor(
    readonly anchors: ReadonlySet<string>,
    /** DSS certificates and configured root PEMs: available to every chain. */
    private readonly shared: readonly PoolCert[],
    private readonly crls: readonly ParsedCrl[],
  ) {}

  /** Reads a certificate; undefined (with the reason) when it is not strict DER or not X.509. */
  static read(der: Buffer): PoolCert | { error: string } {
    try {
      const parsed = parseCertificate(der);
      return { parsed, x509: new X509Certificate(der), fingerprint: fingerprintHex(der) };
    } catch (e) {
      return { error: e instanceof Asn1Error && e.reason === 'not-der' ? '不是严格的 DER 编码' : '无法解析' };
    }
  }

  /** The issuer of `c` in `pool`; a configured anchor first, so a forged copy beside it cannot divert the chain. */
  private issuerOf(c: PoolCert, pool: readonly PoolCert[]): PoolCert | undefined {
    const issuers = pool.filter((cand) => cand.fingerprint !== c.fingerprint && c.x509.checkIssued(cand.x509) && safeVerify(c.x509, cand.x509));
    return issuers.find((i) => this.anchors.has(i.fingerprint)) ?? issuers.find((i) => i.x509.ca) ?? issuers[0];
  }

  /**
   * Every certificate embedded in a signature must be intact: strict DER, outer and inner
   * signature algorithms equal (RFC 5280 §4.1.1.2), and a signature that verifies under its
   * issuer (found in the file) or itself (a root copy). Bytes changed inside a certificate in
   * /Contents are caught here, though no digest covers them.
   */
  embeddedFailures(ders: readonly Buffer[], label: string): { certs: PoolCert[]; failures: VerifyFailure[] } {
    const failures: VerifyFailure[] = [];
    const certs: PoolCert[] = [];
    ders.forEach((der, i) => {
      const r = Trust.read(der);
      if ('error' in r) failures.push({ code: 'CERTIFICATE_ALTERED', message: `${label}中的第 ${i + 1} 个证书${r.error}` });
      else certs.push(r);
    });
    const pool = [...certs, ...this.shared];
    for (const c of certs) {
      const name = subjectText(c.parsed);
      if (!c.parsed.signatureAlgorithmDer.equals(c.parsed.tbsSignatureAlgorithmDer) || !hashOfSignatureAlgorithm(c.parsed.signatureAlgorithm)) {
        failures.push({ code: 'ALGORITHM_MISMATCH', message: `${label}中的证书 ${name} 的签名算法 OID ${c.parsed.signatureAlgorithm} 与其 TBSCertificate 中的不一致或不受支持` });
        continue;
      }
      // A root (copy): self-issued, or with no authority key identifier, or one naming its own key.
      const rootLike =
        c.parsed.issuerNameDer.equals(c.parsed.subjectNameDer) ||
        (c.parsed.isCa && (!c.parsed.authorityKeyId || (!!c.parsed.subjectKeyId && c.parsed.authorityKeyId.equals(c.parsed.subjectKeyId))));
      if (rootLike) {
        if (!safeVerify(c.x509, c.x509)) {
          const anchored = this.anchors.has(c.fingerprint);
          failures.push({
            code: 'ROOT_COPY_ALTERED',
            message: `${label}中的根证书副本 ${name} 已被改动：自签名无效${anchored ? '' : '，其 SHA-256 指纹与配置的根证书不符'}`,
          });
        }
        continue;
      }
      const byName = pool.filter((cand) => cand.parsed.subjectNameDer.equals(c.parsed.issuerNameDer) && cand.fingerprint !== c.fingerprint);
      if (byName.length && !byName.some((cand) => safeVerify(c.x509, cand.x509))) {
        failures.push({ code: 'CERTIFICATE_ALTERED', message: `${label}中的证书 ${name} 的签名无法由其签发者验证：证书内容被改动` });
      }
    }
    return { certs, failures };
  }

  /** Builds the chain from `leaf` to a configured anchor through `pool` (+ shared), checking validity at `at`. */
  chain(leaf: PoolCert, pool: readonly PoolCert[], at: Date | undefined): { trusted: boolean; validAt: boolean; path: PoolCert[]; failures: VerifyFailure[] } {
    const all = [...pool, ...this.shared];
    const failures: VerifyFailure[] = [];
    const path: PoolCert[] = [];
    let validAt = !!at;
    let current = leaf;
    for (let depth = 0; depth < 6; depth++) {
      path.push(current);
      if (at && !(current.parsed.notBefore.getTime() <= at.getTime() && at.getTime() <= current.parsed.notAfter.getTime())) {
        validAt = false;
        failures.push({ code: 'NOT_VALID_AT_SIGNING_TIME', message: `证书 ${subjectText(current.parsed)} 在签署时间不在有效期内` });
      }
      if (this.anchors.has(current.fingerprint)) {
        if (!safeVerify(current.x509, current.x509) || !current.x509.ca) {
          failures.push({ code: 'UNTRUSTED_CHAIN', message: '配置指纹对应的证书不是有效的自签名根 CA 证书' });
          return { trusted: false, validAt, path, failures };
        }
        return { trusted: true, validAt, path, failures };
      }
      const issuer = this.issuerOf(current, all);
      if (!issuer) {
        const named = all.find((c) => c.parsed.subjectNameDer.equals(current.parsed.issuerNameDer) && c.parsed.issuerNameDer.equals(c.parsed.subjectNameDer));
        failures.push({
          code: 'UNTRUSTED_CHAIN',
          message: named
            ? `证书链无法连接到受信任的根证书：文件中的根证书 ${subjectText(named.parsed)}（SHA-256 ${named.fingerprint}）不是配置的根证书`
            : '证书链无法连接到受信任的根证书',
        });
        return { trusted: false, validAt, path, failures };
      }
      if (!issuer.x509.ca) {
        failures.push({ code: 'UNTRUSTED_CHAIN', message: '证书链中的签发者不是 CA 证书' });
        return { trusted: false, validAt, path, failures };
      }
      if (issuer.fingerprint === current.fingerprint) break;
      current = issuer;
    }
    failures.push({ code: 'UNTRUSTED_CHAIN', message: '证书链过长或无法连接到受信任的根证书' });
    return { trusted: false, validAt, path, failures };
  }

  /** Revocation per the DSS CRLs: each non-root link against a CRL its issuer signed. */
  revocation(path: readonly PoolCert[]): { covered: boolean; failures: VerifyFailure[] } {
    const failures: VerifyFailure[] = [];
    let covered = true;
    for (let i = 0; i + 1 < path.length; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      const crls = this.crls.filter((c) => verifyCrl(c, issuer.x509, issuer.parsed.subjectNameDer));
      if (!crls.length) covered = false;
      if (crls.some((c) => c.revokedSerials.includes(cert.parsed.serialNumberHex))) {
        failures.push({ code: 'REVOKED', message: `证书 ${subjectText(cert.parsed)} 已被吊销（DSS 中其签发者的 CRL 列有它）` });
      }
    }
    return { covered, failures };
  }
}

const safeVerify = (cert: X509Certificate, issuer: X509Certificate): boolean => {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Timestamps

interface TimestampCheck {
  report: TimestampReport;
  failures: VerifyFailure[];
  time?: Date;
  /** The TSA chain, for revocation coverage. */
  path: PoolCert[];
}

const checkToken = (der: Buffer, expected: (h: HashName) => Buffer, trust: Trust, label: string, extraPool: readonly PoolCert[] = []): TimestampCheck => {
  const failures: VerifyFailure[] = [];
  let token: ParsedToken;
  try {
    token = parseTimestampToken(der);
  } catch (e) {
    const notDer = e instanceof Asn1Error && e.reason === 'not-der';
    failures.push({ code: notDer ? 'NOT_DER' : 'TIMESTAMP_MALFORMED', message: `${label}无法解析：${notDer ? '不是严格的 DER 编码' : (e as Error).message}` });
    return { report: { imprint: false, signature: false, chain: false, valid: false }, failures, path: [] };
  }
  const check = checkTimestampToken(token, expected);
  if (!check.imprint) failures.push({ code: 'TIMESTAMP_IMPRINT_MISMATCH', message: `${label}的消息摘要（imprint）与被盖时间戳的数据不符` });
  if (!check.signature || !check.tsaCertificate) {
    for (const p of check.problems.filter((x) => !x.includes('imprint'))) failures.push({ code: 'TIMESTAMP_INVALID', message: `${label}：${p}` });
  }
  const embedded = trust.embeddedFailures(token.cms.certificates, label);
  failures.push(...embedded.failures);
  let chainOk = false;
  let path: PoolCert[] = [];
  const tsaCert = embedded.certs.find((c) => token.tsaCertificate && c.parsed.der.equals(token.tsaCertificate.der));
  if (tsaCert) {
    const chain = trust.chain(tsaCert, [...embedded.certs, ...extraPool], token.genTime);
    chainOk = chain.trusted && chain.validAt;
    path = chain.path;
    for (const f of chain.failures) failures.push({ code: f.code === 'UNTRUSTED_CHAIN' ? 'TIMESTAMP_UNTRUSTED' : f.code, message: `${label}：${f.message}` });
    const rev = trust.revocation(chain.path);
    failures.push(...rev.failures.map((f) => ({ ...f, message: `${label}：${f.message}` })));
  }
  const valid = check.imprint && check.signature && check.tsaCertificate && chainOk && embedded.failures.length === 0;
  return {
    report: {
      time: token.genTime.toISOString(),
      ...(token.tsaCertificate ? { tsa: subjectText(token.tsaCertificate) } : {}),
      policy: token.policy,
      imprint: check.imprint,
      signature: check.signature && check.tsaCertificate,
      chain: chainOk,
      valid,
    },
    failures,
    time: valid ? token.genTime : undefined,
    path,
  };
};

// ---------------------------------------------------------------------------------------------
// One signature

interface Verified {
  report: SignatureReport;
  /** For the level: whether the chains are covered by DSS revocation data. */
  revocationCovered: boolean;
}

const newReport = (field: SignatureField, kind: SignatureReport['kind']): SignatureReport => ({
  fieldName: field.name,
  kind,
  subFilter: subFilterOf(field.sig),
  reason: pdfText(field.sig.lookup(PDFName.of('Reason'))),
  coversWholeFile: false,
  checks: { ...FAILED_CHECKS },
  laterChanges: [],
  failures: [],
  problems: [],
  valid: false,
});

const verifyOne = (bytes: Buffer, field: SignatureField, trust: Trust): Verified => {
  const dts = isDocumentTimestamp(field.sig);
  const report = newReport(field, dts ? 'document-timestamp' : 'signature');
  const { checks, failures } = report;
  const fail = (code: VerifyFailureCode, message: string) => failures.push({ code, message });
  const br = byteRangeOf(field.sig);
  const contents = contentsOf(field.sig);
  if (!br || !contents) {
    fail('BYTE_RANGE', '签名字典缺少 /ByteRange 或 /Contents');
    return { report, revocationCovered: false };
  }
  report.byteRange = br;
  const brProblem = checkByteRange(bytes, br, contents);
  if (brProblem) {
    fail('BYTE_RANGE', brProblem);
    return { report, revocationCovered: false };
  }
  checks.byteRange = true;
  const [, b, c, d] = br as [number, number, number, number];
  report.signedUpTo = c + d;
  report.coversWholeFile = c + d === bytes.length;
  const rangeDigest = (h: HashName) => createHash(h).update(bytes.subarray(0, b)).update(bytes.subarray(c, c + d)).digest();

  const der = contentsDer(contents);
  if (!der) {
    fail('CMS_MALFORMED', '/Contents 不是 ASN.1 数据');
    return { report, revocationCovered: false };
  }
  if (Buffer.from(contents.subarray(der.length)).some((x) => x !== 0)) fail('CONTENTS_PADDING', '/Contents 在签名数据之后含有多余数据');

  if (dts) {
    // A document timestamp: the token itself is the signature; its imprint is the range digest.
    const ts = checkToken(der, rangeDigest, trust, '文档时间戳');
    report.timestamp = ts.report;
    failures.push(...ts.failures);
    checks.digest = ts.report.imprint;
    checks.signature = ts.report.signature;
    checks.chain = ts.report.chain;
    checks.validAtSigningTime = ts.report.chain;
    checks.keyUsage = ts.report.signature;
    checks.certificates = !ts.failures.some((f) => f.code === 'CERTIFICATE_ALTERED' || f.code === 'ROOT_COPY_ALTERED');
    if (ts.report.time) {
      report.signingTime = ts.report.time;
      report.signingTimeSource = 'timestamp';
    }
    report.signerName = ts.report.tsa;
    return { report, revocationCovered: ts.path.length > 0 && trust.revocation(ts.path).covered };
  }

  let cms: ParsedCms;
  try {
    cms = parseCmsSignedData(der);
  } catch (e) {
    if (e instanceof Asn1Error && e.reason === 'not-der') fail('NOT_DER', `签名数据（CMS）不是严格的 DER 编码（${e.what}）：/Contents 被改动`);
    else fail('CMS_MALFORMED', `签名数据（CMS）无法解析：${(e as Error).message}`);
    return { report, revocationCovered: false };
  }

  checks.digest = !!cms.messageDigest && rangeDigest(cms.digestAlgorithm).equals(cms.messageDigest);
  if (!checks.digest) fail('DIGEST_MISMATCH', '文档摘要不匹配：签名范围内的内容在签名后被修改');
  if (cms.contentType !== OID.data) fail('CMS_MALFORMED', 'CMS contentType 属性缺失或错误');
  if (report.subFilter === 'ETSI.CAdES.detached' && cms.signingTime) fail('CMS_MALFORMED', 'PAdES 签名不应含 signingTime 属性');

  const embedded = trust.embeddedFailures(cms.certificates, '签名数据');
  failures.push(...embedded.failures);
  checks.certificates = embedded.failures.length === 0;
  const signer = embedded.certs.find((p) => p.parsed.issuerNameDer.equals(cms.signerIssuerDer) && p.parsed.serialNumber.equals(cms.signerSerial));
  if (!signer) {
    fail('SIGNER_CERTIFICATE_MISSING', '签名数据中找不到签名人证书');
    return { report, revocationCovered: false };
  }
  report.certificate = describeCertificate(signer.parsed.der);
  report.signerName = report.certificate.subject.commonName;
  report.identifier = report.certificate.subject.identifier;
  const algProblem = signatureAlgorithmProblem(cms, signer.x509);
  if (algProblem) fail('ALGORITHM_MISMATCH', algProblem);
  checks.signature = !algProblem && verifyCmsSignature(cms, signer.x509);
  if (!algProblem && !checks.signature) fail('SIGNATURE_INVALID', '签名值无效');
  if (!cms.signingCertificateHash) {
    if (report.subFilter === 'ETSI.CAdES.detached') {
      checks.signature = false;
      fail('SIGNING_CERTIFICATE_MISMATCH', 'PAdES 签名缺少 signingCertificateV2 属性');
    }
  } else if (!cms.signingCertificateHash.equals(createHash('sha256').update(signer.parsed.der).digest())) {
    checks.signature = false;
    fail('SIGNING_CERTIFICATE_MISMATCH', 'signingCertificateV2 与签名人证书不符：签名人证书被替换或改动');
  }

  // The signature timestamp (B-T): over the SignerInfo's signature value.
  const tokens = cms.unsignedAttributes.filter((a) => a.type === OID.signatureTimeStampToken).flatMap((a) => a.values);
  let trustedTime: Date | undefined;
  let tsPath: PoolCert[] = [];
  if (tokens.length) {
    const ts = checkToken(tokens[0]!, (h) => createHash(h).update(cms.signature).digest(), trust, '签名时间戳', embedded.certs);
    report.timestamp = ts.report;
    failures.push(...ts.failures);
    trustedTime = ts.time;
    tsPath = ts.path;
  }
  const claimed = cms.signingTime ?? pdfDate(field.sig.lookup(PDFName.of('M')));
  const at = trustedTime ?? claimed;
  report.signingTime = at?.toISOString();
  if (at) report.signingTimeSource = trustedTime ? 'timestamp' : 'claimed';
  else fail('NO_SIGNING_TIME', '签名没有签署时间');
  if (trustedTime && claimed && claimed.getTime() > trustedTime.getTime() + CLOCK_SKEW_MS) {
    fail('CLAIMED_TIME_AFTER_TIMESTAMP', '签名声称的时间晚于其时间戳的时间');
  }

  const chain = trust.chain(signer, embedded.certs, at);
  checks.chain = chain.trusted;
  failures.push(...chain.failures);
  const rev = trust.revocation(chain.path);
  failures.push(...rev.failures);
  checks.validAtSigningTime = chain.validAt && rev.failures.length === 0;
  checks.keyUsage =
    !signer.parsed.isCa &&
    (signer.parsed.keyUsage === undefined || signer.parsed.keyUsage.some((k) => k === 'digitalSignature' || k === 'nonRepudiation'));
  if (!checks.keyUsage) fail('KEY_USAGE', '签名人证书不允许用于签名');
  const tsCovered = tsPath.length === 0 || trust.revocation(tsPath).covered;
  return { report, revocationCovered: chain.trusted && rev.covered && tsCovered };
};

// ---------------------------------------------------------------------------------------------
// The document

const anchorsFrom = (options: VerifyOptions): { fingerprints: Set<string>; pems: PoolCert[]; failures: VerifyFailure[] } => {
  const fingerprints = new Set<string>();
  const pems: PoolCert[] = [];
  const failures: VerifyFailure[] = [];
  const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T]);
  for (const fp of list(options.trustedRootSha256)) {
    try {
      fingerprints.add(normalizeFingerprint(fp));
    } catch {
      failures.push({ code: 'UNTRUSTED_CHAIN', message: `配置的根证书指纹格式错误：${fp.slice(0, 80)}` });
    }
  }
  for (const pem of list(options.trustedRootPem)) {
    try {
      const x = new X509Certificate(pem);
      const r = Trust.read(Buffer.from(x.raw));
      if ('error' in r) throw new Error(r.error);
      pems.push(r);
      fingerprints.add(r.fingerprint);
    } catch {
      failures.push({ code: 'UNTRUSTED_CHAIN', message: '配置的根证书无法解析' });
    }
  }
  return { fingerprints, pems, failures };
};

export const verifyPdf = async (input: Uint8Array, options: VerifyOptions): Promise<VerifyReport> => {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const anchors = anchorsFrom(options);
  const revisions = revisionEnds(bytes);
  const ends = revisions.flatMap((r) => r.ends);
  const report: VerifyReport = {
    valid: false,
    signatures: [],
    modifiedAfterLastSignature: false,
    unsignedBytes: 0,
    revisions: revisions.length,
    fileSha256: createHash('sha256').update(bytes).digest('hex'),
    trustedRoots: [...anchors.fingerprints],
    failures: [...anchors.failures],
    problems: [],
  };
  const finish = (): VerifyReport => {
    for (const s of report.signatures) s.problems = [...s.failures.map((f) => f.message), ...s.laterChanges];
    report.problems = report.failures.map((f) => f.message);
    return report;
  };
  if (revisions.length > MAX_REVISIONS) {
    // Each revision is parsed separately; a file with hundreds of them is not a contract of ours.
    report.failures.push({ code: 'TOO_MANY_REVISIONS', message: `修订版本过多（${revisions.length}），不予校验` });
    return finish();
  }

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (e) {
    report.failures.push({ code: 'PDF_UNREADABLE', message: `PDF 无法解析：${(e as Error).message}` });
    return finish();
  }

  // Revisions are read by truncating the file after each "%%EOF". Signatures are collected from
  // every revision, not only the last: an update that drops an earlier signer's field must not
  // make that signature disappear from the report.
  const loaded = new Map<number, PDFDocument | null>();
  const revisionAt = async (end: number) => {
    if (end >= bytes.length) return doc;
    if (!loaded.has(end)) {
      loaded.set(end, await PDFDocument.load(bytes.subarray(0, end), { updateMetadata: false, ignoreEncryption: true }).catch(() => null));
    }
    return loaded.get(end) ?? null;
  };
  const keyOf = (f: SignatureField) => `${f.name}|${(byteRangeOf(f.sig) ?? []).join(' ')}`;
  const finalFields = signatureFields(doc);
  const finalKeys = new Set(finalFields.map(keyOf));
  const fields = new Map<string, SignatureField>();
  for (const r of revisions.slice(0, -1)) {
    const rev = await revisionAt(r.ends[0]!);
    for (const f of rev ? signatureFields(rev) : []) if (!fields.has(keyOf(f))) fields.set(keyOf(f), f);
  }
  for (const f of finalFields) if (!fields.has(keyOf(f))) fields.set(keyOf(f), f);

  // The DSS of the final revision: certificates every chain may use, CRLs for revocation.
  const dss = readDss(doc);
  const dssFailures: VerifyFailure[] = [];
  const crls: ParsedCrl[] = [];
  for (const [i, der] of dss.crls.entries()) {
    try {
      crls.push(parseCrl(der));
    } catch {
      dssFailures.push({ code: 'DSS_INVALID', message: `DSS 中的第 ${i + 1} 个 CRL 不是严格 DER 或无法解析` });
    }
  }
  const shared: PoolCert[] = [...anchors.pems];
  for (const [i, der] of dss.certificates.entries()) {
    const r = Trust.read(der);
    if ('error' in r) dssFailures.push({ code: 'DSS_INVALID', message: `DSS 中的第 ${i + 1} 个证书${r.error}` });
    else shared.push(r);
  }
  if (dss.certificates.length || dss.crls.length) report.dss = { certificates: dss.certificates.length, crls: dss.crls.length, vri: dss.vriKeys.length };
  const trust = new Trust(anchors.fingerprints, shared, crls);
  report.failures.push(...dssFailures);

  const covered = new Map<SignatureReport, boolean>();
  for (const [key, field] of fields) {
    let v: Verified;
    try {
      v = verifyOne(bytes, field, trust);
    } catch (e) {
      const r = newReport(field, isDocumentTimestamp(field.sig) ? 'document-timestamp' : 'signature');
      r.failures.push({ code: 'CMS_MALFORMED', message: `签名无法校验：${(e as Error).message}` });
      v = { report: r, revocationCovered: false };
    }
    if (!finalKeys.has(key)) v.report.laterChanges.push(`签名域 ${field.name} 在后续修订中被移除`);
    covered.set(v.report, v.revocationCovered);
    report.signatures.push(v.report);
  }
  report.signatures.sort((x, y) => (x.signedUpTo ?? 0) - (y.signedUpTo ?? 0));
  if (report.signatures.length === 0) report.failures.push({ code: 'NO_SIGNATURES', message: '文档没有签名' });

  // After the last signature: nothing, an unsigned revision, or bytes that belong to no revision.
  const lastEnd = Math.max(0, ...report.signatures.map((s) => s.signedUpTo ?? 0));
  report.unsignedBytes = bytes.length - lastEnd;
  report.modifiedAfterLastSignature = report.signatures.length > 0 && lastEnd < bytes.length;
  if (report.modifiedAfterLastSignature) {
    // A revision is unsigned when its %%EOF comes after the last signed byte; anything after the
    // last revision's end belongs to no revision at all.
    const later = revisions.filter((r) => r.marker >= lastEnd);
    const revisionsEnd = Math.max(lastEnd, ...later.flatMap((r) => r.ends));
    if (later.length) {
      report.failures.push({ code: 'UNSIGNED_REVISION', message: `最后一个签名之后追加了 ${later.length} 个未签名的修订版本（${revisionsEnd - lastEnd} 字节）` });
    }
    if (bytes.length > revisionsEnd) {
      report.failures.push({
        code: 'APPENDED_BYTES',
        message: `文件在最后一个修订版本（%%EOF）之后附加了 ${bytes.length - revisionsEnd} 字节，不属于任何修订版本`,
      });
    }
  }

  // Each signature must end where a revision ends, and what later revisions changed must be
  // signatures, document timestamps or the DSS only.
  for (const s of report.signatures) {
    if (s.signedUpTo === undefined) continue;
    if (!ends.includes(s.signedUpTo)) {
      s.failures.push({ code: 'NOT_AT_REVISION_END', message: '签名范围没有在某个修订版本的结尾处结束' });
      s.checks.byteRange = false;
      continue;
    }
    if (s.signedUpTo === lastEnd && !report.modifiedAfterLastSignature) continue;
    const before = await revisionAt(s.signedUpTo);
    if (!before) {
      s.laterChanges.push('无法读取签署时的修订版本');
      continue;
    }
    s.laterChanges.push(...unexpectedChanges(before, doc));
  }

  for (const s of report.signatures) {
    s.valid = Object.values(s.checks).every(Boolean) && s.failures.length === 0 && (s.timestamp?.valid ?? true);
  }

  // The level every party signature reaches.
  const parties = report.signatures.filter((s) => s.kind === 'signature');
  const docTimestamps = report.signatures.filter((s) => s.kind === 'document-timestamp');
  if (parties.length && parties.every((s) => s.valid)) {
    report.level = 'B-B';
    if (parties.every((s) => s.timestamp?.valid)) {
      report.level = 'B-T';
      const lt = !!report.dss && dssFailures.length === 0 && parties.every((s) => covered.get(s));
      if (lt) {
        report.level = 'B-LT';
        const last = docTimestamps.at(-1);
        const dssBefore = last?.signedUpTo !== undefined ? await revisionAt(last.signedUpTo) : null;
        if (last?.valid && dssBefore && readDss(dssBefore).certificates.length && last.signedUpTo! >= Math.max(...parties.map((s) => s.signedUpTo ?? 0))) {
          report.level = 'B-LTA';
        }
      }
    }
  }
  const required = options.requireLevel;
  if (required && report.signatures.length && (!report.level || LEVELS.indexOf(report.level) < LEVELS.indexOf(required))) {
    const missing = parties.filter((s) => !s.timestamp).map((s) => s.fieldName);
    if (LEVELS.indexOf(required) >= 1 && missing.length) {
      for (const s of parties.filter((x) => !x.timestamp)) s.failures.push({ code: 'TIMESTAMP_MISSING', message: '签名没有 RFC 3161 签名时间戳' });
    }
    report.failures.push({ code: 'LEVEL_NOT_REACHED', message: `文档未达到 PAdES ${required} 级别（实际：${report.level ?? '无'}）` });
  }

  const laterProblems = report.signatures.flatMap((s) => s.laterChanges);
  report.valid =
    report.signatures.length > 0 &&
    report.signatures.every((s) => s.valid) &&
    !report.modifiedAfterLastSignature &&
    laterProblems.length === 0 &&
    report.failures.length === 0;
  return finish();
};

/** Every failure code in a report, signatures' included: what a test or the CLI asserts on. */
export const failureCodes = (r: VerifyReport): VerifyFailureCode[] => [
  ...new Set([...r.failures, ...r.signatures.flatMap((s) => s.failures)].map((f) => f.code)),
];

// ---------------------------------------------------------------------------------------------
// A detached CMS signature outside any PDF (a signed chain head, E2)

export interface DetachedReport {
  valid: boolean;
  signerName?: string;
  /** signingTime as the signer claims it (ISO). */
  signingTime?: string;
  failures: VerifyFailure[];
}

/**
 * Verifies a detached CMS SignedData over `content` with the same rules as a PDF signature:
 * strict DER, digest, algorithms, signingCertificateV2, embedded certificates intact, chain to a
 * configured root valid at the signing time.
 */
export const verifyDetachedCms = (cmsDer: Buffer, content: Uint8Array, options: VerifyOptions): DetachedReport => {
  const anchors = anchorsFrom(options);
  const failures: VerifyFailure[] = [...anchors.failures];
  const out = (extra: Partial<DetachedReport> = {}): DetachedReport => ({ valid: failures.length === 0, failures, ...extra });
  let cms: ParsedCms;
  try {
    cms = parseCmsSignedData(cmsDer);
  } catch (e) {
    failures.push(e instanceof Asn1Error && e.reason === 'not-der' ? { code: 'NOT_DER', message: '签名不是严格的 DER 编码' } : { code: 'CMS_MALFORMED', message: `签名无法解析：${(e as Error).message}` });
    return out();
  }
  if (!cms.messageDigest || !createHash(cms.digestAlgorithm).update(content).digest().equals(cms.messageDigest)) {
    failures.push({ code: 'DIGEST_MISMATCH', message: '摘要不匹配：被签名的内容已改变' });
  }
  const trust = new Trust(anchors.fingerprints, anchors.pems, []);
  const embedded = trust.embeddedFailures(cms.certificates, '签名');
  failures.push(...embedded.failures);
  const signer = embedded.certs.find((p) => p.parsed.issuerNameDer.equals(cms.signerIssuerDer) && p.parsed.serialNumber.equals(cms.signerSerial));
  if (!signer) {
    failures.push({ code: 'SIGNER_CERTIFICATE_MISSING', message: '签名中找不到签名人证书' });
    return out();
  }
  const algProblem = signatureAlgorithmProblem(cms, signer.x509);
  if (algProblem) failures.push({ code: 'ALGORITHM_MISMATCH', message: algProblem });
  else if (!verifyCmsSignature(cms, signer.x509)) failures.push({ code: 'SIGNATURE_INVALID', message: '签名值无效' });
  if (!cms.signingCertificateHash || !cms.signingCertificateHash.equals(createHash('sha256').update(signer.parsed.der).digest())) {
    failures.push({ code: 'SIGNING_CERTIFICATE_MISMATCH', message: 'signingCertificateV2 缺失或与签名人证书不符' });
  }
  const chain = trust.chain(signer, embedded.certs, cms.signingTime);
  failures.push(...chain.failures);
  if (!cms.signingTime) failures.push({ code: 'NO_SIGNING_TIME', message: '签名没有签署时间' });
  return out({
    signerName: signer.parsed.subject.find((a) => a.type === 'CN')?.value,
    ...(cms.signingTime ? { signingTime: cms.signingTime.toISOString() } : {}),
  });
};

// ---------------------------------------------------------------------------------------------
// A timestamp token outside any PDF (an audit anchor's, E2), and the tokens inside one

export interface StandaloneTimestampReport {
  valid: boolean;
  report: TimestampReport;
  failures: VerifyFailure[];
}

/**
 * Checks an RFC 3161 token over `data` with the same rules as a PDF's timestamps: strict DER, the
 * imprint is the digest of `data`, the TSA's signature holds, its certificate is a TSA's and chains
 * to a configured root valid at genTime. `crlsDer`, when given, are checked for revocation.
 */
export const verifyTimestampToken = (tokenDer: Buffer, data: Uint8Array, options: VerifyOptions, crlsDer: readonly Buffer[] = []): StandaloneTimestampReport => {
  const anchors = anchorsFrom(options);
  const crls: ParsedCrl[] = [];
  for (const c of crlsDer) {
    try {
      crls.push(parseCrl(c));
    } catch {
      /* an unreadable CRL covers nothing */
    }
  }
  const trust = new Trust(anchors.fingerprints, anchors.pems, crls);
  const checked = checkToken(tokenDer, (h) => createHash(h).update(data).digest(), trust, '时间戳');
  const failures = [...anchors.failures, ...checked.failures];
  return { valid: checked.report.valid && failures.length === 0, report: checked.report, failures };
};

export interface EmbeddedToken {
  fieldName: string;
  /** A party's signature timestamp (B-T), or the document timestamp itself (B-LTA). */
  kind: 'signature-timestamp' | 'document-timestamp';
  der: Buffer;
}

/** Every RFC 3161 token a signed PDF carries, in signature order (for the evidence bundle). */
export const timestampTokensOf = async (pdf: Uint8Array): Promise<EmbeddedToken[]> => {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  const out: EmbeddedToken[] = [];
  for (const f of signatureFields(doc)) {
    const contents = contentsOf(f.sig);
    const der = contents && contentsDer(contents);
    if (!der) continue;
    if (isDocumentTimestamp(f.sig)) {
      out.push({ fieldName: f.name, kind: 'document-timestamp', der });
      continue;
    }
    try {
      const cms = parseCmsSignedData(der);
      for (const t of cms.unsignedAttributes.filter((a) => a.type === OID.signatureTimeStampToken).flatMap((a) => a.values)) {
        out.push({ fieldName: f.name, kind: 'signature-timestamp', der: t });
      }
    } catch {
      /* a signature we cannot read carries no token we could hand out */
    }
  }
  return out;
};
