import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { ContractSignInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { signRevision } from '../contracts/pdf';
import { preparePartyProof, proofOf } from '../identity/proof';
import { requireCrossBorder } from '../identity/users';
import { signingMark } from '../identity/seals';
import { handwrittenKey } from '../contracts/file-keys';
import { preview, runTransition } from '../contracts/transition';
import { contractView } from '../contracts/views';

/**
 * Signing (C5, I7, A5): the table must allow this party to sign now and the chosen handwritten
 * signature must exist — both checked before the face check is spent. Then the face check is
 * spent, the PDF gets this party's digital signature as a new revision, and the contract points
 * at it in the same commit as the state change. If someone else changed the document meanwhile
 * the commit is refused (CONFLICT) rather than signing a stale file.
 */
export const contractSign: Operation<ContractSignInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  const decision = preview(contract, 'sign', { openid }, deps.clock.now().toISOString());
  // P4: checked before the face check is spent.
  await requireCrossBorder(deps, contract.parties);
  // A5: only a valid seal or signature of this signer, made for the name they are verified under now.
  // (A handwritten one's image is read once, when the PDF is signed: missing, it refuses before the commit.)
  const signature = await signingMark(deps, openid, input.signature);

  // Spent in the act's own commit: if that commit loses, the check stays usable for the retry.
  const { check, write: faceCheckWrite } = await preparePartyProof(deps, contract, index, { ...proofOf(input), openid, purpose: 'sign' });
  const signingTime = deps.clock.now();
  const withSignature: Contract = {
    ...contract,
    parties: contract.parties.map((p, i) => (i === index ? { ...p, signature: { ...signature, faceCheckId: check._id, at: signingTime.toISOString() } } : p)),
  };
  // The last signature brings the contract into force (已生效): that revision is completed for the long term (B-LTA).
  const document = await signRevision(deps, withSignature, index, signingTime, { completes: decision.to === 'signed' });
  const basedOn = contract.document?.currentKey ?? null;
  const { contract: after } = await runTransition(deps, {
    contractId: contract._id, action: 'sign', by: { openid }, faceCheckId: check._id, writes: [faceCheckWrite], current: contract, signature,
    prepare: (c) => {
      if ((c.document?.currentKey ?? null) !== basedOn) throw new AppError('CONFLICT');
      return { ...c, document };
    },
    eventData: { documentSha256: document.currentSha256, certificateSerial: document.signatures.at(-1)!.certificate.serialNumber },
  });
  return contractView(after, index, deps.clock.now().toISOString());
};
