/**
 * A template as data (SPEC T1, T2): templates/<kind>/template.json (catalogue entry, role pair,
 * flow, age range, declarative rules, the example form) + schemas/templates/<kind>.json (the
 * form) + templates/<kind>/text.md (the contract text), gathered by the generated
 * templates/index.ts. This module reads and cross-checks them: every pointer a rule or the text
 * uses must exist in the form schema, every role the text names must be one of the pair. A
 * kind is read the first time it is asked for (kinds/registry.ts), so a broken template fails its
 * tests and every call that asks for that kind, with a message naming the file — it never
 * produces a contract.
 */
import { FLOWS, type Flow } from '../domain/contract';
import { parseFormRule, rulePointers, type FormRule } from '../rules/form-rules';
import type { AgeRange } from '../rules/limits';
import { parseTemplateText, textReferences, type TemplateText } from '../documents/template-text';

/** What the generated templates/index.ts lists per template. */
export interface TemplateSource {
  kind: string;
  template: unknown;
  schema: object;
  /** The contract text; null for a kind with a bespoke document (the IOU). */
  text: string | null;
}

export interface RoleSpec {
  key: string;
  /** As the mini-program's tabs say it: 房东. */
  label: string;
  labelEn: string;
  /** As the contract designates the party: 出租方（甲方）. */
  designation: string;
}

