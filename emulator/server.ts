/**
 * The local emulator: every cloud function on 127.0.0.1 the way the mini-program calls them
 * (POST /fn/<name>, caller identity in the x-openid header), the timers on their schedules and on
 * demand, the SMS outbox, and controls for time and face checks. Each call goes through the
 * function's real `main` — the same wrapper, validation and operations as in the cloud.
 *
 * With `cloud` the same surface runs ESIGN_PROVIDER=cloud: the production adapters, pointed by the
 * given settings at protocol servers the caller runs (test/support/emulator.ts starts test/fakes
 * and a WeChat Pay simulator), the caller put in a CloudBase function context as the platform
 * would, and the controls (face checks, payments, the SMS outbox, the clock) served by those servers.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ERRORS, type ErrorCode } from '../shared/errors';
import { createContainer, setContainer, type Container } from '../shared/runtime/container';
import { FUNCTIONS, functionSpec } from '../shared/runtime/registry';
import type { Envelope } from '../shared/runtime/handler';
import { collectionName } from '../shared/store/collections';
import { EMAIL_OUTBOX, type StoredEmail } from '../shared/adapters/local/mail-outbox';
import { createLogger } from '../shared/runtime/logger';
import { seedEnterpriseMembers } from './seed-enterprises';
import { MAX_CLOCK_OFFSET_MS, MovableClock } from '../shared/adapters/local/clock';
import { isSafeOpenid } from '../shared/runtime/caller';
import type { PaymentSimulator } from '../shared/adapters/local/payment-simulator';
import { LOCAL_APPID } from '../shared/adapters/local/wechatpay-keys';
import type { LocalUrlLinkDoc } from '../shared/ports/wechat-protocol';
import type { HttpAnswer } from '../shared/ports/operation';
import { openApiDocument } from './openapi';
import { consoleRoutes } from './console';
import { WEBHOOK_PATH, couponControl, payControl, refundControl, webhookEvent } from './payments';
import { TIMER_TICK_MS, timerSchedule } from './timers';

type Main = (event: unknown, context?: unknown) => Promise<Envelope>;

export interface EmulatorOptions {
  port: number;
  dataDir: string;
  /** Run timers on their own, on their cron schedules against the emulator's clock (default true; tests and the demo turn them off). */
  timers?: boolean;
  /** Print one line per request (default false). */
  verbose?: boolean;
  env?: Record<string, string | undefined>;
  /** Run ESIGN_PROVIDER=cloud against protocol servers instead of the local adapters. */
  cloud?: CloudEmulation;
}

/** The outbox view of one SMS, as GET /outbox/sms answers. */
export interface OutboxSms {
  id: string;
  phone: string;
  template: string;
  text: string;
  createdAt?: string;
}

/**
 * ESIGN_PROVIDER=cloud behind the emulator: `env` holds the cloud container's settings (endpoints,
 * keys, ids) and the emulator adds WECHATPAY_NOTIFY_URL (its webhook route) once it listens; the
 * rest are the provider side's own controls.
 */
export interface CloudEmulation {
  env: Record<string, string>;
  /** The functions' clock, moved by POST /_emulator/clock (share it with the payment simulator). */
  clock: MovableClock;
  face: { complete(bizToken: string, pass: boolean): boolean; mode: 'pass' | 'fail' | 'pending' };
  /** The users' phones for WeChat SOTER (V2), when the cloud setup has a verify_signature server. */
  soter?: { sign(openid: string, challenge: string, authMode?: 'fingerPrint' | 'facial'): { authMode: string; resultJSON: string; resultJSONSignature: string } };
  /** WeChat Pay's side: the simulator the container's WeChat Pay client is pointed at. */
  payments: PaymentSimulator;
  /** What the SMS provider delivered, oldest first. */
  sms(phone: string | null): Promise<OutboxSms[]>;
  /** Stops the protocol servers (after the emulator). */
  close(): Promise<void>;
}

export interface Emulator {
  url: string;
  port: number;
  provider: 'local' | 'cloud';
  container: Container;
  close(): Promise<void>;
}

