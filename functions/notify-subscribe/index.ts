import schema from '../../schemas/functions/notify-subscribe.json';
import { handle } from '../../shared/runtime/handler';
import { notifySubscribe } from '../../shared/operations/notify-subscribe';

export const main = handle('notify-subscribe', schema, notifySubscribe);
