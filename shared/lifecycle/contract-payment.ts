/**
 * A contract's payment gate (I6, F2, R3): `contract.payment.status`, the part of the contract the
 * transition table's `paid` guard reads. It moves only in the commit of the contract's `initiate`
 * (or `issue`) action, so the contract's compare-and-set makes it exactly-once. Data only;
 * records.ts reads it. The contract's state and parties stay in table.ts.
 *
 * When does a contract's payment become …
 * - unpaid: when the draft is created with a fee (contract-create).
 * - paid: when a paid initiation order passes the gate (`pay`): amount, order id and paidAt are
 *   kept, the fee facts on the contract, a payment_confirmed event — in the initiation's commit.
 * - waived: when the price is 0 — free quota, saver card, a coupon that takes the whole price —
 *   (`waive`, in the initiation's commit, with a payment_confirmed event saying waived), or when a
 *   payer-initiated receipt is issued without fee (`issue`, 确认开具, R3: fee facts, no event).
 * paid and waived are final. Money arriving for a gate that had passed (by another order) is not
 * this table's: the order is settled `pay_unapplied` (order.ts) and recorded for refund.
 */
import type { RecordTable } from './records';

export const CONTRACT_PAYMENT_STATES = ['unpaid', 'paid', 'waived'] as const;
export type ContractPaymentStatus = (typeof CONTRACT_PAYMENT_STATES)[number];

export const CONTRACT_PAYMENT_ACTIONS = [
  'pay', //   a paid initiation order passes the gate
  'waive', // the initiation's price is 0
  'issue', // 确认开具 of a payer-initiated receipt, no fee (R3)
] as const;
export type ContractPaymentAction = (typeof CONTRACT_PAYMENT_ACTIONS)[number];

export const CONTRACT_PAYMENT_EFFECTS = [
  'keepFeeFacts', //      ruleFacts.fee = the quote's list price, amount, steps, coupon, order id
  'paymentConfirmed', //  the payment_confirmed event (before the initiation's own events)
] as const;
export type ContractPaymentEffect = (typeof CONTRACT_PAYMENT_EFFECTS)[number];

export const CONTRACT_PAYMENT_TABLE: RecordTable<ContractPaymentStatus, ContractPaymentAction, ContractPaymentEffect> = {
  kind: 'contract_payment',
  label: '合同支付',
  states: CONTRACT_PAYMENT_STATES,
  actions: CONTRACT_PAYMENT_ACTIONS,
  initial: 'unpaid',
  terminal: ['paid', 'waived'],
  rows: [
    { from: 'unpaid', action: 'pay', to: 'paid', effects: ['keepFeeFacts', 'paymentConfirmed'] },
    { from: 'unpaid', action: 'waive', to: 'waived', effects: ['keepFeeFacts', 'paymentConfirmed'] },
    { from: 'unpaid', action: 'issue', to: 'waived', effects: ['keepFeeFacts'] },
  ],
};
