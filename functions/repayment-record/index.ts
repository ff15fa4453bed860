import schema from '../../schemas/functions/repayment-record.json';
import { handle } from '../../shared/runtime/handler';
import { repaymentRecord } from '../../shared/operations/repayment-record';

export const main = handle('repayment-record', schema, repaymentRecord);
