import schema from '../../schemas/functions/payment-notify.json';
import { handleWebhook } from '../../shared/runtime/webhook';
import { paymentNotify, paymentNotifyFault } from '../../shared/operations/payment-notify';

export const main = handleWebhook('payment-notify', schema, paymentNotify, paymentNotifyFault);
