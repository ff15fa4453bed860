import schema from '../../schemas/functions/phone-change.json';
import { handle } from '../../shared/runtime/handler';
import { phoneChange } from '../../shared/operations/phone-change';

export const main = handle('phone-change', schema, phoneChange);
