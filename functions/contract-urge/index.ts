import schema from '../../schemas/functions/contract-urge.json';
import { handle } from '../../shared/runtime/handler';
import { contractUrge } from '../../shared/operations/contract-urge';

export const main = handle('contract-urge', schema, contractUrge);
