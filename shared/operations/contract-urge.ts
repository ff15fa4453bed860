import { AppError } from '../errors';
import { counterpartyOf, type Contract } from '../domain/contract';
import type { ContractUrgeInput } from '../generated/schema-types';
import { maskPhone } from '../rules/phone';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty, loadContract } from '../contracts/repository';
import { contractSmsRow } from '../messages/contract-sms';
import { limitWrites } from '../messages/limits';
import { deliverNow, MESSAGES, outboxAppend, type OutboxRow } from '../messages/outbox';
import { recordChange } from '../contracts/record-change';
import { ASK_LABELS } from '../messages/sms-templates';


/** What the other party is asked to do, in the SMS: the payer of a payee-initiated receipt is to 确认领取 (R2). */
const askOf = (c: Contract): string | undefined => {
  const status = counterpartyOf(c).status;
  if (c.flow === 'receipt_payee' && status === 'to_sign') return ASK_LABELS.to_accept;
  return ({ to_fill: ASK_LABELS.to_fill, to_sign: ASK_LABELS.to_sign } as Record<string, string>)[status];
};

/**
 * 催办 (R4): the initiator re-sends the SMS to the other party while it is their turn. Limited by
 * the one mechanism (M2, config/messages.json `rateLimits.urge`: spaced, a few per 24 h per
 * contract and per phone), so it cannot be used to flood someone's phone.
 */
export const contractUrge: Operation<ContractUrgeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index } = await loadAsParty(deps, input.contractId, openid);
  if (index !== 0) throw new AppError('FORBIDDEN', '仅发起人可以催办');
  // 催办 reaches the other party of a two-party contract (R4); own files' signers are the own-files issue's.
  if (contract.parties.length !== 2) throw new AppError('INVALID_TRANSITION', '对方当前无需处理');
  const other = counterpartyOf(contract);
  const ask = askOf(contract);
  if (!['awaiting_fill', 'awaiting_signatures'].includes(contract.state) || !ask) throw new AppError('INVALID_TRANSITION', '对方当前无需处理');
  if (!other.details) throw new AppError('INVALID_TRANSITION', '对方尚未填写手机号，请通过微信分享提醒对方');

  // M2 (R4): the counters, the event and the SMS in one commit (rate_limits config `urge`).
  const row = contractSmsRow(deps, contract, 1, 'urge', { ask });
  await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'urged', actor: { role: 'initiator', openid }, data: { to: 'counterparty' } }],
  }), async () => ({
    writes: await limitWrites(deps, 'urge', { contractId: contract._id, caller: openid, destination: other.details!.phone }),
    appends: outboxAppend(row ? [row] : []),
  }));
  if (row) await deliverNow(deps, [row]);
  const after = row ? await deps.store.get<OutboxRow>(MESSAGES, row._id) : null;
  return { sent: after?.status === 'sent', to: maskPhone(other.details.phone) };
};
