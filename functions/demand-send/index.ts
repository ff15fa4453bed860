import schema from '../../schemas/functions/demand-send.json';
import { handle } from '../../shared/runtime/handler';
import { demandSend } from '../../shared/operations/demand-send';

export const main = handle('demand-send', schema, demandSend);
