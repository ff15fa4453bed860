/**
 * Sends the SMS a transition calls for (N1), after its commit. A failed SMS never undoes or fails
 * the act it reports: it is logged (without the number) and the user can still be reached by the
 * share link; the production SMS adapter records failures for retry.
 */
import { otherPartyIndex, partyAt, type Contract } from '../domain/contract';
import type { SmsTemplate } from '../ports/sms';
import type { Deps } from '../ports/operation';

export const shareLink = (deps: Deps, contract: Contract): string => `${deps.config.shareLinkBase}${contract.shareToken}`;

/**
 * Positional parameters of each template, as seen by the recipient: {1} the other party's name,
 * {2} the title, {3}… the details — except for the templates that name nobody, which start with the
 * title. A Tencent Cloud SMS template takes exactly as many parameters as it has placeholders, so
 * none may be padded.
 */
/**
 * {1} in a two-party contract is the other party; with more parties, a signer reads the
 * initiator's name (whose document it is) and the initiator reads 对方.
 */
const otherNameFor = (contract: Contract, to: number): string => {
  const other = contract.parties.length === 2 ? otherPartyIndex(contract, to) : to === 0 ? null : 0;
  return (other === null ? null : partyAt(contract, other).details?.name) ?? '对方';
};

const paramsFor = (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, detail: string[]): string[] => {
  const otherName = otherNameFor(contract, to);
  switch (sms) {
    case 'invite_sign':
    case 'invite_accept':
    case 'invite_fill':
    case 'ready_to_sign':
      return [otherName, contract.title, shareLink(deps, contract)];
    case 'urge': // 催办 (R4): what to do, then where to do it
      return [otherName, contract.title, ...detail, shareLink(deps, contract)];
    case 'expired':
    case 'report_sent':
      return [contract.title, ...detail];
    default:
      return [otherName, contract.title, ...detail];
  }
};

/** Sends `sms` to the party at index `to` of `contract`. */
export const sendSms = async (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, detail: string | string[] = []): Promise<boolean> => {
  const phone = partyAt(contract, to).details?.phone;
  if (!phone) return false; // a 对方填 party without details is reached by the share link only
  try {
    const r = await deps.sms.send({ phone, template: sms, params: paramsFor(deps, contract, to, sms, typeof detail === 'string' ? [detail] : detail) });
    if (!r.ok) deps.log.warn({ contractId: contract._id, template: sms, code: r.code }, 'sms not sent');
    return r.ok;
  } catch (e) {
    deps.log.warn({ contractId: contract._id, template: sms, err: e }, 'sms provider failed');
    return false;
  }
};
