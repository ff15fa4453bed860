import schema from '../../schemas/functions/contract-email.json';
import { handle } from '../../shared/runtime/handler';
import { contractEmail } from '../../shared/operations/contract-email';

export const main = handle('contract-email', schema, contractEmail);
