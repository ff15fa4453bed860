/**
 * A local RFC 3161 time-stamping server (RFC 3161 §3.4): POST with Content-Type
 * application/timestamp-query and a DER TimeStampReq; the answer is HTTP 200,
 * application/timestamp-reply, a DER TimeStampResp — granted with a token signed by its TSA
 * identity (the embedded TSA's signing code, documents/timestamp.ts), or a rejection with
 * failInfo badAlg / badRequest / badDataFormat, as a real TSA answers a request it cannot serve.
 *
 * Tests make it misbehave the ways a TSA or the network can (`misbehave`): reject, echo another
 * nonce, stamp another digest, answer 500 or text/html, or garbage.
 */
import http from 'node:http';
import { createTimestampToken, encodeTimestampResponse, parseTimestampRequest, randomPositiveInteger, type TsaIdentity } from '../../shared/documents/timestamp';
import { listen, readBody, type Listening } from './http';

export type TsaMisbehaviour = 'reject' | 'wrong-nonce' | 'wrong-imprint' | 'no-token' | 'http-500' | 'html' | 'garbage' | 'hang';

export interface TsaFake extends Listening {
  /** Requests answered (granted or not). */
  requests: Array<{ hashAlg: string; nonce: boolean; certReq: boolean; policy?: string }>;
  /** The next `times` requests misbehave this way. */
  misbehave(how: TsaMisbehaviour, times?: number): void;
}

export const startTsaFake = async (identity: TsaIdentity, clock: () => Date = () => new Date()): Promise<TsaFake> => {
  const requests: TsaFake['requests'] = [];
  const queue: TsaMisbehaviour[] = [];
  const reply = (res: http.ServerResponse, body: Buffer, type = 'application/timestamp-reply', status = 200) => {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  };
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'POST') return reply(res, Buffer.from('method not allowed'), 'text/plain', 405);
      const body = await readBody(req, 64 * 1024);
      const how = queue.shift();
      if (how === 'hang') return; // never answers: the client's timeout must fire
      if (how === 'http-500') return reply(res, Buffer.from('internal error'), 'text/plain', 500);
      if (how === 'html') return reply(res, Buffer.from('<html>maintenance</html>'), 'text/html');
      if (how === 'garbage') return reply(res, Buffer.from('not der at all'));
      if ((req.headers['content-type'] ?? '') !== 'application/timestamp-query') {
        return reply(res, encodeTimestampResponse({ status: 2, failInfo: ['badDataFormat'], statusText: 'expected application/timestamp-query' }));
      }
      let parsed: ReturnType<typeof parseTimestampRequest>;
      try {
        parsed = parseTimestampRequest(body);
      } catch (e) {
        return reply(res, encodeTimestampResponse({ status: 2, failInfo: [/hash/.test((e as Error).message) ? 'badAlg' : 'badRequest'], statusText: (e as Error).message }));
      }
      requests.push({ hashAlg: parsed.hashAlg, nonce: !!parsed.nonce, certReq: parsed.certReq, ...(parsed.policy ? { policy: parsed.policy } : {}) });
      if (how === 'reject') return reply(res, encodeTimestampResponse({ status: 2, failInfo: ['systemFailure'], statusText: 'clock not synchronised' }));
      if (how === 'no-token') return reply(res, encodeTimestampResponse({ status: 0 }));
      if (parsed.policy && parsed.policy !== identity.policy) {
        return reply(res, encodeTimestampResponse({ status: 2, failInfo: ['unacceptedPolicy'] }));
      }
      const digest = how === 'wrong-imprint' ? Buffer.alloc(parsed.digest.length, 0x42) : parsed.digest;
      const nonce = how === 'wrong-nonce' ? randomPositiveInteger(16) : parsed.nonce;
      const token = createTimestampToken(identity, {
        hashAlg: parsed.hashAlg,
        digest,
        ...(nonce ? { nonce } : {}),
        genTime: clock(),
        includeCertificates: parsed.certReq,
      });
      reply(res, encodeTimestampResponse({ status: 0, token }));
    } catch (e) {
      if (!res.headersSent) reply(res, Buffer.from(String(e)), 'text/plain', 500);
    }
  });
  const listening = await listen(server);
  return {
    ...listening,
    requests,
    misbehave: (how, times = 1) => {
      for (let i = 0; i < times; i++) queue.push(how);
    },
  };
};
