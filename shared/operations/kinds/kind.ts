/**
 * What differs between contract kinds, in one shape: the role pair, who initiates how (the flow),
 * the age range, the form schema and its cross-field rules, and how the contract is worded. Every
 * kind is built from its template's data (template-data.ts, from-template.ts); the operations
 * never branch on a kind's name.
 */
import type { Flow } from '../../domain/contract';
import type { TemplateText } from '../../documents/template-text';
import type { AgeRange } from '../../rules/limits';
import type { LprTable } from '../../rules/lpr';
import type { RoleSpec } from './template-data';

/** How the contract's document is built: the generic text renderer, or the IOU's own. */
export type DocumentSpec = { renderer: 'text'; text: TemplateText } | { renderer: 'iou' };

export interface KindSpec {
  kind: string;
  /** The contract's title (房屋租赁合同). */
  title: string;
  /** The catalogue's name for it (租房合同, T1). */
  name: string;
  titleEn: string;
  summary: string;
  version: string;
  /** Document number prefix, e.g. JT (借条). */
  numberPrefix: string;
  /** The two role keys, the initiator's default first; the initiator picks one (T2). */
  roles: readonly [string, string];
  roleLabels: Record<string, string>;
  roleSpecs: readonly [RoleSpec, RoleSpec];
  /** The flow for the role the initiator picked (receipts differ by role). */
  flowFor(initiatorRole: string): Flow;
  ageRange: AgeRange;
  formSchema: object;
  /** Cross-field rules JSON Schema cannot say; throws AppError. Returns facts to keep with the contract. */
  checkForm(form: Record<string, unknown>, ctx: { today: string; lprTable: LprTable }): Record<string, unknown>;
  /** Only mainland resident IDs by default (P4). */
  mainlandOnly: boolean;
  document: DocumentSpec;
  /** A complete valid form: the catalogue preview (合同范文). */
  example: Record<string, unknown>;
  order: number;
}
