/** Turns what tencentcloud-sdk-nodejs throws into a ProviderFailure carrying the API's own code. */
import { ProviderFailure, type ProviderName } from './provider-error';

interface SdkException {
  code?: string;
  message?: string;
  requestId?: string;
  httpCode?: number;
}

export const providerFailure = (provider: ProviderName, e: unknown): ProviderFailure => {
  if (e instanceof ProviderFailure) return e;
  const err = (e ?? {}) as SdkException & { cause?: { code?: string } };
  // API errors carry Response.Error.Code; HTTP-level ones only a status; network ones neither.
  const code = err.code || (err.httpCode ? `HTTP${err.httpCode}` : /credentials/i.test(err.message ?? '') ? 'MissingCredentials' : 'NetworkError');
  return new ProviderFailure(provider, code, err.message ?? String(e), err.requestId || undefined);
};
