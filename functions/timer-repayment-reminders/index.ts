import schema from '../../schemas/functions/timer-repayment-reminders.json';
import { handle } from '../../shared/runtime/handler';
import { timerRepaymentReminders } from '../../shared/operations/timer-repayment-reminders';

export const main = handle('timer-repayment-reminders', schema, timerRepaymentReminders);
