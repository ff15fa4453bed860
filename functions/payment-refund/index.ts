import schema from '../../schemas/functions/payment-refund.json';
import { handle } from '../../shared/runtime/handler';
import { paymentRefund } from '../../shared/operations/payment-refund';

export const main = handle('payment-refund', schema, paymentRefund);
