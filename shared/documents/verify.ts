/**
 * Independent verification of a signed contract PDF: for every signature field, that its byte
 * range is sound and covers everything but its own /Contents, that the digest matches, that
 * the CMS signature is valid, and that the certificate chains to our root and was valid when the
 * signature was made; then, for the document, whether anything was appended after the last
 * signature (an unsigned incremental update leaves every signature digest-valid, so it must be
 * flagged explicitly) and whether updates between signatures did more than add signatures.
 *
 * Never throws on hostile input: every failure becomes a problem in the report.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from '@cantoo/pdf-lib';
import { parseCmsSignedData, ParsedCms, verifyCmsSignature } from './cms';
import { elementLength } from './asn1';
import { OID } from './oids';
import { revisionEnds, unexpectedChanges } from './revisions';
import { CertificateInfo, describeCertificate, parseCertificate, ParsedCertificate } from './x509';

export interface VerifyOptions {
  /** PEM(s) of the root CA(s) we trust — ours. */
  trustedRootPem: string | readonly string[];
}

export interface SignatureCheck {
  /** The signed ranges are well formed and leave out exactly this signature's /Contents. */
  byteRange: boolean;
  /** Digest of the signed ranges equals the signed messageDigest. */
  digest: boolean;
  /** The CMS signature over the signed attributes verifies with the signer's key. */
  signature: boolean;
  /** The signer certificate chains to a trusted root, every link signed by the next. */
  chain: boolean;
  /** Every certificate of the chain was within its validity period at the signing time. */
  validAtSigningTime: boolean;
  /** The signer certificate allows document signatures (digitalSignature or nonRepudiation). */
  keyUsage: boolean;
}

export interface SignatureReport {
  fieldName: string;
  signerName?: string;
  /** The certificate's serialNumber attribute: our non-reversible signer identifier. */
  identifier?: string;
  /** From the CMS signingTime attribute, else the /M entry (both are claimed by the signer). */
  signingTime?: string;
  subFilter?: string;
  reason?: string;
  byteRange?: number[];
  /** End of the signed data (= end of the revision the signature belongs to). */
  signedUpTo?: number;
  /** The signed ranges reach the end of the file. */
  coversWholeFile: boolean;
  certificate?: CertificateInfo;
  checks: SignatureCheck;
  /** Changes made after this signature that are not signatures (empty for the last one when nothing follows). */
  laterChanges: string[];
  problems: string[];
  valid: boolean;
}

export interface VerifyReport {
  valid: boolean;
  signatures: SignatureReport[];
  /** Bytes follow the last signature's signed range: an unsigned change. */
  modifiedAfterLastSignature: boolean;
  unsignedBytes: number;
  /** Number of revisions (original plus incremental updates). */
  revisions: number;
  fileSha256: string;
  problems: string[];
}

const MAX_REVISIONS = 64;

const FAILED_CHECKS: SignatureCheck = {
  byteRange: false,
  digest: false,
  signature: false,
  chain: false,
  validAtSigningTime: false,
  keyUsage: false,
};

const text = (v: unknown): string | undefined =>
  v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;

interface SignatureField {
  name: string;
  sig: PDFDict;
}

/** Signature fields with a value, depth-first through /Kids, with fully qualified names. */
const signatureFields = (doc: PDFDocument): SignatureField[] => {
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
      const partial = text(f.lookup(PDFName.of('T')));
      const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
      const ftObj = f.lookup(PDFName.of('FT'));
      const ft = ftObj instanceof PDFName ? ftObj.decodeText() : inheritedFt;
      const v = f.lookup(PDFName.of('V'));
      if (ft === 'Sig' && v instanceof PDFDict) out.push({ name, sig: v });
      const kids = f.lookup(PDFName.of('Kids'));
      if (kids instanceof PDFArray) walk(kids, name, ft, depth + 1);
    }
  };
  if (fields) walk(fields, '', undefined, 0);
  return out;
};

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Checks the range geometry and returns the /Contents bytes found in the gap, or a problem. */
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

interface ChainResult {
  trusted: boolean;
  validAtSigningTime: boolean;
  problems: string[];
}

