import schema from '../../schemas/functions/seal-create.json';
import { handle } from '../../shared/runtime/handler';
import { sealCreate } from '../../shared/operations/seal-create';

export const main = handle('seal-create', schema, sealCreate);