const MAX_JSON_BODY = 5 * 1024 * 1024;
/** Uploads: above the file limit (20 MB), so file-import is the one to answer FILE_TOO_LARGE, as it would in the cloud. */
const MAX_UPLOAD = 64 * 1024 * 1024;
/** The env part of an emulator fileID (cloud://<env>.<bucket>/<key> in CloudBase). */
const UPLOAD_ENV = 'local-emulator.local-bucket';

export class EmulatorStartError extends Error {}

const errorBody = (code: ErrorCode, message?: string) => ({ ok: false, error: { code, message: message ?? ERRORS[code].message } });

/**
 * The body, up to `maxBody`. Past it the rest is read and dropped (not the socket destroyed, which
 * the client sees as a reset, not an answer) so the 413 reaches it; past 8× the limit the
 * connection is cut after all.
 */
const readBytes = (req: http.IncomingMessage, maxBody = MAX_JSON_BODY): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody * 8) {
      req.destroy();
      return reject(new TooLarge());
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
      else if (size > maxBody * 8) req.destroy();
    });
    req.on('end', () => (size > maxBody ? reject(new TooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });

class TooLarge extends Error {
  constructor() {
    super('too large');
  }
}

const readBody = async (req: http.IncomingMessage): Promise<string> => (await readBytes(req)).toString('utf8');

const send = (res: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const sendFile = (res: http.ServerResponse, bytes: Buffer, contentType: string, filename: string): void => {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': bytes.length,
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
  });
  res.end(bytes);
};

/** Fails with a sentence a newcomer can act on when the data directory cannot be written. */
const ensureWritable = async (dir: string): Promise<void> => {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe);
  } catch (e) {
    throw new EmulatorStartError(`数据目录不可写 / data directory is not writable: ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}). Set ESIGN_DATA_DIR to a writable folder.`);
  }
};

const loadFunctions = (): Map<string, Main> => {
  const mains = new Map<string, Main>();
  for (const spec of FUNCTIONS) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, '..', 'functions', spec.name, 'index')) as { main: Main };
    mains.set(spec.name, mod.main);
  }
  return mains;
};

