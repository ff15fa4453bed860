import schema from '../../schemas/functions/extension-sign.json';
import { handle } from '../../shared/runtime/handler';
import { extensionSign } from '../../shared/operations/extension-sign';

export const main = handle('extension-sign', schema, extensionSign);
