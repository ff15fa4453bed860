import schema from '../../schemas/functions/account-deregister.json';
import { handle } from '../../shared/runtime/handler';
import { accountDeregister } from '../../shared/operations/account-deregister';

export const main = handle('account-deregister', schema, accountDeregister);
