import schema from '../../schemas/functions/contract-evidence.json';
import { handle } from '../../shared/runtime/handler';
import { contractEvidence } from '../../shared/operations/contract-evidence';

export const main = handle('contract-evidence', schema, contractEvidence);
