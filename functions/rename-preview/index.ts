import schema from '../../schemas/functions/rename-preview.json';
import { handle } from '../../shared/runtime/handler';
import { renamePreview } from '../../shared/operations/rename-preview';

export const main = handle('rename-preview', schema, renamePreview);
