import schema from '../../schemas/functions/template-get.json';
import { handle } from '../../shared/runtime/handler';
import { templateGet } from '../../shared/operations/template-get';

export const main = handle('template-get', schema, templateGet);
