import schema from '../../schemas/functions/timer-payment-reconcile.json';
import { handle } from '../../shared/runtime/handler';
import { timerPaymentReconcile } from '../../shared/operations/timer-payment-reconcile';

export const main = handle('timer-payment-reconcile', schema, timerPaymentReconcile);
