import schema from '../../schemas/functions/timer-outbox.json';
import { handle } from '../../shared/runtime/handler';
import { timerOutbox } from '../../shared/operations/timer-outbox';

export const main = handle('timer-outbox', schema, timerOutbox);
