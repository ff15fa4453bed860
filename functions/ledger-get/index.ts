import schema from '../../schemas/functions/ledger-get.json';
import { handle } from '../../shared/runtime/handler';
import { ledgerGet } from '../../shared/operations/ledger-get';

export const main = handle('ledger-get', schema, ledgerGet);
