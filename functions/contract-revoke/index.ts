import schema from '../../schemas/functions/contract-revoke.json';
import { handle } from '../../shared/runtime/handler';
import { contractRevoke } from '../../shared/operations/contract-revoke';

export const main = handle('contract-revoke', schema, contractRevoke);
