import schema from '../../schemas/functions/cross-border-set.json';
import { handle } from '../../shared/runtime/handler';
import { crossBorderSet } from '../../shared/operations/cross-border-set';

export const main = handle('cross-border-set', schema, crossBorderSet);
