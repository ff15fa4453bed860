import schema from '../../schemas/functions/extension-propose.json';
import { handle } from '../../shared/runtime/handler';
import { extensionPropose } from '../../shared/operations/extension-propose';

export const main = handle('extension-propose', schema, extensionPropose);
