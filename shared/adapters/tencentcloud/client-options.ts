/**
 * What every Tencent Cloud API client (tencentcloud-sdk-nodejs, API 3.0, TC3-HMAC-SHA256) is built
 * with: credentials, region, timeout and — in tests only — a gateway address.
 *
 * Credentials are read on every request, not once: inside SCF the function role's temporary keys
 * (TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN) are replaced while a warm instance lives on.
 *
 * The gateway: the SDK derives the signing service from the endpoint's first label
 * (`faceid.tencentcloudapi.com` → "faceid"), so a test server cannot simply be put in as
 * `127.0.0.1:port` without changing what is signed. Instead the endpoint keeps its real host name
 * and the connection is dialled to the gateway address (like curl --connect-to); the Host header
 * and the signature are exactly what Tencent Cloud would receive.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';

export interface ApiCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

export interface TencentApiSettings {
  /** Default region (SMS and FaceID accept any; SES lives in ap-guangzhou / ap-hongkong). */
  region: string;
  /** Looked up for every request; null when none are configured. */
  credentials: () => ApiCredentials | null;
  /** Seconds before a call is abandoned (the SDK's default of 60 s outlives a 10 s function). */
  timeoutSeconds: number;
  /** Tests: `http://127.0.0.1:port` receives every API call, Host header untouched. */
  gateway?: string;
}

export type ApiService = 'faceid' | 'sms' | 'ses' | 'ssm' | 'kms';

/** The SDK's ClientConfig (kept structural so this module does not load the SDK). */
export interface SdkClientConfig {
  credential: { getCredential(): Promise<{ secretId: string; secretKey: string; token?: string }> };
  region: string;
  profile: { httpProfile: { endpoint: string; protocol: string; reqTimeout: number; agent?: http.Agent } };
}

export class MissingCredentialsError extends Error {
  readonly code = 'MissingCredentials';
  constructor() {
    super('no Tencent Cloud API credentials: set ESIGN_TC_SECRET_ID/ESIGN_TC_SECRET_KEY or give the function a role');
  }
}

let gatewayAgents: Map<string, http.Agent> | undefined;

const agentFor = (gateway: URL): http.Agent => {
  gatewayAgents ??= new Map();
  let agent = gatewayAgents.get(gateway.origin);
  if (!agent) {
    const lookup = ((_host: string, options: dns.LookupOptions, cb: (...args: unknown[]) => void) =>
      dns.lookup(gateway.hostname, options, cb as never)) as unknown as http.AgentOptions['lookup'];
    agent = gateway.protocol === 'https:' ? new https.Agent({ lookup }) : new http.Agent({ lookup });
    gatewayAgents.set(gateway.origin, agent);
  }
  return agent;
};

export const sdkClientConfig = (service: ApiService, settings: TencentApiSettings, region = settings.region): SdkClientConfig => {
  const host = `${service}.tencentcloudapi.com`;
  const httpProfile: SdkClientConfig['profile']['httpProfile'] = { endpoint: host, protocol: 'https://', reqTimeout: settings.timeoutSeconds };
  if (settings.gateway) {
    const gw = new URL(settings.gateway);
    const port = gw.port || (gw.protocol === 'https:' ? '443' : '80');
    Object.assign(httpProfile, { endpoint: `${host}:${port}`, protocol: `${gw.protocol}//`, agent: agentFor(gw) });
  }
  return {
    credential: {
      getCredential: async () => {
        const c = settings.credentials();
        if (!c) throw new MissingCredentialsError();
        return { secretId: c.secretId, secretKey: c.secretKey, ...(c.token ? { token: c.token } : {}) };
      },
    },
    region,
    profile: { httpProfile },
  };
};
