import schema from '../../schemas/functions/contract-sign.json';
import { handle } from '../../shared/runtime/handler';
import { contractSign } from '../../shared/operations/contract-sign';

export const main = handle('contract-sign', schema, contractSign);
