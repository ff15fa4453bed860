import { modelToText } from '../documents/plain-text';
import type { TemplateGetInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { kindSpec } from '../kinds/registry';
import type { KindSpec } from '../kinds/kind';
import { catalogueEntry, formDefaults, formFields } from '../kinds/catalogue';
import { contractModel } from '../contracts/model';

/** What the preview's 合同编号 reads: the number is given when a contract is created. */
export const PREVIEW_CONTRACT_NO = '（发起后生成）';

/**
 * The contract text of a kind's example form (合同范文, T1/T4), parties still to fill in: the same
 * model the PDF is drawn from, as text. Also the golden tests' input.
 */
export const previewText = (spec: KindSpec, form: Record<string, unknown> = spec.example): string => {
  const model = contractModel(spec, {
    contractNo: PREVIEW_CONTRACT_NO,
    // A copy: nothing downstream may touch the registry's example.
    form: structuredClone(form),
    createdAt: new Date(0).toISOString(),
    parties: spec.roles.map((role) => ({ role, details: null })),
  });
  return modelToText(model);
};

/**
 * One template (T1, T3, T4): its catalogue entry, the form's JSON Schema (the same file
 * contract-create validates with, so the mini-program can check before sending), every field with
 * its Chinese label, type, bounds and default, the starting values, the example form and the
 * contract text that example renders to.
 */
export const templateGet: Operation<TemplateGetInput> = async (input, ctx) => {
  const spec = kindSpec(input.kind);
  return {
    ...catalogueEntry(ctx.deps.config.fees, spec),
    schema: spec.formSchema,
    fields: formFields(spec.formSchema),
    defaults: formDefaults(spec.formSchema),
    example: spec.example,
    preview: { contractNo: PREVIEW_CONTRACT_NO, text: previewText(spec) },
  };
};
