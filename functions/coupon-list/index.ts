import schema from '../../schemas/functions/coupon-list.json';
import { handle } from '../../shared/runtime/handler';
import { couponList } from '../../shared/operations/coupon-list';

export const main = handle('coupon-list', schema, couponList);
