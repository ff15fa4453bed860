/**
 * Repayment reminders (I8): one document per instalment, so the timer finds the due set through an
 * index and marks each one sent with a compare-and-set — an instalment is reminded once, never
 * twice, however often or concurrently the timer runs.
 */
import { StoreDuplicateError, type Doc } from '../ports/store';
import type { Contract } from '../domain/contract';
import { chinaDay, compareDays } from '../rules/dates';
import { collectionName } from '../store/collections';
import type { Deps } from '../ports/operation';
import { applyRecord, decideRecord, newRecord, REMINDER_TABLE, type ReminderStatus } from '../lifecycle';

export const REMINDERS = collectionName('reminders');

export interface Reminder extends Doc {
  contractId: string;
  index: number;
  dueDate: string;
  principalFen: number;
  status: ReminderStatus;
  sentAt: string | null;
  createdAt: string;
}

interface PlanItem {
  dueDate: string;
  principalFen: number;
}

const planOf = (contract: Contract): PlanItem[] => (contract.form.repaymentPlan as PlanItem[] | undefined) ?? [];

/**
 * Makes every future instalment's reminder pending (creating or re-enabling it). Idempotent. The
 * plan is the IOU's own unless an extension (L3) replaced it: `plan` and its `tag` (the
 * extension's id) keep its reminders apart from the original plan's.
 */
export const scheduleReminders = async (deps: Deps, contract: Contract, plan: readonly PlanItem[] = planOf(contract), tag = ''): Promise<void> => {
  const today = chinaDay(deps.clock.now());
  const now = deps.clock.now().toISOString();
  for (const [index, item] of plan.entries()) {
    if (compareDays(item.dueDate, today) < 0) continue;
    const _id = `${contract._id}:${tag ? `${tag}:` : ''}${index}`;
    try {
      await deps.store.insert(REMINDERS, newRecord(REMINDER_TABLE, { _id, contractId: contract._id, index, dueDate: item.dueDate, principalFen: item.principalFen, sentAt: null, createdAt: now }));
    } catch (e) {
      if (!(e instanceof StoreDuplicateError)) throw e;
      const existing = await deps.store.get<Reminder>(REMINDERS, _id);
      const d = existing ? decideRecord(REMINDER_TABLE, existing.status, 'schedule') : null;
      if (existing && d && !d.noop) await deps.store.compareAndSet(REMINDERS, applyRecord(existing, d), existing.version ?? 0);
    }
  }
};

/** Cancels every reminder not sent yet (reminders switched off, settled, rescinded). Idempotent. */
export const cancelReminders = async (deps: Deps, contractId: string): Promise<void> => {
  const pending = await deps.store.find<Reminder>(REMINDERS, { contractId, status: 'pending' }, { limit: 1000 });
  for (const r of pending) await deps.store.compareAndSet(REMINDERS, applyRecord(r, decideRecord(REMINDER_TABLE, r.status, 'cancel')), r.version ?? 0);
};
