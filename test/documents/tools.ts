/**
 * External tools the document tests check our PDFs with — independent implementations, so a
 * bug shared by our writer and our verifier cannot hide. Missing tools are an error, never a
 * skip: CI must install them (apt-get install -y poppler-utils qpdf libnss3-tools).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, DecodedPng } from './png';

const TOOLS: Record<string, string> = {
  pdfsig: 'poppler-utils',
  pdftoppm: 'poppler-utils',
  pdftotext: 'poppler-utils',
  pdffonts: 'poppler-utils',
  qpdf: 'qpdf',
  certutil: 'libnss3-tools',
};

export const requireTools = (): void => {
  const missing = Object.keys(TOOLS).filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => TOOLS[t]))].join(' ');
    throw new Error(
      `Document tests need ${missing.join(', ')} (not found on PATH). Install them: apt-get install -y ${pkgs}`,
    );
  }
};

requireTools();

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export const run = (cmd: string, args: readonly string[], input?: Buffer): RunResult => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

export const tempDir = (prefix = 'esign-doc-'): string => mkdtempSync(join(tmpdir(), prefix));

export const writeTemp = (dir: string, name: string, bytes: Uint8Array | string): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** An NSS database that trusts `rootPem` for signing, as a relying party would set it up. */
export const nssDbTrusting = (rootPem: string): string => {
  const dir = tempDir('esign-nss-');
  const root = writeTemp(dir, 'root.pem', rootPem);
  const create = run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  if (create.status !== 0) throw new Error(`certutil -N failed: ${create.stderr}`);
  const add = run('certutil', ['-A', '-d', `sql:${dir}`, '-n', 'platform-root', '-t', 'CT,C,C', '-i', root]);
  if (add.status !== 0) throw new Error(`certutil -A failed: ${add.stderr}`);
  return dir;
};

export interface PdfsigSignature {
  fieldName?: string;
  commonName?: string;
  distinguishedName?: string;
  signingTime?: string;
  signatureType?: string;
  totalDocumentSigned: boolean;
  signatureValidation?: string;
  certificateValidation?: string;
}

/** Runs pdfsig and splits its report per signature. */
export const pdfsig = (file: string, nssDir: string): { raw: string; status: number; signatures: PdfsigSignature[] } => {
  const r = run('pdfsig', ['-nssdir', `sql:${nssDir}`, file]);
  const signatures: PdfsigSignature[] = [];
  for (const chunk of r.stdout.split(/^Signature #\d+:$/m).slice(1)) {
    const field = (label: string) => chunk.match(new RegExp(`- ${label}: (.*)$`, 'm'))?.[1]?.trim();
    signatures.push({
      fieldName: field('Signature Field Name'),
      commonName: field('Signer Certificate Common Name'),
      distinguishedName: field('Signer full Distinguished Name'),
      signingTime: field('Signing Time'),
      signatureType: field('Signature Type'),
      totalDocumentSigned: /^\s*- Total document signed$/m.test(chunk),
      signatureValidation: field('Signature Validation'),
      certificateValidation: field('Certificate Validation'),
    });
  }
  return { raw: r.stdout + r.stderr, status: r.status, signatures };
};

export const qpdfCheck = (file: string): RunResult => run('qpdf', ['--check', file]);

/**
 * The PDF's text. `-layout` (default) keeps the page's columns; `raw` keeps the content stream's
 * order, so a table cell that wraps stays one piece instead of interleaving with its neighbours.
 */
export const pdftotext = (file: string, page?: number, mode: 'layout' | 'raw' = 'layout'): string => {
  const args = page ? ['-f', String(page), '-l', String(page)] : [];
  const r = run('pdftotext', [...args, `-${mode}`, file, '-']);
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
};

/** Rasterises one page with pdftoppm (1-based page) and decodes the PNG. */
export const rasterize = (file: string, page: number, dpi = 72): DecodedPng => {
  const dir = tempDir('esign-ppm-');
  const prefix = join(dir, 'p');
  const r = run('pdftoppm', ['-r', String(dpi), '-png', '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
  if (r.status !== 0) throw new Error(`pdftoppm failed: ${r.stderr}`);
  return decodePng(readFileSync(`${prefix}.png`));
};

/** Rasterises every page with one pdftoppm run (the file's fonts are parsed once), in page order. */
export const rasterizeAll = (file: string, dpi = 72): DecodedPng[] => {
  const dir = tempDir('esign-ppm-');
  const r = run('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, 'p')]);
  if (r.status !== 0) throw new Error(`pdftoppm failed: ${r.stderr}`);
  const pages = readdirSync(dir).filter((f) => f.endsWith('.png')).sort((a, b) => Number(/(\d+)\.png$/.exec(a)![1]) - Number(/(\d+)\.png$/.exec(b)![1]));
  return pages.map((f) => decodePng(readFileSync(join(dir, f))));
};

/**
 * Two rasters of the same page compared pixel by pixel: how many pixels differ by more than
 * `tolerance` in any channel, and how many are inked in `a` (so a blank page cannot pass).
 */
export const compareRasters = (a: DecodedPng, b: DecodedPng, tolerance = 8): { sameSize: boolean; differing: number; inked: number } => {
  if (a.width !== b.width || a.height !== b.height) return { sameSize: false, differing: Number.NaN, inked: Number.NaN };
  let differing = 0;
  let inked = 0;
  // No Math.* per pixel: jest's sandboxed Math is not inlined and costs ~100× here (33 pages: 10 s).
  const pa = a.rgb;
  const pb = b.rgb;
  for (let i = 0; i < pa.length; i += 3) {
    let worst = 0;
    for (let c = i; c < i + 3; c++) {
      const d = pa[c]! > pb[c]! ? pa[c]! - pb[c]! : pb[c]! - pa[c]!;
      if (d > worst) worst = d;
    }
    if (worst > tolerance) differing++;
    if (pa[i]! < 128) inked++;
  }
  return { sameSize: true, differing, inked };
};
