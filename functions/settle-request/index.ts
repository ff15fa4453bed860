import schema from '../../schemas/functions/settle-request.json';
import { handle } from '../../shared/runtime/handler';
import { settleRequest } from '../../shared/operations/settle-request';

export const main = handle('settle-request', schema, settleRequest);
