import schema from '../../schemas/functions/template-list.json';
import { handle } from '../../shared/runtime/handler';
import { templateList } from '../../shared/operations/template-list';

export const main = handle('template-list', schema, templateList);
