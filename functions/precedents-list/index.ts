import schema from '../../schemas/functions/precedents-list.json';
import { handle } from '../../shared/runtime/handler';
import { precedentsList } from '../../shared/operations/precedents-list';

export const main = handle('precedents-list', schema, precedentsList);
