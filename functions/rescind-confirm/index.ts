import schema from '../../schemas/functions/rescind-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { rescindConfirm } from '../../shared/operations/confirmations';

export const main = handle('rescind-confirm', schema, rescindConfirm);
