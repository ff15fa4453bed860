/**
 * Pure business rules: calendar days, ID numbers, phones, money, LPR caps, contract-kind limits and
 * the IOU form. No I/O and no imports from ports or adapters — everything they need (today's China
 * day, the LPR table) is passed in — so they are trivially testable and cheap to bundle.
 */
export * from './dates';
export * from './id-number';
export * from './phone';
export * from './money';
export * from './lpr';
export * from './limits';
export * from './iou';
export * from './fees';
export * from './typed-text';
export * from './email';
