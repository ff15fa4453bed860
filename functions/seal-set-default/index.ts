import schema from '../../schemas/functions/seal-set-default.json';
import { handle } from '../../shared/runtime/handler';
import { sealSetDefault } from '../../shared/operations/seal-set-default';

export const main = handle('seal-set-default', schema, sealSetDefault);
