import schema from '../../schemas/functions/seal-delete.json';
import { handle } from '../../shared/runtime/handler';
import { sealDelete } from '../../shared/operations/seal-delete';

export const main = handle('seal-delete', schema, sealDelete);
