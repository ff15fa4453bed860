import schema from '../../schemas/functions/share-open.json';
import { handle } from '../../shared/runtime/handler';
import { shareOpen } from '../../shared/operations/share-open';

export const main = handle('share-open', schema, shareOpen);