export const startEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  const dataDir = path.resolve(options.dataDir);
  await ensureWritable(dataDir);
  const cloud = options.cloud ?? null;
  // Cloud: the container reads WECHATPAY_NOTIFY_URL on its first payment, after this emulator listens and sets it.
  const env: Record<string, string | undefined> = cloud
    ? { ...cloud.env, ESIGN_PROVIDER: 'cloud' }
    : { ...(options.env ?? process.env), ESIGN_PROVIDER: 'local', ESIGN_DATA_DIR: dataDir };
  const logLevel = (options.env ?? process.env).ESIGN_LOG_LEVEL ?? env.ESIGN_LOG_LEVEL ?? 'warn';
  const container = createContainer(env, { log: createLogger({ level: logLevel }), ...(cloud ? { clock: cloud.clock } : {}) });
  setContainer(container);
  await seedEnterpriseMembers(container.store);
  const local = container.local;
  const clock = local?.clock ?? cloud!.clock;
  const face = local?.face ?? cloud!.face;
  const soterPhones = local?.soter ?? cloud?.soter ?? null;
  const simulator = (): PaymentSimulator => local?.payments.simulator ?? cloud!.payments;
  const mains = loadFunctions();
  let counter = 0;
  let baseUrl = ''; // known once listening

  /**
   * The caller as the platform passes it: locally in the emulator's own context key; in the cloud
   * as CloudBase puts WX_OPENID in a function's context (shared/runtime/caller.ts reads it there).
   */
  const contextFor = (openid: string | null): unknown => {
    const requestId = `emu-${++counter}`;
    if (!cloud) return { emulatorCaller: openid ? { openid } : null, requestId };
    const vars: Record<string, string> = { TCB_ENV: cloud.env.ESIGN_TCB_ENV ?? '', SCF_NAMESPACE: cloud.env.ESIGN_TCB_ENV ?? '', WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID' };
    if (openid) Object.assign(vars, { WX_OPENID: openid, WX_APPID: LOCAL_APPID });
    return { request_id: requestId, environment: JSON.stringify(vars) };
  };
  const invoke = (name: string, event: unknown, openid: string | null): Promise<Envelope> => mains.get(name)!(event, contextFor(openid));

  const consolePages = consoleRoutes({
    container,
    call: (name, body, openid) => (functionSpec(name)?.kind === 'call' ? invoke(name, body, openid) : Promise.resolve(errorBody('NOT_FOUND'))),
    // The console's buttons use the emulator's own controls, over HTTP like any client.
    control: async (route, body) => {
      const r = await fetch(`${baseUrl}${route}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, json: await r.json() };
    },
  });

  const routes = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (await consolePages(req, res, url, () => readBody(req))) return;
    const p = url.pathname;
    const json = async (): Promise<unknown> => {
      const raw = await readBody(req);
      if (raw.trim() === '') return {};
      try {
        return JSON.parse(raw);
      } catch {
        throw Object.assign(new Error('bad json'), { badJson: true });
      }
    };

    if (req.method === 'GET' && p === '/healthz') return send(res, 200, { ok: true, provider: container.config.provider, functions: FUNCTIONS.length, now: container.clock.now().toISOString() });
    if (req.method === 'GET' && p === '/openapi.json') return send(res, 200, openApiDocument());
    if (req.method === 'GET' && p === '/') {
      return send(res, 200, {
        ok: true,
        about: '电子签个人版后端 · local emulator',
        call: 'POST /fn/<name> with a JSON body; header x-openid: <any user id>',
        functions: FUNCTIONS.map((f) => ({ name: f.name, kind: f.kind, summary: f.summary })),
        timers: 'POST /timers/<name>',
        outbox: ['GET /outbox/sms[?phone=13800000000]', 'GET /outbox/email[?to=a@example.com] (attachments at /outbox/email/<id>/<n>)'],
        webhooks: `POST ${WEBHOOK_PATH} (WeChat Pay notifications, verified as in the cloud)`,
        controls: ['GET|POST /_emulator/clock {"advanceMinutes":n}', 'POST /_emulator/face/<bizToken> {"pass":true|false}', 'POST /_emulator/face-mode {"mode":"pass"|"fail"|"pending"}', 'POST /_emulator/soter/sign {"challenge","authMode"?:"fingerPrint"|"facial"} (x-openid) → wx.startSoterAuthentication\'s answer', 'POST /_emulator/pay/<orderId> {"mode"?:"duplicate"|"forged"|"stale"|"wrong_amount"|"second_payment","times"?:n}', 'POST /_emulator/refunds/<outRefundNo> {"status"?:"SUCCESS"|"CLOSED"|"ABNORMAL","mode"?:"forged","times"?:n}', 'POST /operator/<name> (operator functions: payment-refund)', 'POST /_emulator/storage/upload?name=<file name> (raw body, x-openid) → {fileID}', 'POST /_emulator/coupons {"openid","campaign"}', 'POST /_emulator/faults {"sms":n,"email":n,"tsa":true|false}', 'GET /_emulator/outbox[?contractId=]'],
      });
    }
    if (p === WEBHOOK_PATH && req.method === 'POST') {
      // The real function behind an HTTP trigger: raw bytes in, its HTTP answer out, untouched.
      const webhook = mains.get('payment-notify') as unknown as (event: unknown, context: unknown) => Promise<HttpAnswer>;
      const answer = await webhook(webhookEvent(req, await readBytes(req)), contextFor(null));
      res.writeHead(answer.statusCode, answer.headers);
      res.end(answer.body);
      return;
    }
    const refundAt = /^\/_emulator\/refunds\/([A-Za-z0-9_|*@-]{1,64})$/.exec(p);
    if (refundAt && req.method === 'POST') {
      const r = await refundControl(simulator(), refundAt[1]!, await json(), `${baseUrl}${WEBHOOK_PATH}`);
      return send(res, r.status, r.body);
    }
    const pay = /^\/_emulator\/pay\/([A-Za-z0-9_|*-]+)$/.exec(p);
    if (pay && req.method === 'POST') {
      const r = await payControl(container, simulator(), pay[1]!, await json(), `${baseUrl}${WEBHOOK_PATH}`);
      return send(res, r.status, r.body);
    }
    if (p === '/_emulator/storage/upload' && req.method === 'POST') {
      // wx.cloud.uploadFile: the raw bytes go to storage first and the answer is a fileID; the key is
      // ours (the caller's folder + a random id), the name is only the user's label.
      const openid = (req.headers['x-openid'] as string | undefined)?.trim() ?? '';
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(openid)) return send(res, 401, errorBody('UNAUTHENTICATED'));
      if (!url.searchParams.get('name')) return send(res, 400, errorBody('VALIDATION_FAILED', '缺少文件名 name / missing ?name='));
      const bytes = await readBytes(req, MAX_UPLOAD).catch(() => null);
      if (!bytes) return send(res, 413, errorBody('FILE_TOO_LARGE'));
      const key = `uploads/${openid}/${randomBytes(12).toString('hex')}`;
      await container.files.put(key, bytes, 'application/octet-stream');
      return send(res, 200, { fileID: `cloud://${UPLOAD_ENV}/${key}` });
    }
    if (p === '/_emulator/coupons' && req.method === 'POST') {
      const r = await couponControl(container, await json());
      return send(res, r.status, r.body);
    }
    const fn = /^\/fn\/([a-z0-9-]+)$/.exec(p);
    if (fn && req.method === 'POST') {
      const spec = functionSpec(fn[1]!);
      if (!spec || spec.kind === 'webhook') return send(res, 404, errorBody('NOT_FOUND', `没有名为 ${fn[1]} 的云函数 / no such function`));
      // An operator's function is never the mini-program's (issue 16: refunds): refused by name, as in the cloud.
      if (spec.kind === 'operator') return send(res, 403, errorBody('FORBIDDEN', '此操作仅限平台运营人员 / operator only: POST /operator/<name> locally'));
      const openid = (req.headers['x-openid'] as string | undefined)?.trim() || null;
      // A timer called by name is what a mini-program could do: the function itself refuses a caller
      // (FORBIDDEN, as in the cloud); with no caller at all it is refused here (timers run at /timers/<name>).
      if (spec.kind === 'timer' && openid === null) return send(res, 403, errorBody('FORBIDDEN', '定时任务只由平台按计划触发 / timers run on their schedule: POST /timers/<name> locally'));
      // Only [A-Za-z0-9_-]{1,64}: an openid names folders and rows, never a path (`../..` is refused here, and by the caller reader).
      if (openid !== null && !isSafeOpenid(openid)) return send(res, 400, errorBody('VALIDATION_FAILED', 'x-openid 只能由字母、数字、_ 和 - 组成，最长 64 位 / x-openid must be 1–64 of [A-Za-z0-9_-]'));
      const result = await invoke(spec.name, await json(), openid);
      return send(res, result.ok ? 200 : ERRORS[result.error.code].status, result);
    }
    const operatorFn = /^\/operator\/([a-z0-9-]+)$/.exec(p);
    if (operatorFn && req.method === 'POST') {
      // The operator's console locally (the Tencent Cloud API under CAM in the cloud): no caller.
      const spec = functionSpec(operatorFn[1]!);
      if (!spec || spec.kind !== 'operator') return send(res, 404, errorBody('NOT_FOUND', `没有名为 ${operatorFn[1]} 的运营操作 / no such operator function`));
      const result = await invoke(spec.name, await json(), null);
      return send(res, result.ok ? 200 : ERRORS[result.error.code].status, result);
    }
    const timer = /^\/timers\/([a-z0-9-]+)$/.exec(p);
    if (timer && req.method === 'POST') {
      const spec = functionSpec(timer[1]!);
      if (!spec || spec.kind !== 'timer') return send(res, 404, errorBody('NOT_FOUND', `没有名为 ${timer[1]} 的定时器 / no such timer`));
      const result = await invoke(spec.name, { Type: 'Timer', TriggerName: spec.name, Time: container.clock.now().toISOString() }, null);
      return send(res, result.ok ? 200 : 500, result);
    }
    if (req.method === 'GET' && p === '/outbox/sms') {
      const phone = url.searchParams.get('phone');
      if (cloud) return send(res, 200, { ok: true, messages: await cloud.sms(phone) });
      const rows = await container.store.find(collectionName('sms'), phone ? { phone } : {}, { orderBy: [['createdAt', 'asc']], limit: 1000 });
      return send(res, 200, { ok: true, messages: rows.map(({ _id, phone: to, template, text, createdAt }) => ({ id: _id, phone: to, template, text, createdAt })) });
    }
    if (cloud && (p.startsWith('/outbox/email') || p.startsWith('/files/'))) {
      return send(res, 404, errorBody('NOT_FOUND', '云端模式下邮件由 SES 发送、文件在 CloudBase 存储 / in cloud mode email goes through SES and files live in CloudBase storage'));
    }
    if (req.method === 'GET' && p === '/outbox/email') {
      const to = url.searchParams.get('to');
      const rows = await container.store.find<StoredEmail>(EMAIL_OUTBOX, to ? { to } : {}, { orderBy: [['createdAt', 'asc']], limit: 1000 });
      return send(res, 200, {
        ok: true,
        messages: rows.map((m) => ({
          id: m._id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt,
          attachments: m.attachments.map((a, n) => ({ filename: a.filename, contentType: a.contentType, size: a.size, url: `/outbox/email/${m._id}/${n}` })),
        })),
      });
    }
    const attachment = /^\/outbox\/email\/([A-Za-z0-9_]+)\/(\d+)$/.exec(p);
    if (attachment && req.method === 'GET') {
      const mail = await container.store.get<StoredEmail>(EMAIL_OUTBOX, attachment[1]!);
      const a = mail?.attachments[Number(attachment[2])];
      const bytes = a ? await container.files.get(a.fileKey) : null;
      if (!a || !bytes) return send(res, 404, errorBody('NOT_FOUND', '没有这个附件 / no such attachment'));
      return sendFile(res, bytes, a.contentType, a.filename);
    }
    const file = /^\/files\/(.+)$/.exec(p);
    if (file && req.method === 'GET') {
      // Short-lived download links (C12): the token is an HMAC over the key and expiry, made by DirFiles.temporaryUrl.
      let key: string;
      try {
        key = decodeURIComponent(file[1]!);
      } catch {
        return send(res, 400, errorBody('VALIDATION_FAILED', '下载地址编码有误 / the file path is not valid percent-encoding'));
      }
      const expires = Number(url.searchParams.get('expires'));
      const sig = url.searchParams.get('sig') ?? '';
      const verdict = local!.files.checkUrl(key, expires, sig);
      if (verdict === 'forged') return send(res, 403, errorBody('FORBIDDEN', '下载链接无效 / the download link is not a valid signed link'));
      if (verdict === 'expired') return send(res, 410, errorBody('FORBIDDEN', '下载链接已过期，请重新获取 / the download link has expired: ask for a new one'));
      const bytes = await container.files.get(key);
      if (!bytes) return send(res, 404, errorBody('NOT_FOUND', '文件不存在 / no such file'));
      return sendFile(res, bytes, key.endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream', path.basename(key));
    }
    if (p === '/_emulator/clock') {
      if (req.method === 'POST') {
        const body = (await json()) as { advanceMinutes?: unknown; advanceDays?: unknown };
        const num = (v: unknown): number => (v === undefined ? 0 : typeof v === 'number' ? v : NaN);
        const minutes = num(body.advanceMinutes) + num(body.advanceDays) * 1440;
        if (!Number.isFinite(minutes) || minutes < 0) return send(res, 400, errorBody('VALIDATION_FAILED', '时间只能向前调整 / time only moves forward: give advanceMinutes or advanceDays as numbers ≥ 0'));
        // Checked before moving: a refused jump leaves the clock where it was.
        if (clock.offset + minutes * 60_000 > MAX_CLOCK_OFFSET_MS) return send(res, 400, errorBody('VALIDATION_FAILED', '时间最多向前调整 100 年 / the clock moves at most 100 years in total'));
        clock.advance(minutes * 60_000);
      }
      return send(res, 200, { ok: true, now: container.clock.now().toISOString(), offsetMinutes: clock.offset / 60_000 });
    }
    // FaceID's BizTokens are UUIDs (with dashes); the local simulator's are hex.
    const faceToken = /^\/_emulator\/face\/([A-Za-z0-9-]+)$/.exec(p);
    if (faceToken && req.method === 'POST') {
      const body = (await json()) as { pass?: unknown };
      if (typeof body.pass !== 'boolean') return send(res, 400, errorBody('VALIDATION_FAILED', '请提供 {"pass": true|false}'));
      if (!face.complete(faceToken[1]!, body.pass)) return send(res, 404, errorBody('NOT_FOUND', '没有这个人脸核身 BizToken'));
      return send(res, 200, { ok: true, bizToken: faceToken[1], passed: body.pass });
    }
    if (p === '/_emulator/faults' && req.method === 'POST') {
      // The next n sends of a kind fail as a throttled provider answers (retryable): watch the outbox retry them.
      const body = (await json()) as { sms?: unknown; email?: unknown; tsa?: unknown };
      const count = (v: unknown): number | null => (v === undefined ? 0 : Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1000 ? (v as number) : null);
      const sms = count(body.sms), email = count(body.email);
      if (sms === null || email === null) return send(res, 400, errorBody('VALIDATION_FAILED', '请提供 {"sms": n, "email": n}，n 为 0–1000 的整数 / give whole numbers 0–1000'));
      if (body.tsa !== undefined && typeof body.tsa !== 'boolean') return send(res, 400, errorBody('VALIDATION_FAILED', '"tsa" 须为 true（时间戳服务不可用）或 false / "tsa" must be true (TSA down) or false'));
      // The embedded TSA down: signing and completion fail with PROVIDER_ERROR/tsa until it is back.
      if (typeof body.tsa === 'boolean') local!.tsa.unavailable = body.tsa;
      if (body.sms !== undefined) local!.faults.sms.failNext(sms);
      if (body.email !== undefined) local!.faults.email.failNext(email);
      return send(res, 200, { ok: true, sms: local!.faults.sms.pending, email: local!.faults.email.pending, tsaDown: local!.tsa.unavailable });
    }
    if (p === '/_emulator/outbox' && req.method === 'GET') {
      // The outbox (M1): every message with its delivery state and attempts; destinations masked.
      const contractId = url.searchParams.get('contractId');
      const rows = await container.store.find(collectionName('messages'), contractId ? { contractId } : {}, { orderBy: [['createdAt', 'asc']], limit: 1000 });
      const mask = (r: Record<string, any>): string =>
        r.sms ? String(r.sms.phone).replace(/^(\+?\d{3})\d+(\d{4})$/, '$1****$2') : r.email ? String(r.email.to).replace(/^(.)[^@]*(@.*)$/, '$1***$2') : '';
      return send(res, 200, {
        ok: true,
        messages: rows.map((r: Record<string, any>) => ({
          id: r._id, kind: r.kind, state: r.status, attempts: r.attempts, to: mask(r), contractId: r.contractId,
          template: r.sms?.template ?? null, subject: r.email?.subject ?? null, createdAt: r.createdAt, nextAttemptAt: r.nextAttemptAt, sentAt: r.sentAt, lastError: r.lastError,
        })),
      });
    }
    const urlLink = /^\/_emulator\/urllink\/([A-Za-z0-9_-]{8,64})$/.exec(p);
    if (urlLink && req.method === 'GET') {
      // A local URL Link (P3), as WeChat's H5 page resolves one: the page and query it opens, or why not.
      const doc = await container.store.get<LocalUrlLinkDoc>(collectionName('urlLinks'), urlLink[1]!);
      if (!doc) return send(res, 404, errorBody('NOT_FOUND', '没有这个链接 / no such link'));
      if (Date.parse(doc.expiresAt) <= container.clock.now().getTime()) return send(res, 410, errorBody('NOT_FOUND', '链接已过期 / the link has expired'));
      return send(res, 200, { ok: true, path: doc.path, query: doc.query, target: doc.query ? `${doc.path}?${doc.query}` : doc.path });
    }
    if (p === '/_emulator/soter/sign' && req.method === 'POST') {
      // V2: the user's phone answers wx.startSoterAuthentication — its SOTER key signs a resultJSON whose raw is the challenge.
      const openid = (req.headers['x-openid'] as string | undefined)?.trim() ?? '';
      const body = (await json()) as { challenge?: unknown; authMode?: unknown };
      if (!openid) return send(res, 400, errorBody('VALIDATION_FAILED', '请在 x-openid 头中指定用户 / give the user in the x-openid header'));
      if (typeof body.challenge !== 'string' || body.challenge.length === 0 || body.challenge.length > 256) return send(res, 400, errorBody('VALIDATION_FAILED', '请提供 {"challenge": "<signing-challenge 返回的 challenge>"}'));
      const authMode = body.authMode ?? 'fingerPrint';
      if (authMode !== 'fingerPrint' && authMode !== 'facial') return send(res, 400, errorBody('VALIDATION_FAILED', 'authMode 须为 fingerPrint 或 facial'));
      if (!soterPhones) return send(res, 404, errorBody('NOT_FOUND', '此环境没有 SOTER 模拟器 / no SOTER simulator here'));
      const answer = soterPhones.sign(openid, body.challenge, authMode);
      return send(res, 200, { ok: true, errCode: 0, errMsg: 'startSoterAuthentication:ok', ...answer });
    }
    if (p === '/_emulator/face-mode' && req.method === 'POST') {
      const body = (await json()) as { mode?: unknown };
      if (body.mode !== 'pass' && body.mode !== 'fail' && body.mode !== 'pending') return send(res, 400, errorBody('VALIDATION_FAILED', 'mode 须为 pass、fail 或 pending'));
      face.mode = body.mode;
      return send(res, 200, { ok: true, mode: body.mode });
    }
    return send(res, 404, errorBody('NOT_FOUND', `没有这个地址 / no route: ${req.method} ${p}`));
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    routes(req, res)
      .catch((e: Error & { badJson?: boolean }) => {
        if (e.badJson) return send(res, 400, errorBody('VALIDATION_FAILED', '请求体不是有效的 JSON / the body is not valid JSON'));
        if (e instanceof TooLarge) return send(res, 413, errorBody('VALIDATION_FAILED', '请求体过大 / body too large'));
        container.log.error({ err: e }, 'emulator route failed');
        return send(res, 500, errorBody('INTERNAL'));
      })
      .finally(() => {
        // The path only: queries carry phones, email addresses and download signatures.
        if (options.verbose) console.log(`${req.method} ${(req.url ?? '').split('?')[0]} → ${res.statusCode} (${Date.now() - started} ms)`);
      });
  });

  // Local callers (tests, the console, scripts) pause between calls longer than Node's 5 s
  // keep-alive default, and a test's own CPU work can hold the event loop past it: the server then
  // closes an idle socket just as the client reuses it, and the client sees ECONNRESET. Sockets
  // stay open for two minutes instead (the header tells the client so).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new EmulatorStartError(`端口 ${options.port} 已被占用 / port ${options.port} is already in use. Stop the other process or set PORT to a free port.`)
          : e,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });

  const intervals: NodeJS.Timeout[] = [];
  if (options.timers !== false) {
    const schedule = timerSchedule(FUNCTIONS, () => container.clock.now(), (name) => invoke(name, { Type: 'Timer', TriggerName: name, Time: container.clock.now().toISOString() }, null));
    const t = setInterval(() => void schedule.tick().catch((e: Error) => container.log.error({ err: e.message }, 'timer run failed')), TIMER_TICK_MS);
    t.unref();
    intervals.push(t);
  }
  const port = (server.address() as { port: number }).port;
  baseUrl = `http://127.0.0.1:${port}`;
  local?.setBaseUrl(baseUrl);
  if (local) local.payments.setNotifyUrl(`${baseUrl}${WEBHOOK_PATH}`);
  else env.WECHATPAY_NOTIFY_URL = `${baseUrl}${WEBHOOK_PATH}`;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    provider: container.config.provider,
    container,
    close: async () => {
      intervals.forEach(clearInterval);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await container.close();
      setContainer(null);
      await cloud?.close();
    },
  };
};
