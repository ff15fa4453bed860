/**
 * Outgoing messages (M1; issue 11 items 4–5): one outbox record per SMS, email, subscription
 * message or report job, written in the same commit as the change that caused it; nothing is sent
 * before that commit. Data only; records.ts reads it.
 *
 * When does a message become …
 * - pending: when the commit that caused it writes it.
 * - sending: when a deliverer claims it by compare-and-set (`claim`) — the attempt right after the
 *   commit, or the `timer-outbox` function (every minute) for a pending one or a retry whose time
 *   came. The claim counts an attempt and holds a lease (MESSAGE_RETRY.leaseSeconds); only the
 *   claimant calls the provider, so a message is never sent twice by two deliverers.
 * - sent: when the provider accepts it (`succeed`); its provider id recorded.
 * - retry_wait: when the provider fails with an error it marks retryable (throttling, outage) and
 *   attempts remain (`fail_retryable`); then the next attempt is due after MESSAGE_RETRY's delay:
 *   60 s, 120 s, 240 s, 480 s after attempts 1–4 (doubling, at most 30 minutes).
 * - failed: when the provider refuses for good (not retryable: a bad number, a template not
 *   configured), or the last of MESSAGE_RETRY.maxAttempts attempts failed (`fail_final`) — visible,
 *   with the provider's code; or when a claim outlived its lease (`abandon`: the deliverer crashed
 *   between the send and its result, so nobody knows whether the provider has it — it is never sent
 *   again, and shows as failed with code CLAIM_EXPIRED for an operator to check). A provider failure
 *   never fails the user's call that caused the message.
 *
 * The one move out of failed: the late success of an abandoned claim (`succeed`) — it did go out,
 * and the record says so. A late failure of an abandoned claim changes nothing.
 */
import { stays, type RecordTable, type RetryPolicy } from './records';

export const MESSAGE_STATES = ['pending', 'sending', 'retry_wait', 'sent', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATES)[number];

export const MESSAGE_ACTIONS = [
  'claim', //          a deliverer takes it (compare-and-set), before calling the provider
  'succeed', //        the provider accepted it
  'fail_retryable', // the provider failed, marks the error retryable, and attempts remain
  'fail_final', //     the provider refused for good, or that was the last attempt
  'abandon', //        the claim outlived its lease
] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

export const MESSAGE_EFFECTS = [
  'countAttempt', //       attempts + 1, claimedAt = now, leaseUntil = now + leaseSeconds
  'send', //               the provider call (SMS, email, subscription message, report job), after the claim is stored
  'recordProviderId', //   sentAt, the provider's serial / message id
  'recordProviderCode', // lastError = the provider's code and message (never the phone or address)
  'scheduleRetry', //      nextAttemptAt = now + retryDelaySeconds(MESSAGE_RETRY, attempts)
  'recordClaimExpired', // lastError = CLAIM_EXPIRED
] as const;
export type MessageEffect = (typeof MESSAGE_EFFECTS)[number];

/**
 * Backoff as data. Five attempts in all (the one after the commit and four by the timer) span about
 * 15 minutes; the lease is longer than any deliverer's function timeout, so a live claim is never
 * taken for abandoned.
 */
export const MESSAGE_RETRY: RetryPolicy = { maxAttempts: 5, baseDelaySeconds: 60, growth: 'exponential', maxDelaySeconds: 1800, leaseSeconds: 300 };

export const MESSAGE_TABLE: RecordTable<MessageStatus, MessageAction, MessageEffect> = {
  kind: 'message',
  label: '消息',
  states: MESSAGE_STATES,
  actions: MESSAGE_ACTIONS,
  initial: 'pending',
  terminal: ['sent', 'failed'],
  rows: [
    { from: ['pending', 'retry_wait'], action: 'claim', to: 'sending', effects: ['countAttempt', 'send'] },
    { from: 'sending', action: 'succeed', to: 'sent', effects: ['recordProviderId'] },
    { from: 'sending', action: 'fail_retryable', to: 'retry_wait', effects: ['recordProviderCode', 'scheduleRetry'] },
    { from: 'sending', action: 'fail_final', to: 'failed', effects: ['recordProviderCode'] },
    { from: 'sending', action: 'abandon', to: 'failed', effects: ['recordClaimExpired'] },
    { from: 'failed', action: 'succeed', to: 'sent', effects: ['recordProviderId'], note: 'the late success of an abandoned claim: it did go out' },
    ...stays(['failed'], 'fail_retryable', 'the late failure of an abandoned claim: failed already, never retried'),
    ...stays(['failed'], 'fail_final', 'the late failure of an abandoned claim: failed already'),
  ],
};
