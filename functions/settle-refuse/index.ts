import schema from '../../schemas/functions/settle-refuse.json';
import { handle } from '../../shared/runtime/handler';
import { settleRefuse } from '../../shared/operations/settle-refuse';

export const main = handle('settle-refuse', schema, settleRefuse);
