import schema from '../../schemas/functions/payment-notify.json';
import { handleWebhook } from '../../shared/runtime/webhook';
import { paymentNotify } from '../../shared/operations/payment-notify';
// The wrapper's own refusal is answered before (or without) a container, so it cannot go through the
// Payments port: the entry, which composes the function, names the provider's refusal format here.
import { notificationRefused } from '../../shared/adapters/wechatpay/notification';

export const main = handleWebhook('payment-notify', schema, paymentNotify, (why) => notificationRefused(why));
