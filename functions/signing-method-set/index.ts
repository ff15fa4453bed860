import schema from '../../schemas/functions/signing-method-set.json';
import { handle } from '../../shared/runtime/handler';
import { signingMethodSet } from '../../shared/operations/signing-method-set';

export const main = handle('signing-method-set', schema, signingMethodSet);
