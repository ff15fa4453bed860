import schema from '../../schemas/functions/rescind-refuse.json';
import { handle } from '../../shared/runtime/handler';
import { rescind } from '../../shared/contracts/rescind-settle';

export const main = handle('rescind-refuse', schema, rescind.refuse);
