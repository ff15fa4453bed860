import schema from '../../schemas/functions/contract-pay.json';
import { handle } from '../../shared/runtime/handler';
import { contractPay } from '../../shared/operations/contract-pay';

export const main = handle('contract-pay', schema, contractPay);
