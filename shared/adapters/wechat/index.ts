/** The WeChat mini-program server API adapter (Wechat port): see client.ts. */
export { WechatApi, DEFAULT_WECHAT_BASE_URL, type WechatSettings } from './client';
export { StableAccessToken } from './access-token';
export { WechatApiError, isWechatApiError, TOKEN_ERRCODES, RETRYABLE_ERRCODES, ERRCODE_MEANINGS } from './errors';
