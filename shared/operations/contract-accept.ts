import { AppError } from '../errors';
import type { ContractAcceptInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { stampStatus } from '../contracts/pdf';
import { preparePartyProof, proofOf } from '../identity/proof';
import { preview, runTransition } from '../contracts/transition';
import { contractView } from '../contracts/views';

/**
 * 确认领取 (R2): the payer of a payee-initiated receipt accepts it, after a face check (the act
 * of will the platform witnesses; V1). The receipt is the payee's signed document: the payer does
 * not sign it — the platform adds a revision signed with its own certificate and a round
 * "确认领取" stamp beside the payee's signature, committed with the move to signed (已生效), so the
 * file itself says the payer accepted it and the payee's signature stays valid. The table is asked
 * first, so a face check is never spent on a refused acceptance; a file that moved meanwhile
 * makes the commit CONFLICT rather than stamp a stale file.
 */
export const contractAccept: Operation<ContractAcceptInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  preview(contract, 'accept', { openid }, deps.clock.now().toISOString());
  // Spent in the act's own commit: if that commit loses, the check stays usable for the retry.
  const { check, write: faceCheckWrite } = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'accept' });
  const document = await stampStatus(deps, contract, 'accepted', deps.clock.now());
  const basedOn = contract.document?.currentKey ?? null;
  const { contract: after } = await runTransition(deps, {
    contractId: contract._id, action: 'accept', by: { openid }, faceCheckId: check._id, writes: [faceCheckWrite], current: contract,
    prepare: (c) => {
      if ((c.document?.currentKey ?? null) !== basedOn) throw new AppError('CONFLICT');
      return { ...c, document };
    },
    eventData: { documentSha256: document.currentSha256, certificateSerial: document.signatures.at(-1)!.certificate.serialNumber },
  });
  return contractView(after, index, deps.clock.now().toISOString());
};
