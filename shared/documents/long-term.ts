/**
 * Completing a document for the long term (PAdES B-LTA, ETSI EN 319 142-1 §5.4 and 6.3): when a
 * contract's last signature is in (or a settle/rescind revision is), two incremental updates:
 *  1. a DSS with every certificate the signatures and their timestamps chain through (signers,
 *     TSA, issuing CA, root) and fresh revocation data — the issuing CA's CRL made now, after the
 *     signatures, and the root's CRL from the key ceremony — with a VRI entry per signature;
 *  2. a document timestamp over everything, DSS included.
 * A validator years later then needs neither us nor the network: the time of each signature is
 * the TSA's, the certificates were not revoked then, and the document timestamp proves the
 * validation data existed before the certificates expired. A later completion (e.g. after a
 * settle revision) adds to the DSS and timestamps again.
 *
 * Certificates of a third-party TSA chain to its own root: they go into the DSS too, but their
 * CRLs/OCSP responses would have to be fetched from that TSA's CA — pass them in `extraCrls` /
 * `ocsps` when the deployment fetches them.
 *
 * May import: ./ca, ./cms, ./dss, ./oids, ./pdf-signatures, ./sign, ./timestamp, ports/tsa (type).
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from '@cantoo/pdf-lib';
import './native-deflate'; // pdf-lib's stream compression on node:zlib
import type { TimestampAuthority } from '../ports/tsa';
import { issueIssuingCrl, type PlatformCa } from './ca';
import { parseCmsSignedData } from './cms';
import type { RevokedEntry } from './crl';
import { appendDss } from './dss';
import { OID } from './oids';
import { contentsDer, contentsOf, isDocumentTimestamp, signatureFields } from './pdf-signatures';
import { timestampPdf } from './sign';
import { parseTimestampToken } from './timestamp';

export interface LongTermOptions {
  ca: PlatformCa;
  tsa: TimestampAuthority;
  /** When the CRL is issued (the platform's clock; the document timestamp carries the TSA's). */
  now: Date;
  /** Revoked signer/TSA certificates to list in the issuing CA's CRL (normally none). */
  revoked?: readonly RevokedEntry[];
  extraCrls?: readonly Buffer[];
  ocsps?: readonly Buffer[];
}

export interface LongTermResult {
  bytes: Uint8Array;
  /** SHA-256 hex of the whole file. */
  sha256: string;
  /** genTime of the document timestamp (ISO). */
  timestampTime: string;
  fieldName: string;
  dss: { certificates: number; crls: number; vri: number };
}

const sha1Hex = (b: Uint8Array) => createHash('sha1').update(b).digest('hex').toUpperCase();

/** Certificates a signature's CMS carries, with those of the timestamp tokens inside it. */
const certificatesOf = (der: Buffer, documentTimestamp: boolean): Buffer[] => {
  if (documentTimestamp) return parseTimestampToken(der).cms.certificates;
  const cms = parseCmsSignedData(der);
  const fromTokens = cms.unsignedAttributes
    .filter((a) => a.type === OID.signatureTimeStampToken)
    .flatMap((a) => a.values.flatMap((v) => parseTimestampToken(v).cms.certificates));
  return [...cms.certificates, ...fromTokens];
};

const unique = (list: readonly Buffer[]): Buffer[] => {
  const seen = new Set<string>();
  return list.filter((b) => {
    const h = createHash('sha256').update(b).digest('hex');
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
};

export const addLongTermValidation = async (pdfBytes: Uint8Array, opts: LongTermOptions): Promise<LongTermResult> => {
  const doc = await PDFDocument.load(pdfBytes, { updateMetadata: false });
  const fields = signatureFields(doc);
  if (!fields.length) throw new Error('long-term validation needs a signed document');
  const crls = unique([await issueIssuingCrl(opts.ca, opts.now, opts.revoked), ...(opts.ca.rootCrlDer ? [opts.ca.rootCrlDer] : []), ...(opts.extraCrls ?? [])]);
  const vri: Array<{ key: string; certificates: Buffer[]; crls: Buffer[] }> = [];
  const all: Buffer[] = [opts.ca.rootDer, opts.ca.issuingDer];
  for (const f of fields) {
    const contents = contentsOf(f.sig);
    const der = contents && contentsDer(contents);
    if (!contents || !der) throw new Error(`signature ${f.name} has no readable /Contents`);
    const dts = isDocumentTimestamp(f.sig);
    const certs = unique([...certificatesOf(der, dts), opts.ca.issuingDer, opts.ca.rootDer]);
    all.push(...certs);
    // VRI key: SHA-1 of the /Contents string for a signature, of the token for a document
    // timestamp (ETSI EN 319 142-1 §5.4.2.2, as iText and pyHanko compute it).
    vri.push({ key: sha1Hex(dts ? der : contents), certificates: certs, crls });
  }
  const certificates = unique(all);
  const withDss = await appendDss(pdfBytes, { certificates, crls, ...(opts.ocsps ? { ocsps: opts.ocsps } : {}), vri });
  const n = fields.filter((f) => isDocumentTimestamp(f.sig)).length + 1;
  const fieldName = `DocTimeStamp_${n}`;
  const stamped = await timestampPdf(withDss, { tsa: opts.tsa, fieldName });
  return {
    bytes: stamped.bytes,
    sha256: stamped.sha256,
    timestampTime: stamped.timestampTime!,
    fieldName,
    dss: { certificates: certificates.length, crls: crls.length, vri: vri.length },
  };
};
