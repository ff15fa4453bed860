/**
 * A local server speaking WeChat's SOTER signature API, for the production adapter
 * (shared/adapters/wechat/soter-verifier.ts):
 *
 *   POST /cgi-bin/soter/verify_signature?access_token=ACCESS_TOKEN
 *   {"openid","json_string","json_signature"} → {"errcode":0,"errmsg":"ok","is_ok":true|false}
 *
 * (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/soter/verifySignature.html). It really
 * verifies: each enrolled phone has its own RSA-2048 key, `json_signature` is checked over the
 * exact `json_string` bytes with RSASSA-PSS / SHA-256 / salt 20 (wx.startSoterAuthentication's
 * documented scheme). Its own code, not the simulator's, so a bug in one cannot hide in the other.
 * A wrong token answers 40001, a body without the three strings 47001, as WeChat does.
 */
import { constants, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { listen, readBody, sendJson, type Listening } from '../http';

export interface FakePhone {
  /** What wx.startSoterAuthentication returns on this phone for `challenge`. */
  authenticate(challenge: string, authMode?: 'fingerPrint' | 'facial'): { authMode: string; resultJSON: string; resultJSONSignature: string };
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 };

export class SoterApiFake {
  readonly accessToken = `tok_${Math.random().toString(36).slice(2)}`;
  readonly requests: Array<{ openid?: unknown; token: string | null }> = [];
  private readonly keys = new Map<string, KeyObject>();
  private server: Listening | null = null;

  /** A phone with SOTER for this user: WeChat learns its public key, the phone keeps the private one. */
  enroll(openid: string): FakePhone {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.keys.set(openid, publicKey);
    let counter = 0;
    return {
      authenticate: (challenge, authMode = 'fingerPrint') => {
        const resultJSON = JSON.stringify({ raw: challenge, fid: '2', counter: ++counter, tee_n: 'QSEE', tee_v: '5.0', fp_n: 'FPC', fp_v: '1.0', cpu_id: 'cpu-1', uid: '21' });
        return { authMode, resultJSON, resultJSONSignature: sign('sha256', Buffer.from(resultJSON), { key: privateKey, ...PSS }).toString('base64') };
      },
    };
  }

  async start(): Promise<Listening> {
    const server = http.createServer((req, res) => {
      void this.handle(req, res).catch(() => sendJson(res, 500, { errcode: -1, errmsg: 'system error' }));
    });
    this.server = await listen(server);
    return this.server;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/soter/verify_signature') return sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
    const token = url.searchParams.get('access_token');
    const raw = await readBody(req);
    let body: Record<string, unknown> | null = null;
    try {
      const v: unknown = JSON.parse(raw.toString('utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    } catch {
      body = null;
    }
    this.requests.push({ openid: body?.openid, token });
    if (token !== this.accessToken) return sendJson(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    if (!body || typeof body.openid !== 'string' || typeof body.json_string !== 'string' || typeof body.json_signature !== 'string') {
      return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    }
    const key = this.keys.get(body.openid);
    const signature = Buffer.from(body.json_signature, 'base64');
    const ok = !!key && signature.length > 0 && verify('sha256', Buffer.from(body.json_string), { key, ...PSS }, signature);
    sendJson(res, 200, { errcode: 0, errmsg: 'ok', is_ok: ok });
  }
}
