/**
 * Face checks (人脸核身, V1) as the product uses them: started for one user, one purpose and (for
 * contract acts) one contract, valid for config.faceCheckTtlMinutes (2 hours), used once. The
 * provider only says whether the face matched; binding and single use are ours. Data only;
 * records.ts reads it (derived-states.ts reads the status of checks stored before it had one).
 *
 * When does a check become …
 * - started: when the provider's BizToken is issued and our record written.
 * - passed: when the provider answers that the face matched (`pass`, ErrCode 0), its result
 *   recorded. Not yet spent: an act that loses its compare-and-set leaves the check passed, and
 *   the user retries without a new face scan (issue 11 item 4).
 * - failed: when the provider answers that it did not match (`fail`): the check is spent, its
 *   result recorded, and the person must start a new one. (An unfinished check — the provider has no
 *   answer yet — is no action: it stays started and the act is refused with reason not_done.)
 * - used: when the act it was started for commits (`use`), usedAt = now — in the same store
 *   transaction as the contract's compare-and-set once issue 11 item 4 lands. `use` from started
 *   carries the provider's passing result in the same write (today's consumeFaceCheck does both).
 * - expired: when its time is over unused (`expire`). No job writes it: an unused check past its
 *   expiresAt reads as expired (derived-states.ts), and nothing moves from expired.
 *
 * Every refusal of `use` is IDENTITY_CHECK_FAILED for the caller (reason: used for used and
 * failed, expired for expired), never INVALID_TRANSITION: the caller maps it.
 */
import type { RecordTable } from './records';

export const FACE_CHECK_STATES = ['started', 'passed', 'failed', 'used', 'expired'] as const;
export type FaceCheckStatus = (typeof FACE_CHECK_STATES)[number];

export const FACE_CHECK_ACTIONS = ['pass', 'fail', 'use', 'expire'] as const;
export type FaceCheckAction = (typeof FACE_CHECK_ACTIONS)[number];

export const FACE_CHECK_EFFECTS = [
  'recordResult', // result = { errCode, errMsg } as the provider gave it
  'markUsed', //     usedAt = now
] as const;
export type FaceCheckEffect = (typeof FACE_CHECK_EFFECTS)[number];

export const FACE_CHECK_TABLE: RecordTable<FaceCheckStatus, FaceCheckAction, FaceCheckEffect> = {
  kind: 'face_check',
  label: '身份核验',
  states: FACE_CHECK_STATES,
  actions: FACE_CHECK_ACTIONS,
  initial: 'started',
  terminal: ['failed', 'used', 'expired'],
  rows: [
    { from: 'started', action: 'pass', to: 'passed', effects: ['recordResult'] },
    { from: 'started', action: 'fail', to: 'failed', effects: ['recordResult', 'markUsed'], note: 'a failed check is spent (usedAt set, as stored today)' },
    { from: 'started', action: 'use', to: 'used', effects: ['recordResult', 'markUsed'] },
    { from: 'passed', action: 'use', to: 'used', effects: ['markUsed'] },
    { from: ['started', 'passed'], action: 'expire', to: 'expired' },
  ],
};
