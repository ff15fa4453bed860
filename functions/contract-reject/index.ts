import schema from '../../schemas/functions/contract-reject.json';
import { handle } from '../../shared/runtime/handler';
import { contractReject } from '../../shared/operations/contract-reject';

export const main = handle('contract-reject', schema, contractReject);
