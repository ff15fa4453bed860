import schema from '../../schemas/functions/timer-anchor.json';
import { handle } from '../../shared/runtime/handler';
import { timerAnchor } from '../../shared/operations/timer-anchor';

export const main = handle('timer-anchor', schema, timerAnchor);
