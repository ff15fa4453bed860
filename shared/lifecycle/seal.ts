/**
 * Personal seals and handwritten signatures (印章 / 手写签名, A5): one record each, owned by one
 * user. Data only; records.ts reads it, shared/identity/seals.ts carries the decisions out.
 *
 * When does a seal or signature become …
 * - valid: when it is made (seal-create from the verified name, signature-upload).
 * - invalid: when its owner renames (A3 `invalidate`, in the rename's commit): it shows the old
 *   name, so no contract may carry it any more; it stays listed, marked 已失效, until deleted.
 * - deleted: when its owner deletes it (seal-delete). The record is kept (a signed contract's
 *   signature names it by ref) but it is no longer listed or usable. Final.
 */
import { stays, type RecordTable } from './records';

export const SEAL_STATES = ['valid', 'invalid', 'deleted'] as const;
export type SealStatus = (typeof SEAL_STATES)[number];

export const SEAL_ACTIONS = ['invalidate', 'delete'] as const;
export type SealAction = (typeof SEAL_ACTIONS)[number];

export const SEAL_TABLE: RecordTable<SealStatus, SealAction> = {
  kind: 'seal',
  label: '印章或签名',
  states: SEAL_STATES,
  actions: SEAL_ACTIONS,
  initial: 'valid',
  terminal: ['deleted'],
  rows: [
    { from: 'valid', action: 'invalidate', to: 'invalid' },
    ...stays(['invalid'], 'invalidate', 'invalid already (an earlier rename): nothing to do'),
    ...stays(['deleted'], 'invalidate', 'deleted: a rename leaves it as it is'),
    { from: ['valid', 'invalid'], action: 'delete', to: 'deleted' },
  ],
};
