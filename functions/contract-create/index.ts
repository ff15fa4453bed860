import schema from '../../schemas/functions/contract-create.json';
import { handle } from '../../shared/runtime/handler';
import { contractCreate } from '../../shared/operations/contract-create';

export const main = handle('contract-create', schema, contractCreate);
