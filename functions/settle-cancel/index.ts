import schema from '../../schemas/functions/settle-cancel.json';
import { handle } from '../../shared/runtime/handler';
import { settle } from '../../shared/contracts/rescind-settle';

export const main = handle('settle-cancel', schema, settle.cancel);