export interface TemplateData {
  kind: string;
  /** Position in the catalogue (T1 order). */
  order: number;
  /** The contract's title, as the document heads it: 房屋租赁合同. */
  title: string;
  /** As the catalogue lists it (T1), when it differs from the title: 租房合同, 个人借条. */
  name: string;
  titleEn: string;
  /** One sentence for the catalogue: what the template is for. */
  summary: string;
  version: string;
  /** Document number prefix, e.g. JT (借条). */
  numberPrefix: string;
  /** The initiator's default role first (T2: 默认房东). */
  roles: readonly [RoleSpec, RoleSpec];
  /** One flow, or the flow per initiator role (the receipt: payee → receipt_payee, payer → receipt_payer). */
  flow: Flow | Readonly<Record<string, Flow>>;
  ageRange: AgeRange;
  /** Only mainland resident IDs unless the template says otherwise (P4). */
  mainlandOnly: boolean;
  /** 'text': the generic text renderer; 'iou': the IOU's bespoke document. */
  renderer: 'text' | 'iou';
  rules: readonly FormRule[];
  /** A complete, valid form: the catalogue's preview (合同范文) and the template's golden test. */
  example: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEY = /^[a-z][a-z0-9_]*$/;

/**
 * The schema node at a path of the form ('/a/b', array elements as '*' or an index), or null.
 * Only the keywords our form schemas use for structure: properties and items.
 */
export const schemaAt = (schema: unknown, path: string): Obj | null => {
  let node: unknown = schema;
  for (const token of path.split('/').slice(1)) {
    if (!isObj(node)) return null;
    if (token === '*' || /^\d+$/.test(token)) node = node.items;
    else node = isObj(node.properties) ? node.properties[token] : undefined;
  }
  return isObj(node) ? node : null;
};

const parseRole = (v: unknown, bad: (p: string) => never, i: number): RoleSpec => {
  if (!isObj(v)) return bad(`roles[${i}] must be an object`);
  const str = (k: string) => (typeof v[k] === 'string' && (v[k] as string).trim() !== '' ? (v[k] as string) : bad(`roles[${i}].${k} must be text`));
  const key = str('key');
  if (!KEY.test(key)) bad(`roles[${i}].key "${key}" must be lower_snake_case (it names the signature field Sig_${key})`);
  return { key, label: str('label'), labelEn: str('labelEn'), designation: str('designation') };
};

const parseFlow = (v: unknown, roles: readonly RoleSpec[], bad: (p: string) => never): TemplateData['flow'] => {
  const isFlow = (f: unknown): f is Flow => (FLOWS as readonly unknown[]).includes(f);
  if (isFlow(v)) return v;
  if (!isObj(v)) return bad(`flow must be one of ${FLOWS.join(', ')} or a map role → flow`);
  for (const r of roles) if (!isFlow(v[r.key])) bad(`flow.${r.key} must be one of ${FLOWS.join(', ')}`);
  if (Object.keys(v).length !== roles.length) bad('flow names a role the template does not have');
  return v as Record<string, Flow>;
};

export interface ParsedTemplate {
  data: TemplateData;
  schema: object;
  text: TemplateText | null;
}

/** Reads and cross-checks one template; throws an Error naming the file and the problem. */
export const parseTemplate = (src: TemplateSource): ParsedTemplate => {
  const where = `templates/${src.kind}/template.json`;
  const bad = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  const t = src.template;
  if (!isObj(t)) return bad('must be an object');
  const str = (k: string) => (typeof t[k] === 'string' && (t[k] as string).trim() !== '' ? (t[k] as string) : bad(`${k} must be text`));
  const kind = str('kind');
  if (kind !== src.kind) bad(`kind "${kind}" must match its folder "${src.kind}"`);
  if (!KEY.test(kind)) bad('kind must be lower_snake_case');
  if (!Array.isArray(t.roles) || t.roles.length !== 2) bad('roles must list exactly two roles (T2)');
  const roles = (t.roles as unknown[]).map((r, i) => parseRole(r, bad, i)) as [RoleSpec, RoleSpec];
  if (roles[0].key === roles[1].key) bad('the two roles need different keys');
  const age = t.ageRange;
  if (!isObj(age) || !Number.isInteger(age.min) || !Number.isInteger(age.max) || (age.min as number) < 18 || (age.min as number) > (age.max as number)) {
    bad('ageRange must be {min, max} whole years, min ≥ 18 (full civil capacity) and ≤ max');
  }
  const renderer = t.renderer === 'iou' || t.renderer === 'text' ? t.renderer : bad('renderer must be "text" or "iou"');
  if (renderer === 'text' && src.text === null) bad('renderer "text" needs templates/<kind>/text.md');
  if (renderer === 'iou' && src.text !== null) bad('the IOU renders its own document: remove text.md or set renderer "text"');
  if (!Array.isArray(t.rules)) bad('rules must be a list (may be empty)');
  const rules = (t.rules as unknown[]).map((r, i) => parseFormRule(r, `${where} rules[${i}]`));
  if (!isObj(t.example)) bad('example must be a complete form');
  const prefix = str('numberPrefix');
  if (!/^[A-Z]{2,4}$/.test(prefix)) bad('numberPrefix must be 2–4 capital letters');
  if (!Number.isInteger(t.order)) bad('order must be a whole number (the catalogue position)');

  const schema = src.schema as Obj;
  if (!isObj(schema) || schema.type !== 'object' || typeof schema.title !== 'string') bad(`schemas/templates/${kind}.json must be an object schema with a title`);
  for (const r of rules) {
    for (const { pointer, itemOf } of rulePointers(r)) {
      const path = itemOf ? `${itemOf}/*${pointer}` : pointer;
      if (!schemaAt(schema, path)) bad(`a ${r.rule} rule reads ${path}, which the form schema does not have`);
    }
  }

  const text = src.text === null ? null : parseTemplateText(src.text, `templates/${kind}/text.md`);
  if (text) {
    const refs = textReferences(text);
    for (const p of refs.paths) if (!schemaAt(schema, p)) bad(`text.md uses ${p}, which the form schema does not have`);
    for (const r of refs.roles) if (!roles.some((x) => x.key === r)) bad(`text.md names role "${r}"; the roles are ${roles.map((x) => x.key).join(', ')}`);
  }

  return {
    data: {
      kind,
      order: t.order as number,
      title: str('title'),
      name: t.name === undefined ? str('title') : str('name'),
      titleEn: str('titleEn'),
      summary: str('summary'),
      version: str('version'),
      numberPrefix: prefix,
      roles,
      flow: parseFlow(t.flow, roles, bad),
      ageRange: { min: (age as Obj).min as number, max: (age as Obj).max as number },
      mainlandOnly: t.mainlandOnly !== false,
      renderer,
      rules,
      example: t.example as Record<string, unknown>,
    },
    schema,
    text,
  };
};
