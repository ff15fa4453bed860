import schema from '../../schemas/functions/settle-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { settleConfirm } from '../../shared/operations/settle-confirm';

export const main = handle('settle-confirm', schema, settleConfirm);
