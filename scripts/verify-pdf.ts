/**
 * Verifies the signatures of a contract PDF and prints a bilingual report.
 *
 *   tsx scripts/verify-pdf.ts contract.pdf --root platform-root.pem [--root another.pem] [--json]
 *
 * Exit status: 0 when every signature is valid and nothing was changed after the last one,
 * 1 when the document is not valid, 2 on usage or I/O errors. Without --root no chain can be
 * trusted, so the document is reported invalid (the other checks are still shown).
 */
import { readFileSync } from 'node:fs';
import { verifyPdf, VerifyReport } from '../shared/documents/verify';

const usage = 'usage: tsx scripts/verify-pdf.ts file.pdf [--root ca.pem]... [--json]';

const parseArgs = (argv: string[]) => {
  const roots: string[] = [];
  let file: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root') {
      const p = argv[++i];
      if (!p) throw new Error(usage);
      roots.push(p);
    } else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') throw new Error(usage);
    else if (!file) file = a;
    else throw new Error(usage);
  }
  if (!file) throw new Error(usage);
  return { file, roots, json };
};

const mark = (ok: boolean) => (ok ? '✔' : '✘');

const format = (file: string, r: VerifyReport): string => {
  const lines: string[] = [];
  lines.push(`文件 File: ${file}`);
  lines.push(`SHA-256: ${r.fileSha256}`);
  lines.push(`修订版本 Revisions: ${r.revisions}    签名 Signatures: ${r.signatures.length}`);
  r.signatures.forEach((s, i) => {
    lines.push('');
    lines.push(`签名 Signature #${i + 1}: ${s.fieldName}  ${s.valid ? '有效 VALID' : '无效 INVALID'}`);
    lines.push(`  签署人 Signer:        ${s.signerName ?? '?'}${s.identifier ? `  (标识 id ${s.identifier})` : ''}`);
    if (s.certificate) {
      lines.push(`  颁发者 Issuer:        ${s.certificate.issuerText}`);
      lines.push(`  证书序列号 Serial:    ${s.certificate.serialNumberHex}`);
      lines.push(`  有效期 Validity:      ${s.certificate.notBefore} — ${s.certificate.notAfter}`);
      lines.push(`  指纹 SHA-256:         ${s.certificate.fingerprintSha256}`);
    }
    lines.push(`  签署时间 Signing time: ${s.signingTime ?? '?'}`);
    if (s.reason) lines.push(`  原因 Reason:          ${s.reason}`);
    if (s.byteRange) lines.push(`  签名范围 Byte range:  [${s.byteRange.join(' ')}]  ${s.coversWholeFile ? '覆盖全文 covers whole file' : `至 up to ${s.signedUpTo}`}`);
    const c = s.checks;
    lines.push(`  ${mark(c.byteRange)} 签名范围 byte range   ${mark(c.digest)} 摘要 digest   ${mark(c.signature)} 签名值 signature`);
    lines.push(`  ${mark(c.chain)} 证书链可信 chain trusted   ${mark(c.validAtSigningTime)} 签署时证书有效 valid at signing   ${mark(c.keyUsage)} 密钥用途 key usage`);
    for (const p of s.problems) lines.push(`  ! ${p}`);
    for (const p of s.laterChanges) lines.push(`  ! 签署后的修改 later change: ${p}`);
  });
  lines.push('');
  if (r.modifiedAfterLastSignature) {
    lines.push(`✘ 最后一个签名之后有 ${r.unsignedBytes} 字节未签名的修改 (unsigned changes after the last signature)`);
  }
  for (const p of r.problems) if (!p.startsWith('最后一个签名之后')) lines.push(`! ${p}`);
  lines.push(r.valid ? '结论 Result: 文档有效，签署后未被修改 — VALID' : '结论 Result: 文档无效或已被修改 — INVALID');
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
  const report = await verifyPdf(bytes, { trustedRootPem: roots });
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
