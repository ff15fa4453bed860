import schema from '../../schemas/functions/timer-wechatpay-certificates.json';
import { handle } from '../../shared/runtime/handler';
import { timerWechatpayCertificates } from '../../shared/operations/timer-wechatpay-certificates';

export const main = handle('timer-wechatpay-certificates', schema, timerWechatpayCertificates);
