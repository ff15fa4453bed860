/**
 * Verifies the signatures of a contract PDF offline and prints a bilingual report (E1).
 *
 *   npm run verify -- contract.pdf --root-sha256 <fingerprint> [--require B-LTA] [--json]
 *   npm run verify -- contract.pdf --root platform-root.pem [--root another.pem]
 *
 * The trust anchor comes from the command line — the platform root's SHA-256 fingerprint as
 * published (or the root certificate file) — never from the PDF. No network, no database.
 *
 * Exit status: 0 when every signature is valid, nothing was changed after the last one and the
 * required PAdES level (default B-B) is reached; 1 when not; 2 on usage or I/O errors. Without a
 * root no chain can be trusted, so the document is reported invalid (the other checks still show).
 */
import { readFileSync } from 'node:fs';
import { failureCodes, PadesLevel, verifyPdf, VerifyReport } from '../shared/documents/verify';

const usage = 'usage: npm run verify -- file.pdf [--root-sha256 HEX]... [--root ca.pem]... [--require B-B|B-T|B-LT|B-LTA] [--json]';
const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

const parseArgs = (argv: string[]) => {
  const roots: string[] = [];
  const fingerprints: string[] = [];
  let file: string | undefined;
  let json = false;
  let require: PadesLevel | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (!v) throw new Error(usage);
      return v;
    };
    if (a === '--root') roots.push(value());
    else if (a === '--root-sha256') fingerprints.push(value());
    else if (a === '--require') {
      const v = value();
      if (!LEVELS.includes(v)) throw new Error(usage);
      require = v as PadesLevel;
    } else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') throw new Error(usage);
    else if (!file) file = a;
    else throw new Error(usage);
  }
  if (!file) throw new Error(usage);
  return { file, roots, fingerprints, json, require };
};

const mark = (ok: boolean) => (ok ? '✔' : '✘');

const format = (file: string, r: VerifyReport): string => {
  const lines: string[] = [];
  lines.push(`文件 File: ${file}`);
  lines.push(`SHA-256: ${r.fileSha256}`);
  lines.push(`受信任根证书 Trusted root (SHA-256): ${r.trustedRoots.join(', ') || '（未配置 none configured）'}`);
  lines.push(`修订版本 Revisions: ${r.revisions}    签名 Signatures: ${r.signatures.length}    PAdES: ${r.level ?? '—'}`);
  if (r.dss) lines.push(`DSS: ${r.dss.certificates} 个证书 certificates, ${r.dss.crls} 个 CRL, ${r.dss.vri} 个 VRI`);
  r.signatures.forEach((s, i) => {
    lines.push('');
    const kind = s.kind === 'document-timestamp' ? '文档时间戳 Document timestamp' : '签名 Signature';
    lines.push(`${kind} #${i + 1}: ${s.fieldName}  ${s.valid ? '有效 VALID' : '无效 INVALID'}`);
    lines.push(`  签署人 Signer:        ${s.signerName ?? '?'}${s.identifier ? `  (标识 id ${s.identifier})` : ''}`);
    if (s.certificate) {
      lines.push(`  颁发者 Issuer:        ${s.certificate.issuerText}`);
      lines.push(`  证书序列号 Serial:    ${s.certificate.serialNumberHex}`);
      lines.push(`  有效期 Validity:      ${s.certificate.notBefore} — ${s.certificate.notAfter}`);
      lines.push(`  指纹 SHA-256:         ${s.certificate.fingerprintSha256}`);
    }
    const source = s.signingTimeSource === 'timestamp' ? '（时间戳 RFC 3161 timestamp）' : s.signingTimeSource === 'claimed' ? '（签署人声称 claimed）' : '';
    lines.push(`  签署时间 Signing time: ${s.signingTime ?? '?'} ${source}`.trimEnd());
    if (s.timestamp && s.kind === 'signature') {
      lines.push(`  时间戳 Timestamp:     ${s.timestamp.time ?? '?'}  ${s.timestamp.tsa ?? ''}  ${s.timestamp.valid ? '有效 valid' : '无效 invalid'}`);
    }
    if (s.reason) lines.push(`  原因 Reason:          ${s.reason}`);
    if (s.byteRange) lines.push(`  签名范围 Byte range:  [${s.byteRange.join(' ')}]  ${s.coversWholeFile ? '覆盖全文 covers whole file' : `至 up to ${s.signedUpTo}`}`);
    const c = s.checks;
    lines.push(`  ${mark(c.byteRange)} 签名范围 byte range   ${mark(c.digest)} 摘要 digest   ${mark(c.signature)} 签名值 signature   ${mark(c.certificates)} 内嵌证书 embedded certificates`);
    lines.push(`  ${mark(c.chain)} 证书链可信 chain trusted   ${mark(c.validAtSigningTime)} 签署时证书有效 valid at signing   ${mark(c.keyUsage)} 密钥用途 key usage`);
    for (const f of s.failures) lines.push(`  ! [${f.code}] ${f.message}`);
    for (const p of s.laterChanges) lines.push(`  ! 签署后的修改 later change: ${p}`);
  });
  lines.push('');
  for (const f of r.failures) {
    const en =
      f.code === 'APPENDED_BYTES' ? ' (bytes appended after the last revision)' : f.code === 'UNSIGNED_REVISION' ? ' (unsigned changes after the last signature)' : '';
    lines.push(`✘ [${f.code}] ${f.message}${en}`);
  }
  lines.push(r.valid ? '结论 Result: 文档有效，签署后未被修改 — VALID' : `结论 Result: 文档无效或已被修改（${failureCodes(r).join(', ') || 'LATER_CHANGE'}）— INVALID`);
  return lines.join('\n');
};

const main = async () => {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  let bytes: Buffer;
  let roots: string[];
  try {
    bytes = readFileSync(args.file);
    roots = args.roots.map((p) => readFileSync(p, 'utf8'));
  } catch (e) {
    console.error(`无法读取文件 cannot read: ${(e as Error).message}`);
    return 2;
  }
  const report = await verifyPdf(bytes, {
    trustedRootPem: roots,
    trustedRootSha256: args.fingerprints,
    ...(args.require ? { requireLevel: args.require } : {}),
  });
  console.log(args.json ? JSON.stringify(report, null, 2) : format(args.file, report));
  return report.valid ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
