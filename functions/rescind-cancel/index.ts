import schema from '../../schemas/functions/rescind-cancel.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/contracts/rescind-settle';

export const main = handle('rescind-cancel', schema, rescind.cancel);
