import type { ContractVerifyInput } from '../generated/schema-types';
import { verifyPdf } from '../documents/verify';
import { verifyChain } from '../domain/events';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { readFile } from '../contracts/files';
import { loadEvents } from '../evidence/report';
import { signingKeys } from '../contracts/signing-keys';

/**
 * Checks a contract end to end: every signature in its PDF (byte ranges, digest, CMS signature,
 * chain to our root, which signer), nothing unsigned appended, the stored file is the one the
 * contract recorded, and the audit chain is intact.
 */
export const contractVerify: Operation<ContractVerifyInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  const chain = verifyChain(await loadEvents(deps, contract._id), contract.eventHead);
  if (!contract.document) return { valid: chain.ok, document: null, auditChain: chain };
  const bytes = await readFile(deps, contract.document.currentKey);
  const keys = await signingKeys(deps);
  const report = await verifyPdf(bytes, { trustedRootPem: keys.ca.rootPem });
  const recorded = report.fileSha256 === contract.document.currentSha256;
  // Document timestamps (B-LTA, one per completion) are not signers: the record lists signatures, and each completion once.
  const signers = report.signatures.filter((s) => s.kind === 'signature');
  const stamps = report.signatures.filter((s) => s.kind === 'document-timestamp');
  const completions = contract.document.signatures.filter((s) => s.longTerm).length;
  return {
    valid: report.valid && recorded && chain.ok && signers.length === contract.document.signatures.length && stamps.length === completions,
    level: report.level ?? null,
    document: {
      valid: report.valid,
      fileSha256: report.fileSha256,
      matchesRecord: recorded,
      modifiedAfterLastSignature: report.modifiedAfterLastSignature,
      signatures: report.signatures.map((s) => ({ fieldName: s.fieldName, kind: s.kind, subFilter: s.subFilter ?? null, signingTimeSource: s.signingTimeSource ?? null, signerName: s.signerName ?? null, signingTime: s.signingTime ?? null, coversWholeFile: s.coversWholeFile, valid: s.valid, problems: s.problems })),
      problems: report.problems,
    },
    auditChain: chain,
  };
};
