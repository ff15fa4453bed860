import schema from '../../schemas/functions/rescind-request.json';
import { handle } from '../../shared/runtime/handler';
import { rescindRequest } from '../../shared/operations/rescind-request';

export const main = handle('rescind-request', schema, rescindRequest);
