import schema from '../../schemas/functions/settle-refuse.json';
import { handle } from '../../shared/runtime/handler';
import { settle } from '../../shared/contracts/rescind-settle';

export const main = handle('settle-refuse', schema, settle.refuse);
