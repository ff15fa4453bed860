import schema from '../../schemas/functions/contract-fill.json';
import { handle } from '../../shared/runtime/handler';
import { contractFill } from '../../shared/operations/contract-fill';

export const main = handle('contract-fill', schema, contractFill);
