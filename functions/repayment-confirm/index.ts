import schema from '../../schemas/functions/repayment-confirm.json';
import { handle } from '../../shared/runtime/handler';
import { repaymentConfirm } from '../../shared/operations/repayment-confirm';

export const main = handle('repayment-confirm', schema, repaymentConfirm);
