import schema from '../../schemas/functions/contract-share.json';
import { handle } from '../../shared/runtime/handler';
import { contractShare } from '../../shared/operations/contract-share';

export const main = handle('contract-share', schema, contractShare);
