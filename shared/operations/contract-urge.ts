import { AppError } from '../errors';
import { counterpartyOf, type Contract } from '../domain/contract';
import type { ContractUrgeInput } from '../generated/schema-types';
import type { Doc } from '../ports/store';
import { chinaDay } from '../rules/dates';
import { maskPhone } from '../rules/phone';
import { collectionName } from '../store/collections';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty, loadContract } from '../contracts/repository';
import { sendSms } from '../messages/contract-sms';
import { recordChange } from '../contracts/record-change';

interface UrgeCounter extends Doc {
  day: string;
  count: number;
  lastAt: string;
}

const RATE_LIMITS = collectionName('rateLimits');

/** What the other party is asked to do, in the SMS: the payer of a payee-initiated receipt is to 确认领取 (R2). */
const askOf = (c: Contract): string | undefined => {
  const status = counterpartyOf(c).status;
  if (c.flow === 'receipt_payee' && status === 'to_sign') return '确认领取';
  return ({ to_fill: '补充信息并签署', to_sign: '签署' } as Record<string, string>)[status];
};

/**
 * 催办 (R4): the initiator re-sends the SMS to the other party while it is their turn. At most once
 * per interval and a few times per China day per contract (configured), so it cannot be used to
 * flood someone's phone.
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

  const now = deps.clock.now();
  const today = chinaDay(now);
  const key = `urge:${contract._id}`;
  const counter = await deps.store.get<UrgeCounter>(RATE_LIMITS, key);
  const { minIntervalMinutes, perDay } = deps.config.urge;
  if (counter) {
    const sinceMs = now.getTime() - Date.parse(counter.lastAt);
    const countToday = counter.day === today ? counter.count : 0;
    if (sinceMs < minIntervalMinutes * 60_000 || countToday >= perDay)
      throw new AppError('RATE_LIMITED', `催办过于频繁：每${minIntervalMinutes}分钟最多一次，每天最多${perDay}次`, { retryAfterSeconds: Math.max(0, Math.ceil((minIntervalMinutes * 60_000 - sinceMs) / 1000)) });
    const next = { ...counter, day: today, count: countToday + 1, lastAt: now.toISOString() };
    if (!(await deps.store.compareAndSet(RATE_LIMITS, next, counter.version ?? 0))) throw new AppError('RATE_LIMITED');
  } else {
    try {
      await deps.store.insert(RATE_LIMITS, { _id: key, day: today, count: 1, lastAt: now.toISOString() });
    } catch {
      throw new AppError('RATE_LIMITED'); // a concurrent urge won
    }
  }
  await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'urged', actor: { role: 'initiator', openid }, data: { to: 'counterparty' } }],
  }));
  const sent = await sendSms(deps, contract, 1, 'urge', `请尽快${ask}`);
  return { sent, to: maskPhone(other.details.phone) };
};
