import content from '../../templates/content/precedents.json';
import type { PrecedentsListInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';

export interface Precedent {
  id: string;
  kinds: string[];
  title: string;
  situation: string;
  ruling: string;
  tips?: string;
  basis: string[];
  /** Present for a published judgment an operator added. */
  caseNo?: string;
  court?: string;
  decidedOn?: string;
}

const items = content.items as Precedent[];

/**
 * 司法判例 (I10): what the mini-program lists on the IOU's preview page — the rules courts apply,
 * each with the provisions it rests on, under a disclaimer. The content is data
 * (templates/content/precedents.json), returned as written; `kind` keeps the ones about that kind.
 */
export const precedentsList: Operation<PrecedentsListInput> = async (input) => ({
  disclaimer: content.disclaimer,
  updatedOn: content.updatedOn,
  items: input.kind === undefined ? items : items.filter((p) => p.kinds.includes(input.kind!)),
});
