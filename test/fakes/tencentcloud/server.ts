/**
 * A local Tencent Cloud API 3.0 endpoint: POST / with a JSON body, X-TC-Action / X-TC-Version /
 * X-TC-Timestamp headers and a TC3-HMAC-SHA256 Authorization verified by ../tc3.ts. Answers are
 * always HTTP 200 with `{"Response": {..., "RequestId"}}` or
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, as the API does
 * (https://cloud.tencent.com/document/api/213/30613).
 *
 * The service is the Host's first label (`faceid.tencentcloudapi.com` → faceid), as on the real
 * endpoint; a client pointed at the server's IP (TCB_BASE_URL for manager-node) is served by the
 * service its credential scope names. Tests can make the next calls of an action fail with
 * RequestLimitExceeded (`throttle`).
 */
import http from 'node:http';
import { listen, readBody, requestId, sendJson, type Listening } from '../http';
import { verifyTc3, type Tc3Key } from '../tc3';

export class ApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type Params = Record<string, unknown>;

export interface ApiService {
  version: string;
  actions: Record<string, (params: Params, ctx: { region: string | undefined }) => Params>;
}

export interface TencentApiFake extends Listening {
  /** Calls that passed the signature check: service, action, region. */
  calls: Array<{ service: string; action: string; region: string | undefined }>;
  /** Calls refused for authentication (wrong key, bad signature, expired). */
  refused: Array<{ service: string; code: string }>;
  /** The next `times` calls of service/action answer RequestLimitExceeded. */
  throttle(service: string, action: string, times?: number): void;
}

const HOST = /^([a-z0-9]+)\.tencentcloudapi\.com(?::\d+)?$/;

export const startTencentApiFake = async (keys: ReadonlyMap<string, Tc3Key>, services: Record<string, ApiService>): Promise<TencentApiFake> => {
  const calls: TencentApiFake['calls'] = [];
  const refused: TencentApiFake['refused'] = [];
  const throttles = new Map<string, number>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const rid = requestId();
    const reply = (body: Params): void => sendJson(res, 200, { Response: { ...body, RequestId: rid } }, { 'x-tc-traceid': rid });
    const error = (code: string, message: string): void => reply({ Error: { Code: code, Message: message } });
    if (req.method !== 'POST') return error('UnsupportedProtocol', 'Only POST with a JSON body is served here.');
    const body = await readBody(req);
    const host = String(req.headers.host ?? '');
    const scope = /Credential=[^/]+\/[^/]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const service = HOST.exec(host)?.[1] ?? scope;
    const auth = verifyTc3(req, body, keys, service);
    if (!auth.ok) {
      refused.push({ service, code: auth.code });
      return error(auth.code, auth.message);
    }
    const svc = services[service];
    if (!svc) return error('InvalidAction', `No service ${service} here.`);
    if (req.headers['x-tc-version'] !== svc.version) return error('NoSuchVersion', `The API version ${String(req.headers['x-tc-version'])} does not exist.`);
    const action = String(req.headers['x-tc-action'] ?? '');
    const run = svc.actions[action];
    if (!run) return error('InvalidAction', `The action ${action} does not exist.`);
    const region = typeof req.headers['x-tc-region'] === 'string' ? req.headers['x-tc-region'] : undefined;
    calls.push({ service, action, region });
    const throttleKey = `${service}/${action}`;
    const left = throttles.get(throttleKey) ?? 0;
    if (left > 0) {
      throttles.set(throttleKey, left - 1);
      return error('RequestLimitExceeded', 'Your current request rate exceeds the limit.');
    }
    let params: Params;
    try {
      params = body.length ? (JSON.parse(body.toString('utf8')) as Params) : {};
    } catch {
      return error('InvalidParameter', 'The request body is not JSON.');
    }
    try {
      return reply(run(params, { region }));
    } catch (e) {
      if (e instanceof ApiError) return error(e.code, e.message);
      return error('InternalError', (e as Error).message);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: Error) => sendJson(res, 500, { message: e.message }));
  });
  const listening = await listen(server);
  return Object.assign(listening, {
    calls,
    refused,
    throttle: (service: string, action: string, times = 1) => throttles.set(`${service}/${action}`, times),
  });
};
