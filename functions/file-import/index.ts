import schema from '../../schemas/functions/file-import.json';
import { handle } from '../../shared/runtime/handler';
import { fileImport } from '../../shared/operations/file-import';

export const main = handle('file-import', schema, fileImport);
