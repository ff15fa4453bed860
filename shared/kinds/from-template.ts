/**
 * A KindSpec from a template's data: the declarative rules become checkForm, the flow map
 * becomes flowFor. Nothing here knows any particular kind.
 */
import { checkFormRules } from '../rules/form-rules';
import type { KindSpec } from './kind';
import type { ParsedTemplate } from './template-data';

export const kindFromTemplate = ({ data, schema, text }: ParsedTemplate): KindSpec => {
  const { roles, flow, renderer: _renderer, rules, ...facts } = data;
  return {
    ...facts,
    roles: [roles[0].key, roles[1].key],
    roleLabels: Object.fromEntries(roles.map((r) => [r.key, r.label])),
    roleSpecs: roles,
    // contract-create checks the role is one of the pair before asking.
    flowFor: (role) => (typeof flow === 'string' ? flow : flow[role] ?? (flow[roles[0].key] as NonNullable<(typeof flow)[string]>)),
    formSchema: schema,
    checkForm: (form, ctx) => checkFormRules(rules, form, ctx),
    document: text ? { renderer: 'text', text } : { renderer: 'iou' },
  };
};
