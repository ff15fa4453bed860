import schema from '../../schemas/functions/reminder-set.json';
import { handle } from '../../shared/runtime/handler';
import { reminderSet } from '../../shared/operations/reminder-set';

export const main = handle('reminder-set', schema, reminderSet);
