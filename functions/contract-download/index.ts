import schema from '../../schemas/functions/contract-download.json';
import { handle } from '../../shared/runtime/handler';
import { contractDownload } from '../../shared/operations/contract-download';

export const main = handle('contract-download', schema, contractDownload);
