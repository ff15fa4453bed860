import schema from '../../schemas/functions/rescind-refuse.json';
import { handle } from '../../shared/runtime/handler';
import { rescindRefuse } from '../../shared/operations/rescind-refuse';

export const main = handle('rescind-refuse', schema, rescindRefuse);
