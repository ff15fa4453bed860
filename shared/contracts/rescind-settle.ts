/**
 * Rescind (解除, C6) and settle (结清, I9) have the same shape: a party requests with a reason and a
 * face check; the requester may cancel; the other party confirms (with a face check) or refuses.
 * Eight functions (shared/operations/rescind-*.ts, settle-*.ts), one flow here, each a row family
 * in the lifecycle table.
 *
 * The confirmations pass the PDF stamp (contracts/pdf.ts stampStatus) in: keeping the documents
 * library out of this module keeps it out of the six bundles that never render (cold start).
 */
import type { CasWrite } from '../ports/store';
import { AppError } from '../errors';
import type { Contract, ContractDocument } from '../domain/contract';
import type { Action } from '../lifecycle/table';
import { requireCaller, type OpContext } from '../ports/operation';
import { loadAsParty } from './repository';
import { preparePartyProof, proofOf, type ProofAct, type ProofInput } from '../identity/proof';
import { preview, runTransition } from './transition';
import { contractView } from './views';
// Types only: this module is in every rescind/settle function; the PDF code is passed in as `stamp`.
import type { Acts } from './pdf';
import type { SigningMethod } from '../identity/signing-methods';

/**
 * Signs the revision of the PDF for a contract whose life a confirmation ends: the requester's and
 * the confirmer's own signatures of their acts (indexes in `parties`), then the platform's stamp.
 */
export type Stamp = (
  deps: OpContext['deps'],
  contract: Contract,
  status: 'rescinded' | 'settled',
  at: Date,
  acts: Acts,
) => Promise<ContractDocument>;

/** Further fields a confirmation adds to the contract in its commit (the settlement certificate, L4). */
export type Attach = (deps: OpContext['deps'], contract: Contract, at: Date) => Promise<Partial<Contract>>;

export const act = async (ctx: OpContext, contractId: string, action: Action, opts: { reason?: string; proof?: ProofInput; stamp?: Stamp; attach?: Attach }) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  let faceCheckId: string | undefined;
  let proofMethod: SigningMethod = 'face';
  let faceCheckWrite: CasWrite | undefined;
  let current: Contract | undefined;
  let callerIndex = 0;
  if (opts.proof !== undefined) {
    // Refuse what the table refuses before spending the person's face check (or password, or SOTER challenge).
    const { contract, index } = await loadAsParty(deps, contractId, openid);
    preview(contract, action, { openid }, deps.clock.now().toISOString());
    current = contract;
    callerIndex = index;
    // Spent in the act's own commit: if that commit loses, the check stays usable for the retry.
    const prepared = await preparePartyProof(deps, contract, index, { ...proofOf(opts.proof), openid, purpose: action as ProofAct });
    faceCheckId = prepared.check._id;
    proofMethod = prepared.check.method;
    faceCheckWrite = prepared.write;
  }
  // Confirming ends the contract's life: the platform signs a stamped revision of the PDF first,
  // committed with the state change (and refused if the file moved meanwhile).
  let document: ContractDocument | null = null;
  const basedOn = current?.document?.currentKey ?? null;
  if (current?.document && opts.stamp) {
    // The table lets only a pending request be confirmed, and only by the other party.
    const pending = current.pending!;
    document = await opts.stamp(deps, current, action === 'settle_confirm' ? 'settled' : 'rescinded', deps.clock.now(), { requestedBy: pending.by, requestedAt: pending.at, requestProof: pending.faceCheckId, confirmedBy: callerIndex, confirmMethod: proofMethod });
  }
  const attached = current && opts.attach ? await opts.attach(deps, current, deps.clock.now()) : {};
  const { contract, index } = await runTransition(deps, {
    contractId, action, by: { openid },
    ...(document
      ? {
          prepare: (c: Contract) => {
            if ((c.document?.currentKey ?? null) !== basedOn) throw new AppError('CONFLICT');
            return { ...c, document, ...attached };
          },
          eventData: { documentSha256: document.currentSha256 },
        }
      : {}),
    ...(current ? { current } : {}),
    ...(faceCheckId ? { faceCheckId } : {}),
    ...(faceCheckWrite ? { writes: [faceCheckWrite] } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  });
  return contractView(contract, index ?? 1, deps.clock.now().toISOString());
};
