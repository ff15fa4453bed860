import schema from '../../schemas/functions/signing-challenge.json';
import { handle } from '../../shared/runtime/handler';
import { signingChallenge } from '../../shared/operations/signing-challenge';

export const main = handle('signing-challenge', schema, signingChallenge);
