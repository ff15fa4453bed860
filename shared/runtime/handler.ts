/**
 * The one wrapper every cloud function goes through: identity from the platform context, payload
 * validated against the function's schema, the operation, and the response envelope
 * `{ok:true,data}` / `{ok:false,error:{code,message,details?}}`. A thrown bug is logged with the
 * request id and answered as INTERNAL with nothing else.
 */
import { randomUUID } from 'node:crypto';
import { AppError, ERRORS, isAppError, type ErrorCode } from '../errors';
import { getContainer, type Container } from './container';
import { type Deps } from '../ports/operation';
import { IDENTITY_KEYS, clientSdkCall, cloudCaller, localCaller } from './caller';
import { type Caller } from '../ports/operation';
import type { Operation } from '../ports/operation';
import { functionSpec } from './registry';
import { validatePayload } from '../rules/json-schema';

export type Envelope<T = unknown> =
  | { ok: true; data: T; requestId: string }
  | { ok: false; error: { code: ErrorCode; message: string; details?: Record<string, unknown> }; requestId: string };

/** The platform's request id (SCF: `request_id`; the emulator and tests: `requestId`), else a fresh one. */
export const requestIdOf = (context: unknown): string => {
  const ctx = context as { requestId?: string; request_id?: string } | null | undefined;
  return ctx?.requestId ?? ctx?.request_id ?? randomUUID();
};

/**
 * The process's container, or null when the configuration cannot make one: said in the log (there
 * is no logger without a container), and the wrapper answers with its generic fault.
 */
export const containerOrNull = (fn: string, requestId: string): Container | null => {
  try {
    return getContainer();
  } catch (e) {
    console.error(JSON.stringify({ level: 'error', fn, requestId, msg: 'container failed', err: (e as Error).message }));
    return null;
  }
};

const stripIdentityKeys = (event: unknown): unknown => {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return event;
  const out: Record<string, unknown> = { ...(event as Record<string, unknown>) };
  for (const k of IDENTITY_KEYS) delete out[k];
  return out;
};

export const handle = <I, O>(name: string, schema: object, operation: Operation<I, O>) => {
  const timer = functionSpec(name)?.kind === 'timer';
  const operator = functionSpec(name)?.kind === 'operator';
  return async function main(event: unknown, context?: unknown): Promise<Envelope<O>> {
    const requestId = requestIdOf(context);
    const started = process.hrtime.bigint();
    // Misconfiguration: said in the log; the caller gets INTERNAL like any other fault.
    const deps = containerOrNull(name, requestId);
    if (!deps) return { ok: false, error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message }, requestId };
    const log = deps.log.child({ fn: name, requestId });
    const caller: Caller | null = deps.config.provider === 'local' ? localCaller(context) : cloudCaller(context);
    try {
      // A timer runs for the platform, never for a user: a mini-program calling it by name (its
      // context carries the caller's OPENID) is refused, so nobody can drive the batch jobs.
      if (timer && caller) throw new AppError('FORBIDDEN', '定时任务只由平台按计划触发');
      // An operator's function (refunds) moves money: no user, and no client SDK call at all (a
      // CloudBase client context says where it came from, TCB_SOURCE) — only the Tencent Cloud API under CAM.
      if (operator && (caller || clientSdkCall(context))) throw new AppError('FORBIDDEN', '此操作仅限平台运营人员');
      // The cold start's secrets (SSM in the cloud): a refusal is a PROVIDER_ERROR, retried by the next call.
      await deps.prepare(name);
      const payload = stripIdentityKeys(event ?? {});
      validatePayload(schema, payload);
      const data = await operation(payload as I, { caller, deps, requestId });
      log.info({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: true }, 'done');
      return { ok: true, data, requestId };
    } catch (e) {
      if (isAppError(e)) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // A provider failure is ours to look into (its code says what: a refused key, throttling…).
        if (e.code === 'PROVIDER_ERROR') log.warn({ ms, ok: false, code: e.code, provider: e.details, providerMessage: (e as { providerMessage?: string }).providerMessage }, 'provider failed');
        else log.info({ ms, ok: false, code: e.code }, 'refused');
        return { ok: false, error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }, requestId };
      }
      log.error({ err: e }, 'unexpected failure');
      return { ok: false, error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message }, requestId };
    }
  };
};