const checkChain = (
  signer: X509Certificate,
  pool: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  at: Date,
): ChainResult => {
  const problems: string[] = [];
  let validAt = true;
  const within = (c: X509Certificate) => {
    const p = parseCertificate(c.raw);
    return p.notBefore <= at && at <= p.notAfter;
  };
  let current = signer;
  for (let depth = 0; depth < 6; depth++) {
    if (!within(current)) {
      validAt = false;
      problems.push(`证书 ${current.subject.replace(/\n/g, ', ')} 在签署时间不在有效期内`);
    }
    const root = roots.find((r) => r.raw.equals(current.raw));
    if (root) return { trusted: true, validAtSigningTime: validAt, problems };
    const issuer = [...roots, ...pool].find(
      (cand) => !cand.raw.equals(current.raw) && current.checkIssued(cand) && current.verify(cand.publicKey),
    );
    if (!issuer) {
      problems.push('证书链无法连接到受信任的根证书');
      return { trusted: false, validAtSigningTime: validAt, problems };
    }
    if (!issuer.ca) {
      problems.push('证书链中的签发者不是 CA 证书');
      return { trusted: false, validAtSigningTime: validAt, problems };
    }
    current = issuer;
  }
  problems.push('证书链过长');
  return { trusted: false, validAtSigningTime: validAt, problems };
};

const findSignerCertificate = (cms: ParsedCms): ParsedCertificate | undefined => {
  for (const der of cms.certificates) {
    try {
      const p = parseCertificate(der);
      if (p.issuerNameDer.equals(cms.signerIssuerDer) && p.serialNumber.equals(cms.signerSerial)) return p;
    } catch {
      // an unparseable extra certificate cannot be the signer's; keep looking
    }
  }
  return undefined;
};

const verifyOne = (bytes: Buffer, field: SignatureField, roots: readonly X509Certificate[]): SignatureReport => {
  const { sig } = field;
  const problems: string[] = [];
  const checks: SignatureCheck = { ...FAILED_CHECKS };
  const subFilterObj = sig.lookup(PDFName.of('SubFilter'));
  const report: SignatureReport = {
    fieldName: field.name,
    subFilter: subFilterObj instanceof PDFName ? subFilterObj.decodeText() : undefined,
    reason: text(sig.lookup(PDFName.of('Reason'))),
    coversWholeFile: false,
    checks,
    laterChanges: [],
    problems,
    valid: false,
  };
  const brObj = sig.lookup(PDFName.of('ByteRange'));
  const contentsObj = sig.lookup(PDFName.of('Contents'));
  if (!(brObj instanceof PDFArray) || !(contentsObj instanceof PDFHexString || contentsObj instanceof PDFString)) {
    problems.push('签名字典缺少 /ByteRange 或 /Contents');
    return report;
  }
  const br = brObj.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN));
  report.byteRange = br;
  const contents = contentsObj.asBytes();
  const brProblem = checkByteRange(bytes, br, contents);
  if (brProblem) {
    problems.push(brProblem);
    return report;
  }
  checks.byteRange = true;
  const [, b, c, d] = br as [number, number, number, number];
  report.signedUpTo = c + d;
  report.coversWholeFile = c + d === bytes.length;

  let cms: ParsedCms;
  try {
    const der = Buffer.from(contents);
    const end = elementLength(der);
    if (end === undefined) throw new Error('/Contents 不是 ASN.1 数据');
    if (der.subarray(end).some((x) => x !== 0)) problems.push('/Contents 在签名数据之后含有多余数据');
    cms = parseCmsSignedData(der.subarray(0, end));
  } catch (e) {
    problems.push(`签名数据（CMS）无法解析：${(e as Error).message}`);
    return report;
  }

  const digest = createHash(cms.digestAlgorithm).update(bytes.subarray(0, b)).update(bytes.subarray(c, c + d)).digest();
  checks.digest = !!cms.messageDigest && digest.equals(cms.messageDigest);
  if (!checks.digest) problems.push('文档摘要不匹配：签名后的内容被修改');
  if (cms.contentType !== OID.data) problems.push('CMS contentType 属性缺失或错误');

  const signerParsed = findSignerCertificate(cms);
  if (!signerParsed) {
    problems.push('签名数据中找不到签名人证书');
    return report;
  }
  const signerCert = new X509Certificate(signerParsed.der);
  report.certificate = describeCertificate(signerParsed.der);
  report.signerName = report.certificate.subject.commonName;
  report.identifier = report.certificate.subject.identifier;
  checks.signature = verifyCmsSignature(cms, signerCert);
  if (!checks.signature) problems.push('签名值无效');
  if (cms.signingCertificateHash && !cms.signingCertificateHash.equals(createHash('sha256').update(signerParsed.der).digest())) {
    checks.signature = false;
    problems.push('signingCertificateV2 与签名人证书不符');
  }

  const signingTime = cms.signingTime ?? pdfDate(sig.lookup(PDFName.of('M')));
  report.signingTime = signingTime?.toISOString();
  if (!signingTime) problems.push('签名没有签署时间');
  const pool = cms.certificates.flatMap((der) => {
    try {
      return [new X509Certificate(der)];
    } catch {
      return [];
    }
  });
  const chain = checkChain(signerCert, pool, roots, signingTime ?? new Date());
  checks.chain = chain.trusted;
  checks.validAtSigningTime = chain.validAtSigningTime && !!signingTime;
  problems.push(...chain.problems);
  checks.keyUsage = !signerParsed.isCa && (signerParsed.keyUsage === undefined ||
    signerParsed.keyUsage.some((k) => k === 'digitalSignature' || k === 'nonRepudiation'));
  if (!checks.keyUsage) problems.push('签名人证书不允许用于签名');
  return report;
};

