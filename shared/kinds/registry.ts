/**
 * The kinds registry, built from the templates' data (templates/index.ts, generated). A kind is
 * parsed and cross-checked the first time it is asked for, so requiring a function does no work
 * and a function that only ever sees IOUs never reads the rental text.
 */
import { TEMPLATE_SOURCES } from '../../templates';
import { AppError } from '../errors';
import { kindFromTemplate } from './from-template';
import type { KindSpec } from './kind';
import { parseTemplate } from './template-data';

const cache = new Map<string, KindSpec>();

/** Every kind, in templates/ folder order (alphabetical); allKinds() gives the catalogue order (T1). */
export const KIND_NAMES: readonly string[] = TEMPLATE_SOURCES.map((s) => s.kind);

export const findKind = (kind: string): KindSpec | null => {
  const hit = cache.get(kind);
  if (hit) return hit;
  const src = TEMPLATE_SOURCES.find((s) => s.kind === kind);
  if (!src) return null;
  const spec = kindFromTemplate(parseTemplate(src));
  cache.set(kind, spec);
  return spec;
};

export const kindSpec = (kind: string): KindSpec => {
  const spec = findKind(kind);
  if (!spec) throw new AppError('VALIDATION_FAILED', '没有这个合同模板', { fields: [{ field: '/kind', rule: 'enum' }] });
  return spec;
};

/** The whole catalogue, ordered as the mini-program lists it. */
export const allKinds = (): KindSpec[] => KIND_NAMES.map(kindSpec).sort((a, b) => a.order - b.order);
