import type { ContractEvidenceInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { AppError } from '../errors';
import { loadAsParty, loadContract } from '../contracts/repository';
import { isSignedHead } from '../domain/contract';
import { recordChange } from '../contracts/record-change';
import { buildEvidenceBundle } from '../evidence/bundle';
import { commitLimited, expectAllowed } from '../messages/limits';

/** Seconds the link lives: long enough to download, too short to pass around (as contract-download's). */
const LINK_SECONDS = 600;

/**
 * E3: a party's short-lived link to the contract's evidence bundle — a zip `npx esign-verify`
 * checks offline (evidence/bundle.ts). A stranger gets NOT_FOUND; building one costs CPU and
 * storage, so it counts against the `evidence_bundle` limits: a caller over them is refused before
 * anything is built, and a bundle is counted once built (one not ready yet is not counted). The
 * zip's key names the contract and the zip's hash, never anything the caller typed.
 */
export const contractEvidence: Operation<ContractEvidenceInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  const now = deps.clock.now();
  const subjects = { contractId: contract._id, caller: openid };
  await expectAllowed(deps, 'evidence_bundle', subjects);
  // Nothing to prove before the contract is signed: refused before anything is written.
  if (!contract.document?.signatures.length) throw new AppError('INVALID_TRANSITION', '合同尚未签署，暂无证据包');
  if (!isSignedHead(contract.eventHead, contract.signedHead)) {
    // Stored before chain heads were signed: sign its head now (a commit with no event), so the
    // next anchor run covers it and the bundle can be made a few minutes from now.
    await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({ contract: c, events: [] }));
    throw new AppError('EVIDENCE_NOT_READY');
  }
  const bundle = await buildEvidenceBundle(deps, contract, now);
  await commitLimited(deps, 'evidence_bundle', subjects, () => []);
  const key = `evidence/${contract._id}/bundle-${bundle.sha256.slice(0, 16)}.zip`;
  await deps.files.put(key, bundle.zip, 'application/zip');
  return {
    url: await deps.files.temporaryUrl(key, LINK_SECONDS),
    expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString(),
    sha256: bundle.sha256,
    size: bundle.zip.length,
    fileName: `${contract.contractNo}-证据包.zip`,
    anchoredAt: bundle.anchoredAt,
  };
};