export const verifyPdf = async (input: Uint8Array, options: VerifyOptions): Promise<VerifyReport> => {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const roots = (typeof options.trustedRootPem === 'string' ? [options.trustedRootPem] : options.trustedRootPem).map(
    (p) => new X509Certificate(p),
  );
  const revisions = revisionEnds(bytes);
  const ends = revisions.flatMap((r) => r.ends);
  if (revisions.length > MAX_REVISIONS) {
    // Each revision is parsed separately; a file with hundreds of them is not a contract of ours.
    return {
      valid: false,
      signatures: [],
      modifiedAfterLastSignature: false,
      unsignedBytes: 0,
      revisions: revisions.length,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
      problems: [`修订版本过多（${revisions.length}），不予校验`],
    };
  }
  const report: VerifyReport = {
    valid: false,
    signatures: [],
    modifiedAfterLastSignature: false,
    unsignedBytes: 0,
    revisions: revisions.length,
    fileSha256: createHash('sha256').update(bytes).digest('hex'),
    problems: [],
  };

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (e) {
    report.problems.push(`PDF 无法解析：${(e as Error).message}`);
    return report;
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
  const keyOf = (f: SignatureField) => {
    const br = f.sig.lookup(PDFName.of('ByteRange'));
    return `${f.name}|${br instanceof PDFArray ? br.asArray().map(String).join(' ') : '?'}`;
  };
  const finalFields = signatureFields(doc);
  const finalKeys = new Set(finalFields.map(keyOf));
  const fields = new Map<string, SignatureField>();
  for (const r of revisions.slice(0, -1)) {
    const rev = await revisionAt(r.ends[0]!);
    for (const f of rev ? signatureFields(rev) : []) if (!fields.has(keyOf(f))) fields.set(keyOf(f), f);
  }
  for (const f of finalFields) if (!fields.has(keyOf(f))) fields.set(keyOf(f), f);

  for (const [key, field] of fields) {
    let sig: SignatureReport;
    try {
      sig = verifyOne(bytes, field, roots);
    } catch (e) {
      sig = {
        fieldName: field.name,
        coversWholeFile: false,
        checks: { ...FAILED_CHECKS },
        laterChanges: [],
        problems: [`签名无法校验：${(e as Error).message}`],
        valid: false,
      };
    }
    if (!finalKeys.has(key)) sig.laterChanges.push(`签名域 ${field.name} 在后续修订中被移除`);
    report.signatures.push(sig);
  }
  report.signatures.sort((x, y) => (x.signedUpTo ?? 0) - (y.signedUpTo ?? 0));
  if (report.signatures.length === 0) report.problems.push('文档没有签名');

  const lastEnd = Math.max(0, ...report.signatures.map((s) => s.signedUpTo ?? 0));
  report.unsignedBytes = bytes.length - lastEnd;
  report.modifiedAfterLastSignature = report.signatures.length > 0 && lastEnd < bytes.length;
  if (report.modifiedAfterLastSignature) {
    report.problems.push(`最后一个签名之后追加了 ${report.unsignedBytes} 字节未签名的修改`);
  }

  // Each signature must end where a revision ends, and what later revisions changed must be
  // signatures only.
  for (const s of report.signatures) {
    if (s.signedUpTo === undefined) continue;
    if (!ends.includes(s.signedUpTo)) {
      s.problems.push('签名范围没有在某个修订版本的结尾处结束');
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
    s.valid = Object.values(s.checks).every(Boolean) && s.problems.length === 0;
  }
  const laterProblems = report.signatures.flatMap((s) => s.laterChanges);
  report.valid =
    report.signatures.length > 0 &&
    report.signatures.every((s) => s.valid) &&
    !report.modifiedAfterLastSignature &&
    laterProblems.length === 0 &&
    report.problems.length === 0;
  return report;
};
