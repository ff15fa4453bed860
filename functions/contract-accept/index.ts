import schema from '../../schemas/functions/contract-accept.json';
import { handle } from '../../shared/runtime/handler';
import { contractAccept } from '../../shared/operations/contract-accept';

export const main = handle('contract-accept', schema, contractAccept);
