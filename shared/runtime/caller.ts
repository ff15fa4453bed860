/**
 * Who is calling. Always from the platform's context, never from the payload: on CloudBase the
 * caller's OPENID is put in the function's context by WeChat (WX_OPENID), which a mini-program
 * cannot forge; in the emulator the HTTP server puts the `x-openid` header in `context.emulatorCaller`.
 */
import type { Caller } from '../ports/operation';

/** The emulator's context shape; the cloud runtime never sets this key, and cloud mode ignores it. */
export interface EmulatorContext {
  emulatorCaller?: { openid: string } | null;
  requestId?: string;
}

/**
 * CloudBase: the caller is WX_OPENID (with WX_APPID, WX_UNIONID) of the function's context, as the
 * SDK's getCloudbaseContext reads it (context.environment / environ, the platform's own). A context
 * without them — a timer, an HTTP trigger — has no caller.
 */
export const cloudCaller = (context: unknown): Caller | null => {
  if (!context || typeof context !== 'object') return null;
  let wx: Record<string, unknown>;
  try {
    const tcb = require('@cloudbase/node-sdk') as typeof import('@cloudbase/node-sdk');
    wx = tcb.getCloudbaseContext(context as never) as unknown as Record<string, unknown>;
  } catch {
    return null; // not a CloudBase function context
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const openid = str(wx.WX_OPENID);
  if (!openid || !isSafeOpenid(openid)) return null;
  const appid = str(wx.WX_APPID);
  const unionid = str(wx.WX_UNIONID);
  return { openid, ...(appid ? { appid } : {}), ...(unionid ? { unionid } : {}) };
};

/**
 * Whether a CloudBase client SDK (mini-program, web, anonymous login) made this call: its context
 * carries the caller's source or device (TCB_SOURCE, TCB_UUID, WX_OPENID). An invocation through
 * the Tencent Cloud API (SCF Invoke, signed under CAM) or a trigger carries none of them.
 */
export const clientSdkCall = (context: unknown): boolean => {
  if (!context || typeof context !== 'object') return false;
  if ((context as EmulatorContext).emulatorCaller) return true;
  try {
    const tcb = require('@cloudbase/node-sdk') as typeof import('@cloudbase/node-sdk');
    const wx = tcb.getCloudbaseContext(context as never) as unknown as Record<string, unknown>;
    return ['TCB_SOURCE', 'TCB_UUID', 'WX_OPENID'].some((k) => typeof wx[k] === 'string' && (wx[k] as string).length > 0);
  } catch {
    // The SDK reads the client's context from `environment`: one that is there but cannot be read
    // is not known to be the platform's, and the guard fails closed. (A trigger's or an API
    // invocation's context has none, and the SDK refuses it too.)
    return 'environment' in context;
  }
};

/**
 * What an openid may look like: WeChat's are 28 characters of [A-Za-z0-9_-]; the emulator takes any
 * name of that alphabet up to 64 (alice, bob…). Anything else (`../..`, spaces, unicode) is no caller.
 */
export const SAFE_OPENID = /^[A-Za-z0-9_-]{1,64}$/;
export const isSafeOpenid = (v: unknown): v is string => typeof v === 'string' && SAFE_OPENID.test(v);

export const localCaller = (context: unknown): Caller | null => {
  const c = (context as EmulatorContext | null)?.emulatorCaller;
  return c && isSafeOpenid(c.openid) ? { openid: c.openid } : null;
};

/** Keys the platform or a client might put in a payload that must never be taken as identity. */
export const IDENTITY_KEYS = ['openid', 'OPENID', 'openId', 'userInfo', 'appid', 'APPID', 'unionid', 'UNIONID'];
