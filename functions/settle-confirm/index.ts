import schema from '../../schemas/functions/settle-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { settle } from '../../shared/operations/requests';

export const main = handle('settle-confirm', schema, settle.confirm);
