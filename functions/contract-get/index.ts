import schema from '../../schemas/functions/contract-get.json';
import { handle } from '../../shared/runtime/handler';
import { contractGet } from '../../shared/operations/contract-get';

export const main = handle('contract-get', schema, contractGet);
