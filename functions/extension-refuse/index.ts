import schema from '../../schemas/functions/extension-refuse.json';
import { handle } from '../../shared/runtime/handler';
import { extensionRefuse } from '../../shared/operations/extension-refuse';

export const main = handle('extension-refuse', schema, extensionRefuse);
