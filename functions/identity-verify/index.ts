import schema from '../../schemas/functions/identity-verify.json';
import { handle } from '../../shared/runtime/handler';
import { identityVerify } from '../../shared/operations/identity-verify';

export const main = handle('identity-verify', schema, identityVerify);
