import schema from '../../schemas/functions/rescind-cancel.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/operations/requests';

export const main = handle('rescind-cancel', schema, rescind.cancel);
