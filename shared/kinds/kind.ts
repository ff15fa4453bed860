/**
 * What differs between contract kinds, in one shape: the role pair, who initiates how (the flow),
 * the age range, the form schema and its cross-field rules, and how the contract is worded. Every
 * kind is built from its template's data (template-data.ts, from-template.ts); the operations
 * never branch on a kind's name.
 */
import type { Flow } from '../domain/contract';
import type { TemplateText } from '../documents/template-text';
import type { LprTable } from '../rules/lpr';
import type { RoleSpec, TemplateData } from './template-data';

/** How the contract's document is built: the generic text renderer, or the IOU's own. */
export type DocumentSpec = { renderer: 'text'; text: TemplateText } | { renderer: 'iou' };

/** What a kind shows and keeps as its template states it (template-data.ts documents each field). */
type TemplateFacts = Pick<
  TemplateData,
  'kind' | 'order' | 'title' | 'name' | 'titleEn' | 'summary' | 'version' | 'numberPrefix' | 'ageRange' | 'mainlandOnly' | 'example'
>;

export interface KindSpec extends TemplateFacts {
  /** The two role keys, the initiator's default first; the initiator picks one (T2). */
  roles: readonly [string, string];
  roleLabels: Record<string, string>;
  roleSpecs: readonly [RoleSpec, RoleSpec];
  /** The flow for the role the initiator picked (receipts differ by role). */
  flowFor(initiatorRole: string): Flow;
  formSchema: object;
  /** Cross-field rules JSON Schema cannot say; throws AppError. Returns facts to keep with the contract. */
  checkForm(form: Record<string, unknown>, ctx: { today: string; lprTable: LprTable }): Record<string, unknown>;
  document: DocumentSpec;
}
