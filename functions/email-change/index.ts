import schema from '../../schemas/functions/email-change.json';
import { handle } from '../../shared/runtime/handler';
import { emailChange } from '../../shared/operations/email-change';

export const main = handle('email-change', schema, emailChange);
