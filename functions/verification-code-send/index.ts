import schema from '../../schemas/functions/verification-code-send.json';
import { handle } from '../../shared/runtime/handler';
import { verificationCodeSend } from '../../shared/operations/verification-code-send';

export const main = handle('verification-code-send', schema, verificationCodeSend);
