/**
 * WeChat Pay API v3 adapter (direct merchant, JSAPI / mini-program payments). See each module's
 * header for the documentation it follows.
 */
export {
  createWechatPayConfig,
  loadWechatPayConfig,
  DEFAULT_BASE_URL,
  PUBLIC_KEY_ID_PREFIX,
  WECHATPAY_ENV,
} from './config';
export type { WechatPayConfig, WechatPayConfigInput } from './config';
export { WechatPayError, WechatPayConfigError, isWechatPayError } from './errors';
export type { VerifyFailureReason, WechatPayErrorKind, WechatPayErrorInfo } from './errors';
export {
  AUTH_SCHEMA,
  buildAuthorization,
  buildRequestPaymentParams,
  canonicalUrl,
  generateNonce,
  parseAuthorization,
  requestPaymentSignatureMessage,
  requestSignatureMessage,
  rsaSha256Sign,
  unixSeconds,
} from './request-signing';
export type { AuthorizationInput, ParsedAuthorization, RequestPaymentParams } from './request-signing';
export { HEADER, MAX_TIMESTAMP_SKEW_SECONDS, headerValue, verifyWechatPaySignature } from './response-verify';
export type { HeaderBag, VerifyInput, VerifyOutcome } from './response-verify';
export { AEAD_ALGORITHM, decryptAeadAes256Gcm } from './aead';
export type { DecryptOutcome } from './aead';
export { TRADE_STATES, parseTransaction } from './transaction';
export type { TradeState, Transaction, TransactionParse } from './transaction';
export {
  notificationAccepted,
  notificationRefused,
  notificationKind,
  parsePaymentNotification,
  parseRefundNotification,
  rawNotificationBody,
} from './notification';
export type {
  NotificationAnswer,
  NotificationOutcome,
  NotificationRefusal,
  NotificationRequest,
  NotificationVerifier,
  PaymentNotification,
  RefundNotification,
  RefundNotificationOutcome,
} from './notification';
export { REFUND_STATUSES, parseRefund } from './refund';
export type { Refund, RefundParse, RefundStatus } from './refund';
export { PlatformKeyRing, parseCertificates } from './certificates';
export type { CertificatesParse, PlatformCertificate } from './certificates';
export { WechatPayClient, createWechatPayClient } from './client';
export type { JsapiOrder, JsapiOrderInput, WechatPayClientOptions } from './client';
