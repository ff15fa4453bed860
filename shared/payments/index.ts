/**
 * The payments module's public face for callers outside shared/ that are not operations — the
 * emulator's controls (POST /_emulator/coupons issues a coupon as marketing would; POST
 * /_emulator/pay/<orderId> reads the order it pays). Operations import the module's files
 * directly, so this file adds nothing to a function's bundle; test/architecture/layering.test.ts
 * keeps the emulator to it.
 */
export { issueCoupon } from './coupons';
export { loadOrder } from './orders';
export type { Coupon } from './coupons';
export type { Order } from './orders';
