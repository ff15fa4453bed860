import schema from '../../schemas/functions/rescind-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { rescindConfirm } from '../../shared/operations/rescind-confirm';

export const main = handle('rescind-confirm', schema, rescindConfirm);
