import schema from '../../schemas/functions/timer-expire.json';
import { handle } from '../../shared/runtime/handler';
import { timerExpire } from '../../shared/operations/timer-expire';

export const main = handle('timer-expire', schema, timerExpire);
