import schema from '../../schemas/functions/rescind-request.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/operations/requests';

export const main = handle('rescind-request', schema, rescind.request);
