import schema from '../../schemas/functions/contract-list.json';
import { handle } from '../../shared/runtime/handler';
import { contractList } from '../../shared/operations/contract-list';

export const main = handle('contract-list', schema, contractList);
