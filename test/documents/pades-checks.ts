/**
 * What an independent validator checks on a final PDF (E1, issue 15's "Done means"), for the
 * end-to-end tests of every final kind: pdfsig with only the platform root in a fresh NSS
 * database (party signatures ETSI.CAdES.detached, valid, trusted; the last one a document
 * timestamp ETSI.RFC3161); `openssl ts -verify` of every timestamp token, extracted here, against
 * the root; `qpdf --json` showing the catalog's /DSS with certificates and CRLs.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, PDFName } from '@cantoo/pdf-lib';
import { parseCmsSignedData } from '../../shared/documents/cms';
import { OID } from '../../shared/documents/oids';
import { parseTimestampToken } from '../../shared/documents/timestamp';
import { byteRangeOf, contentsDer, contentsOf, isDocumentTimestamp, signatureFields } from '../../shared/documents/pdf-signatures';
import { pdfsig, qpdfCheck, run, tempDir, writeTemp } from './tools';

export interface PadesFindings {
  signers: string[];
  signatureTypes: string[];
  /** Every party signature: pdfsig says valid and trusted. */
  allValidAndTrusted: boolean;
  /**
   * The last signature field's /SubFilter as written in the file (pdfsig of poppler 22.12 lists a
   * document timestamp as "Signature Type: unknown" and cannot validate it: OpenSSL does, below).
   */
  lastType: string | undefined;
  /** pdfsig: the last signature covers the whole file. */
  lastCoversAll: boolean;
  /** openssl ts -verify, one per token (signature timestamps, then document timestamps), in file order. */
  tokens: Array<{ field: string; kind: 'signature' | 'document'; status: number; out: string }>;
  /** The catalog's /DSS as qpdf --json shows it: the certificates' SHA-256 fingerprints and the CRLs (DER). */
  dss: { certificates: number; crls: number; certificateSha256: string[]; crlDers: Buffer[] } | null;
  qpdfOk: boolean;
}

/**
 * Checked as of the token's own genTime (-attime): the emulator's clock runs ahead of the machine's
 * in tests that travel in time, and a token proves its time, not the machine's.
 */
const atGenTime = (token: Buffer) => ['-attime', String(Math.floor(parseTimestampToken(token).genTime.getTime() / 1000))];

export const padesFindings = async (bytes: Uint8Array, rootPem: string, nssDir: string): Promise<PadesFindings> => {
  const dir = tempDir('esign-pades-');
  const file = writeTemp(dir, 'final.pdf', bytes);
  const sig = pdfsig(file, nssDir);
  const rootFile = writeTemp(dir, 'root.pem', rootPem);
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const tokens: PadesFindings['tokens'] = [];
  const fields = signatureFields(doc);
  const stampFields = new Set(fields.filter((f) => isDocumentTimestamp(f.sig)).map((f) => f.name));
  for (const f of fields) {
    const der = contentsDer(contentsOf(f.sig)!)!;
    // The TSA certificate and its chain travel in the token (certReq): only the root is given.
    if (isDocumentTimestamp(f.sig)) {
      const [a, b, c, d] = byteRangeOf(f.sig) as [number, number, number, number];
      const data = writeTemp(dir, `${f.name}.bin`, Buffer.concat([Buffer.from(bytes).subarray(a, a + b), Buffer.from(bytes).subarray(c, c + d)]));
      const r = run('openssl', ['ts', '-verify', '-in', writeTemp(dir, `${f.name}.tst`, der), '-token_in', '-data', data, '-CAfile', rootFile, '-untrusted', rootFile, ...atGenTime(der)]);
      tokens.push({ field: f.name, kind: 'document', status: r.status, out: r.stdout + r.stderr });
      continue;
    }
    const cms = parseCmsSignedData(der);
    for (const token of cms.unsignedAttributes.filter((x) => x.type === OID.signatureTimeStampToken).flatMap((x) => x.values)) {
      const digest = createHash('sha256').update(cms.signature).digest('hex');
      const r = run('openssl', ['ts', '-verify', '-in', writeTemp(dir, `${f.name}.tst`, token), '-token_in', '-digest', digest, '-CAfile', rootFile, '-untrusted', rootFile, ...atGenTime(token)]);
      tokens.push({ field: f.name, kind: 'signature', status: r.status, out: r.stdout + r.stderr });
    }
  }
  const json = run('qpdf', ['--json', '--json-stream-data=inline', file]);
  let dss: PadesFindings['dss'] = null;
  if (json.status === 0) {
    const objects = JSON.parse(json.stdout).qpdf[1] as Record<string, { value?: Record<string, unknown>; stream?: { data: string } }>;
    const root = objects[`obj:${String((objects.trailer!.value as { '/Root': string })['/Root'])}`]!.value!;
    if (root['/DSS']) {
      const d = objects[`obj:${root['/DSS'] as string}`]!.value!;
      const streams = (key: string) => ((d[key] as string[] | undefined) ?? []).map((ref) => Buffer.from(objects[`obj:${ref}`]!.stream!.data, 'base64'));
      const certs = streams('/Certs');
      const crlDers = streams('/CRLs');
      dss = { certificates: certs.length, crls: crlDers.length, certificateSha256: certs.map((c) => createHash('sha256').update(c).digest('hex')), crlDers };
    }
  }
  const parties = sig.signatures.filter((s) => !stampFields.has(s.fieldName ?? ''));
  const last = fields.at(-1);
  return {
    signers: parties.map((s) => s.commonName ?? ''),
    signatureTypes: parties.map((s) => s.signatureType ?? ''),
    allValidAndTrusted: parties.length > 0 && parties.every((s) => s.signatureValidation === 'Signature is Valid.' && s.certificateValidation === 'Certificate is Trusted.'),
    lastType: last ? String(last.sig.get(PDFName.of('SubFilter'))).replace(/^\//, '') : undefined,
    lastCoversAll: sig.signatures.at(-1)?.totalDocumentSigned === true && sig.signatures.at(-1)?.fieldName === last?.name,
    tokens,
    dss,
    qpdfOk: qpdfCheck(file).status === 0,
  };
};
