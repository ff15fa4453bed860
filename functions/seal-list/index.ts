import schema from '../../schemas/functions/seal-list.json';
import { handle } from '../../shared/runtime/handler';
import { sealList } from '../../shared/operations/seal-list';

export const main = handle('seal-list', schema, sealList);
