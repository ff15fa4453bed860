import schema from '../../schemas/functions/contract-issue.json';
import { handle } from '../../shared/runtime/handler';
import { contractIssue } from '../../shared/operations/contract-issue';

export const main = handle('contract-issue', schema, contractIssue);
