import schema from '../../schemas/functions/rename.json';
import { handle } from '../../shared/runtime/handler';
import { rename } from '../../shared/operations/rename';

export const main = handle('rename', schema, rename);
