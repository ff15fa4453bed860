/**
 * Repayments of a signed IOU (L1) and extensions of its plan (L3), as record tables. Data only;
 * records.ts reads them.
 *
 * A repayment is …
 * - recorded: the borrower says they paid (amount, day, channel); it counts for nothing yet;
 * - confirmed: the lender agrees, after an identity check — from then on it is a line of the
 *   ledger and an event of the chain. A repayment the lender records themself is created and
 *   confirmed in one commit (the same `confirm` row, after the same check);
 * - disputed: the lender says it did not arrive; it never counts. The borrower may record again.
 *
 * An extension (展期) is …
 * - proposed: one party asks for a new plan for the principal then unpaid and signs the
 *   supplement; at most one is open per IOU;
 * - signed: the other party signs the supplement after an identity check; the ledger follows
 *   the new plan from that day;
 * - refused: the other party declines; the old plan stands. A later proposal is a new record.
 * A proposal still open when the IOU is settled or rescinded can no longer be signed (the IOU is
 * not in force); it stays as it was, shown as proposed in the ledger's history.
 */
import type { RecordTable } from './records';

export const REPAYMENT_STATES = ['recorded', 'confirmed', 'disputed'] as const;
export type RepaymentStatus = (typeof REPAYMENT_STATES)[number];
export const REPAYMENT_ACTIONS = ['confirm', 'dispute'] as const;
export type RepaymentAction = (typeof REPAYMENT_ACTIONS)[number];

export const REPAYMENT_TABLE: RecordTable<RepaymentStatus, RepaymentAction> = {
  kind: 'repayment',
  label: '还款记录',
  states: REPAYMENT_STATES,
  actions: REPAYMENT_ACTIONS,
  initial: 'recorded',
  terminal: ['confirmed', 'disputed'],
  rows: [
    { from: 'recorded', action: 'confirm', to: 'confirmed' },
    { from: 'recorded', action: 'dispute', to: 'disputed' },
  ],
};

export const EXTENSION_STATES = ['proposed', 'signed', 'refused'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATES)[number];
export const EXTENSION_ACTIONS = ['sign', 'refuse'] as const;
export type ExtensionAction = (typeof EXTENSION_ACTIONS)[number];

export const EXTENSION_TABLE: RecordTable<ExtensionStatus, ExtensionAction> = {
  kind: 'extension',
  label: '展期申请',
  states: EXTENSION_STATES,
  actions: EXTENSION_ACTIONS,
  initial: 'proposed',
  terminal: ['signed', 'refused'],
  rows: [
    { from: 'proposed', action: 'sign', to: 'signed' },
    { from: 'proposed', action: 'refuse', to: 'refused' },
  ],
};
