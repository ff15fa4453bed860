import type { ContractCertificatesInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { partyAt } from '../domain/contract';
import { describeProofs } from '../identity/proof-records';

/**
 * C10 签署证书: each signature's certificate — subject, issuer, serial, validity, fingerprint — when it
 * signed, and for a party's signature how the signer proved it was them (`method`, V2: face /
 * password / fingerPrint / facial; null for the platform's own signatures).
 */
export const contractCertificates: Operation<ContractCertificatesInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract } = await loadAsParty(ctx.deps, input.contractId, openid);
  const proofOfParty = (i: number | null) => (i === null ? null : contract.parties[i]?.signature?.faceCheckId ?? null);
  const proofs = await describeProofs(ctx.deps, contract.parties.flatMap((p) => (p.signature ? [p.signature.faceCheckId] : [])));
  return {
    contractNo: contract.contractNo,
    certificates: (contract.document?.signatures ?? []).map((s) => ({
      signer: s.party === null ? '平台' : partyAt(contract, s.party).details?.name ?? '',
      role: s.by,
      fieldName: s.fieldName,
      signedAt: s.signedAt,
      method: proofs.get(proofOfParty(s.party) ?? '')?.method ?? null,
      ...s.certificate,
    })),
  };
};
