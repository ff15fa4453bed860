import { AppError } from '../errors';
import type { NotifySubscribeInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { SUBSCRIPTIONS_COLLECTION, creditsFor, parseSubscribeResults, recordAcceptance, subscriptionId, subscriptionWrite, type SubscriptionDoc } from '../messages/subscriptions';

/**
 * N1 订阅消息: records what the user answered in wx.requestSubscribeMessage — one credit per
 * accepted, configured template (messages/subscriptions.ts), in one compare-and-set of the user's
 * document. Later events reach this user by subscription message while a credit is left, else by SMS.
 * Unknown template ids are ignored (answered back), never stored.
 */
export const notifySubscribe: Operation<NotifySubscribeInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const results = parseSubscribeResults(input.results);
  const configured = Object.values(deps.config.subscribeTemplates);
  for (let attempt = 0; attempt < 3; attempt++) {
    const read = await deps.store.get<SubscriptionDoc>(SUBSCRIPTIONS_COLLECTION, subscriptionId(openid));
    const { nextDoc, accepted, ignored } = recordAcceptance(read, openid, results, configured, deps.clock.now());
    const r = await deps.store.commit(subscriptionWrite(read, nextDoc));
    if (r.ok) return { accepted, ignored, credits: Object.fromEntries(accepted.map((id) => [id, creditsFor(nextDoc, id)])) };
  }
  throw new AppError('CONFLICT');
};
