/**
 * The typed client for the mini-program: copy this folder (index.ts, types.ts, validators.js) into
 * the mini-program. `callFunction('contract-get', { contractId })` is typed by the function's input
 * and answers its output (client/types.ts, generated from schemas/ by `npm run gen:client`), and
 * `validateInput` checks a payload with the build-time validators before it is sent — the same
 * schemas the functions check, as plain code (no `new Function`: the mini-program forbids it).
 * validators.js requires `ajv/dist/runtime/ucs2length` and `ajv-formats/dist/formats` (npm-build them
 * in the mini-program, or copy those two files).
 */
import type { Answer, Inputs, Outputs } from './types';

export type FunctionName = keyof Inputs & keyof Outputs;

/** The part of wx.cloud the client needs: callFunction as the WeChat base library declares it. */
export interface CloudLike {
  callFunction(options: { name: string; data: unknown }): Promise<{ result: unknown }>;
}

export class CallError extends Error {
  constructor(readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

/** Calls a cloud function and answers its envelope, typed. */
export const callFunction = async <N extends FunctionName>(cloud: CloudLike, name: N, data: Inputs[N]): Promise<Answer<Outputs[N]>> => {
  const { result } = await cloud.callFunction({ name, data });
  return result as Answer<Outputs[N]>;
};

/** Calls and answers `data`, or throws a CallError with the code and the product's Chinese message. */
export const call = async <N extends FunctionName>(cloud: CloudLike, name: N, data: Inputs[N]): Promise<Outputs[N]> => {
  const a = await callFunction(cloud, name, data);
  if (!a.ok) throw new CallError(a.error.code, a.error.message, a.error.details);
  return a.data;
};

type Validator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string }> | null };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validators = require('./validators.js') as Record<string, Validator>;

const pascal = (s: string) => s.replace(/(^|[-_.])([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/** Checks a function's payload (or, with `form:<kind>`, a template form) as the server would: the failing fields, or []. */
export const validateInput = (name: FunctionName | `form:${string}`, data: unknown): Array<{ field: string; rule: string }> => {
  const key = name.startsWith('form:') ? `form_${pascal(name.slice(5))}` : `input_${pascal(name)}`;
  const v = validators[key];
  if (!v) throw new Error(`no validator for ${name}`);
  return v(data) ? [] : (v.errors ?? []).map((e) => ({ field: e.instancePath || '/', rule: e.keyword }));
};
