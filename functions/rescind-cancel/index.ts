import schema from '../../schemas/functions/rescind-cancel.json';
import { handle } from '../../shared/runtime/handler';
import { rescindCancel } from '../../shared/operations/rescind-cancel';

export const main = handle('rescind-cancel', schema, rescindCancel);
