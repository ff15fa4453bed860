import schema from '../../schemas/functions/settle-cancel.json';
import { handle } from '../../shared/runtime/handler';
import { settleCancel } from '../../shared/operations/settle-cancel';

export const main = handle('settle-cancel', schema, settleCancel);
