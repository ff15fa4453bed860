/**
 * `esign-verify`: checks a contract's evidence bundle offline (E3) and prints one verdict per
 * check, in Chinese and English (shared/evidence/bundle-verify.ts does the checking).
 *
 *   npx esign-verify bundle.zip [--root-fingerprint HEX] [--json]
 *
 * No network, no database. The trust anchor is the platform root's SHA-256 fingerprint as
 * published; without one the trust check fails (the other checks still run against the bundle's own root).
 * Exit status: 0 when every check passes, 1 when one fails, 2 on usage or I/O errors.
 */
import { readFileSync } from 'node:fs';
import { formatBundleReport, verifyBundle } from '../shared/evidence/bundle-verify';

const usage = 'usage: esign-verify bundle.zip [--root-fingerprint HEX] [--json]';

export const main = async (argv: readonly string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> => {
  let file: string | undefined;
  let rootFingerprint: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root-fingerprint' || a === '--root-sha256') {
      const v = argv[++i];
      if (!v) return err(usage), 2;
      rootFingerprint = v;
    } else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') return out(usage), 0;
    else if (!file && !a.startsWith('-')) file = a;
    else return err(usage), 2;
  }
  if (!file) return err(usage), 2;
  let zip: Buffer;
  try {
    zip = readFileSync(file);
  } catch (e) {
    err(`无法读取文件 cannot read: ${(e as Error).message}`);
    return 2;
  }
  const report = await verifyBundle(zip, rootFingerprint !== undefined ? { rootFingerprint } : {});
  out(json ? JSON.stringify(report, null, 2) : `证据包 Bundle: ${file}\n${formatBundleReport(report)}`);
  return report.valid ? 0 : 1;
};

if (require.main === module || process.env.ESIGN_VERIFY_MAIN === '1') {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(2);
    },
  );
}
