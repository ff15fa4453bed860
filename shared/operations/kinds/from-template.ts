/**
 * A KindSpec from a template's data: the declarative rules become checkForm, the flow map
 * becomes flowFor. Nothing here knows any particular kind.
 */
import { checkFormRules } from '../../rules/form-rules';
import type { KindSpec } from './kind';
import type { ParsedTemplate } from './template-data';

export const kindFromTemplate = ({ data, schema, text }: ParsedTemplate): KindSpec => {
  const flow = data.flow;
  return {
    kind: data.kind,
    title: data.title,
    name: data.name,
    titleEn: data.titleEn,
    summary: data.summary,
    version: data.version,
    numberPrefix: data.numberPrefix,
    roles: [data.roles[0].key, data.roles[1].key],
    roleLabels: Object.fromEntries(data.roles.map((r) => [r.key, r.label])),
    roleSpecs: data.roles,
    // contract-create checks the role is one of the pair before asking.
    flowFor: (role) => (typeof flow === 'string' ? flow : flow[role] ?? (flow[data.roles[0].key] as NonNullable<(typeof flow)[string]>)),
    ageRange: data.ageRange,
    formSchema: schema,
    checkForm: (form, ctx) => checkFormRules(data.rules, form, ctx),
    mainlandOnly: data.mainlandOnly,
    document: text ? { renderer: 'text', text } : { renderer: 'iou' },
    example: data.example,
    order: data.order,
  };
};
