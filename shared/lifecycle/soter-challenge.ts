/**
 * SOTER challenges (指纹 / 面容 ID, V2): one record per challenge the server issues for a user,
 * a contract (or none, to switch a mode on) and an act. Data only; records.ts reads it,
 * shared/identity/soter.ts carries the decisions out.
 *
 * When does a challenge become …
 * - issued: when signing-challenge makes it (valid challengeTtlSeconds; expiry is a moment, not a state).
 * - used: when the act it was for verified its signature and committed (WeChat said the phone's key signed it).
 * - failed: when WeChat refused the signature: one challenge, one attempt — a forgery spends it.
 */
import type { RecordTable } from './records';

export const SOTER_CHALLENGE_STATES = ['issued', 'used', 'failed'] as const;
export type SoterChallengeStatus = (typeof SOTER_CHALLENGE_STATES)[number];

export const SOTER_CHALLENGE_ACTIONS = ['verified', 'refused'] as const;
export type SoterChallengeAction = (typeof SOTER_CHALLENGE_ACTIONS)[number];

export const SOTER_CHALLENGE_TABLE: RecordTable<SoterChallengeStatus, SoterChallengeAction> = {
  kind: 'soter_challenge',
  label: '指纹或面容验证',
  states: SOTER_CHALLENGE_STATES,
  actions: SOTER_CHALLENGE_ACTIONS,
  initial: 'issued',
  terminal: ['used', 'failed'],
  rows: [
    { from: 'issued', action: 'verified', to: 'used' },
    { from: 'issued', action: 'refused', to: 'failed' },
  ],
};
