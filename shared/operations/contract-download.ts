import type { ContractDownloadInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { currentFile, fileName } from '../contracts/files';

/** Seconds a download link lives: long enough to open, too short to pass around. */
const LINK_SECONDS = 600;

/** C12/T4: a short-lived link to the PDF matching the contract's state (a preview before anyone signed). */
export const contractDownload: Operation<ContractDownloadInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  const file = await currentFile(deps, contract);
  const url = await deps.files.temporaryUrl(file.key, LINK_SECONDS);
  return { url, expiresAt: new Date(deps.clock.now().getTime() + LINK_SECONDS * 1000).toISOString(), sha256: file.sha256, preview: file.preview, fileName: fileName(contract) };
};
