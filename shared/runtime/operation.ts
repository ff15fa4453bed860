import type { Deps } from './container';
import type { Caller } from './caller';
import { AppError } from '../errors';

export interface OpContext {
  caller: Caller | null;
  deps: Deps;
  requestId: string;
}

export type Operation<I = unknown, O = unknown> = (input: I, ctx: OpContext) => Promise<O>;

export const requireCaller = (ctx: OpContext): Caller => {
  if (!ctx.caller) throw new AppError('UNAUTHENTICATED');
  return ctx.caller;
};
