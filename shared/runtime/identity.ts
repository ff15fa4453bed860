/**
 * Who is calling. Always from the platform's context, never from the payload: on CloudBase the
 * caller's OPENID is put in the function's context by WeChat (WX_OPENID), which a mini-program
 * cannot forge; in the emulator the HTTP server puts the `x-openid` header in `context.emulatorCaller`.
 */
export interface Caller {
  openid: string;
  appid?: string;
  unionid?: string;
}

/** The emulator's context shape; the cloud runtime never sets this key, and cloud mode ignores it. */
export interface EmulatorContext {
  emulatorCaller?: { openid: string } | null;
  requestId?: string;
}

export const localCaller = (context: unknown): Caller | null => {
  const c = (context as EmulatorContext | null)?.emulatorCaller;
  return c && typeof c.openid === 'string' && c.openid.length > 0 ? { openid: c.openid } : null;
};

/** Keys the platform or a client might put in a payload that must never be taken as identity. */
export const IDENTITY_KEYS = ['openid', 'OPENID', 'openId', 'userInfo', 'appid', 'APPID', 'unionid', 'UNIONID'];
