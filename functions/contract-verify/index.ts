import schema from '../../schemas/functions/contract-verify.json';
import { handle } from '../../shared/runtime/handler';
import { contractVerify } from '../../shared/operations/contract-verify';

export const main = handle('contract-verify', schema, contractVerify);
