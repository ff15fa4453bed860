import { AppError } from '../../errors';
import { IOU } from './iou';
import type { KindSpec } from './kind';

export const KINDS: Record<string, KindSpec> = { iou: IOU };

export const kindSpec = (kind: string): KindSpec => {
  const spec = KINDS[kind];
  if (!spec) throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/kind', rule: 'enum' }] });
  return spec;
};
