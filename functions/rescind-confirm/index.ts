import schema from '../../schemas/functions/rescind-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/operations/requests';

export const main = handle('rescind-confirm', schema, rescind.confirm);
