/**
 * Sends the SMS a transition calls for (N1), after its commit. A failed SMS never undoes or fails
 * the act it reports: it is logged (without the number) and the user can still be reached by the
 * share link; the production SMS adapter records failures for retry.
 */
import { otherPartyIndex, partyAt, type Contract } from '../domain/contract';
import type { SmsTemplate } from '../ports/sms';
import type { Deps } from '../ports/operation';
import { enqueueAndDeliver, smsRow, type OutboxRow } from './outbox';

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
const otherNameFor = (contract: Contract, to: number, actor: number | null = null): string => {
  // With more parties, a message about what one of them did (拒签, signed…) names that party.
  const other = contract.parties.length === 2 ? otherPartyIndex(contract, to) : actor !== null && actor !== to ? actor : to === 0 ? null : 0;
  return (other === null ? null : partyAt(contract, other).details?.name) ?? '对方';
};

/** Templates whose {1} is who acted ("{1}拒绝签署…"): with more than two parties that is the actor, not the initiator. */
const ACTOR_NAMED: ReadonlySet<SmsTemplate> = new Set(['rejected'] as SmsTemplate[]);

const paramsFor = (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, detail: string[], actor: number | null): string[] => {
  const otherName = otherNameFor(contract, to, ACTOR_NAMED.has(sms) ? actor : null);
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

/**
 * The outbox row (M1) of `sms` to the party at index `to`, for the caller's commit; null for a
 * 对方填 party without details (reached by the share link only).
 */
export const contractSmsRow = (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, detail: string | string[] = [], actor: number | null = null): OutboxRow | null => {
  const phone = partyAt(contract, to).details?.phone;
  if (!phone) return null;
  return smsRow(deps, contract._id, { phone, template: sms, params: paramsFor(deps, contract, to, sms, typeof detail === 'string' ? [detail] : detail, actor) });
};

/**
 * For callers with no commit of their own to put it in (a timer's reminder, a report's notice):
 * the row is stored, then tried at once. True when it went out now; otherwise the outbox retries it
 * (or shows it failed) — never an error for the caller.
 */
export const sendSms = async (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, detail: string | string[] = []): Promise<boolean> => {
  const row = contractSmsRow(deps, contract, to, sms, detail);
  if (!row) return false;
  try {
    const [after] = await enqueueAndDeliver(deps, [row]);
    return after?.status === 'sent';
  } catch (e) {
    deps.log.warn({ contractId: contract._id, template: sms, err: e }, 'sms not queued');
    return false;
  }
};
