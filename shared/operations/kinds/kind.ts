/**
 * What differs between contract kinds, in one shape: the role pair, who initiates how (the flow),
 * the age range, the form schema and its cross-field rules. The templates work adds kinds here
 * as data; the operations never branch on a kind's name.
 */
import type { Flow } from '../../domain/contract';
import type { AgeRange } from '../../rules/limits';
import type { LprTable } from '../../rules/lpr';

export interface KindSpec {
  kind: string;
  title: string;
  /** Document number prefix, e.g. JT (借条). */
  numberPrefix: string;
  /** The two role names; the initiator picks one (T2). */
  roles: readonly [string, string];
  roleLabels: Record<string, string>;
  /** The flow for the role the initiator picked (receipts differ by role). */
  flowFor(initiatorRole: string): Flow;
  ageRange: AgeRange;
  formSchema: object;
  /** Cross-field rules JSON Schema cannot say; throws AppError. Returns facts to keep with the contract. */
  checkForm(form: Record<string, unknown>, ctx: { today: string; lprTable: LprTable }): Record<string, unknown>;
  /** Only mainland resident IDs by default (P4). */
  mainlandOnly: boolean;
}
