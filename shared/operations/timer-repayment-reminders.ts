import { partyIndexByRole } from '../domain/contract';
import type { TimerRepaymentRemindersInput } from '../generated/schema-types';
import { chinaDay } from '../rules/dates';
import type { Operation } from '../ports/operation';
import { loadContract } from '../contracts/repository';
import { sendSms } from '../messages/contract-sms';
import { REMINDERS, type Reminder } from '../contracts/reminders';
import { applyRecord, decideRecord, REMINDER_TABLE } from '../lifecycle';
import { ledgerOf, loadLedgerRecords } from '../repayments/records';

const MAX_BATCHES = 50;

/** Principal still owed on the instalment due on `dueDate` under the plan in force (0: paid, or replaced). */
const stillOwed = (ledger: ReturnType<typeof ledgerOf>, dueDate: string): number =>
  ledger.instalments.find((i) => i.dueDate === dueDate && i.status !== 'superseded')?.principalOutstandingFen ?? 0;

/**
 * I8/S1: on each instalment's date (China day) the borrower gets one SMS per due instalment. A
 * reminder is claimed with a compare-and-set (pending → sent) before the SMS goes out, so two runs
 * at once, or a re-run, never send it twice. An instalment of an IOU no longer in force is cancelled,
 * and so is one the ledger shows paid, or replaced by an extension (L1, L3). The SMS names no
 * amount (Tencent's template rules refuse them); ledger-get shows what is still owed on it.
 */
export const timerRepaymentReminders: Operation<TimerRepaymentRemindersInput> = async (_input, ctx) => {
  const { deps } = ctx;
  const today = chinaDay(deps.clock.now());
  let sent = 0;
  let cancelled = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await deps.store.find<Reminder>(REMINDERS, { status: 'pending', dueDate: { $lte: today } }, { orderBy: [['dueDate', 'asc']], limit: deps.config.timerBatch });
    if (due.length === 0) break;
    let claimed = 0;
    for (const r of due) {
      const contract = await loadContract(deps, r.contractId);
      const live = contract?.state === 'signed' || contract?.state === 'rescind_pending' || contract?.state === 'settle_pending';
      const owed = live && contract.reminders.enabled ? stillOwed(ledgerOf(deps, contract, await loadLedgerRecords(deps, contract._id), today), r.dueDate) : 0;
      const d = decideRecord(REMINDER_TABLE, r.status, owed > 0 ? 'send' : 'cancel');
      const status = d.to;
      const won = await deps.store.compareAndSet(REMINDERS, applyRecord(r, d, { sentAt: d.effects.includes('smsRepaymentDue') ? deps.clock.now().toISOString() : null }), r.version ?? 0);
      if (!won) continue; // another run has it
      claimed++;
      if (status === 'cancelled') {
        cancelled++;
        continue;
      }
      const borrower = partyIndexByRole(contract!, 'borrower');
      if (borrower !== null && (await sendSms(deps, contract!, borrower, 'repayment_due', { day: r.dueDate }))) sent++;
    }
    if (claimed === 0 || due.length < deps.config.timerBatch) break;
  }
  return { sent, cancelled, day: today };
};
