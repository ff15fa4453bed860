import type { ContractCertificatesInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { partyAt } from '../domain/contract';

/** C10 签署证书: each signature's certificate — subject, issuer, serial, validity, fingerprint — and when it signed. */
export const contractCertificates: Operation<ContractCertificatesInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { contract } = await loadAsParty(ctx.deps, input.contractId, openid);
  return {
    contractNo: contract.contractNo,
    certificates: (contract.document?.signatures ?? []).map((s) => ({
      signer: s.party === null ? '平台' : partyAt(contract, s.party).details?.name ?? '',
      role: s.by,
      fieldName: s.fieldName,
      signedAt: s.signedAt,
      ...s.certificate,
    })),
  };
};
