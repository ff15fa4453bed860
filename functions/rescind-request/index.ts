import schema from '../../schemas/functions/rescind-request.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/contracts/rescind-settle';

export const main = handle('rescind-request', schema, rescind.request);
