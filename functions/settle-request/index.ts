import schema from '../../schemas/functions/settle-request.json';
import { handle } from '../../shared/runtime/handler';
import { settle } from '../../shared/contracts/rescind-settle';

export const main = handle('settle-request', schema, settle.request);
