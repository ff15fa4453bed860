import schema from '../../schemas/functions/repayment-dispute.json';
import { handle } from '../../shared/runtime/handler';
import { repaymentDispute } from '../../shared/operations/repayment-dispute';

export const main = handle('repayment-dispute', schema, repaymentDispute);
