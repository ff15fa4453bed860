import schema from '../../schemas/functions/contract-events.json';
import { handle } from '../../shared/runtime/handler';
import { contractEvents } from '../../shared/operations/contract-events';

export const main = handle('contract-events', schema, contractEvents);
