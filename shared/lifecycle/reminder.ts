/**
 * Repayment reminders (I8, S1): one record per instalment of a signed IOU (`contractId:index`),
 * so the timer finds the due set through its (status, dueDate) index. Data only; records.ts reads it.
 *
 * When does a reminder become …
 * - pending (scheduled): when the IOU is signed with its reminders on (the contract table's
 *   `scheduleReminders` effect) — one per instalment not yet due — and again when reminders are
 *   switched back on (`schedule` from cancelled). Scheduling again what is pending or sent changes
 *   nothing: an instalment is reminded once.
 * - sent: on the instalment's China day, when the timer claims it by compare-and-set (`send`)
 *   before the SMS goes out — so two runs, or a re-run, never send it twice. Then the SMS to the
 *   borrower (an outbox row once messages go through message.ts).
 * - cancelled: when reminders are switched off, or the IOU is settled or rescinded (the contract
 *   table's `cancelReminders`), or the timer finds the IOU no longer in force (or its reminders
 *   off) on the due day (`cancel`). No SMS.
 */
import { stays, type RecordTable } from './records';

export const REMINDER_STATES = ['pending', 'sent', 'cancelled'] as const;
export type ReminderStatus = (typeof REMINDER_STATES)[number];

export const REMINDER_ACTIONS = ['schedule', 'send', 'cancel'] as const;
export type ReminderAction = (typeof REMINDER_ACTIONS)[number];

export const REMINDER_EFFECTS = [
  'smsRepaymentDue', // sentAt = now; the repayment_due SMS to the borrower (due date, principal)
] as const;
export type ReminderEffect = (typeof REMINDER_EFFECTS)[number];

export const REMINDER_TABLE: RecordTable<ReminderStatus, ReminderAction, ReminderEffect> = {
  kind: 'reminder',
  label: '还款提醒',
  states: REMINDER_STATES,
  actions: REMINDER_ACTIONS,
  initial: 'pending',
  terminal: ['sent'],
  rows: [
    { from: 'cancelled', action: 'schedule', to: 'pending' },
    ...stays(['pending'], 'schedule', 'scheduled already'),
    ...stays(['sent'], 'schedule', 'an instalment reminded once stays reminded'),
    { from: 'pending', action: 'send', to: 'sent', effects: ['smsRepaymentDue'] },
    { from: 'pending', action: 'cancel', to: 'cancelled' },
    ...stays(['cancelled'], 'cancel', 'cancelled already'),
  ],
};
