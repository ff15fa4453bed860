/**
 * One CloudBase app per process, made on first use (requiring this module loads the SDK but does no
 * I/O; `tcb.init` starts a platform probe, so it waits for the first call).
 *
 * Credentials: inside a CloudBase function nothing needs configuring — the SDK signs with the
 * platform's temporary keys, which it re-reads on every request. Explicit keys (ESIGN_TC_SECRET_ID
 * /_KEY) are for running elsewhere, and for tests. `serviceUrl` points the SDK at another /admin
 * endpoint (the tests' CloudBase protocol server).
 */
import tcb from '@cloudbase/node-sdk';
import { ProviderFailure, type ProviderName } from '../tencentcloud/provider-error';

export interface CloudBaseSettings {
  envId: string;
  serviceUrl?: string;
  credentials?: { secretId: string; secretKey: string; sessionToken?: string } | null;
  /** Per request, milliseconds. */
  timeoutMs: number;
}

export type CloudBaseApp = ReturnType<typeof tcb.init>;

export const createCloudBaseApp = (s: CloudBaseSettings): CloudBaseApp =>
  tcb.init({
    env: s.envId,
    timeout: s.timeoutMs,
    ...(s.serviceUrl ? { serviceUrl: s.serviceUrl } : {}),
    ...(s.credentials
      ? { secretId: s.credentials.secretId, secretKey: s.credentials.secretKey, ...(s.credentials.sessionToken ? { sessionToken: s.credentials.sessionToken } : {}) }
      : {}),
  });

/** What the SDK throws: `{code, message, requestId}` from the API, or a Node network error. */
export const errorCode = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : '';
};

export const cloudbaseFailure = (provider: ProviderName, e: unknown): ProviderFailure => {
  if (e instanceof ProviderFailure) return e;
  const err = (e ?? {}) as { message?: string; requestId?: string };
  return new ProviderFailure(provider, errorCode(e) || 'NetworkError', err.message ?? String(e), err.requestId);
};
