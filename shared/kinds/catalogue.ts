/**
 * The template catalogue as the mini-program shows it (T1, T2, F1): each kind's entry — titles,
 * the role pair with the default first, the fee rule priced by the same rules contract-pay uses
 * (rules/fees.ts) — and, for one kind, its form described field by field with Chinese labels and
 * defaults, and the contract text of the example form (合同范文). Everything here is read from the
 * templates' data; nothing branches on a kind's name.
 */
import type { FeeConfig } from '../rules/fees';
import { quote } from '../rules/fees';
import { formatYuan } from '../rules/money';
import type { KindSpec } from './kind';

// ── fees ─────────────────────────────────────────────────────────────────────────────────────

/** Prices a kind as nobody in particular: no quota used, no card, no coupon (or with the card). */
const price = (fees: FeeConfig, spec: KindSpec, item: 'initiation' | 'evidence_report', role: string, card: boolean) =>
  quote(fees, {
    item,
    kind: spec.kind,
    flow: spec.flowFor(role),
    buyer: '',
    now: new Date(0).toISOString(),
    // With the card: as if the month's free initiations were spent, so the card's own price shows.
    freeQuotaUsed: card ? fees.monthlyFreeQuota : 0,
    cardActive: card,
    coupon: null,
  });

const yuan = (fen: number) => `${formatYuan(fen)}元`;

/**
 * The fee rule of a kind (F1, F3, I6, R3, U4) from config/fees.json: the list price per initiator
 * role (a payer-initiated receipt is free), whether the monthly free quota covers it, what the
 * saver card makes it, the evidence report's price — and one sentence saying so.
 */
export const feeRule = (fees: FeeConfig, spec: KindSpec) => {
  const byRole = Object.fromEntries(spec.roles.map((r) => [r, price(fees, spec, 'initiation', r, false).listFen])) as Record<string, number>;
  const first = spec.roles[0];
  const base = price(fees, spec, 'initiation', first, false);
  const perMonth = base.freeQuota ? fees.monthlyFreeQuota : null;
  const cardFen = price(fees, spec, 'initiation', first, true).amountFen;
  const report = price(fees, spec, 'evidence_report', first, false).listFen;
  const reportCard = price(fees, spec, 'evidence_report', first, true).amountFen;

  const paid = spec.roles.filter((r) => byRole[r]! > 0);
  const parts: string[] = [];
  const listText = (fen: number) => (perMonth !== null ? `每月前${perMonth}份免费，超出后每份${yuan(fen)}` : `每份${yuan(fen)}`);
  if (paid.length === spec.roles.length && new Set(paid.map((r) => byRole[r])).size === 1) parts.push(`发起${listText(byRole[first]!)}`);
  else if (paid.length === 0) parts.push('发起免费');
  else {
    for (const r of spec.roles) parts.push(byRole[r]! > 0 ? `${spec.roleLabels[r]}发起${listText(byRole[r]!)}` : `${spec.roleLabels[r]}发起免费`);
  }
  if (paid.length > 0 && cardFen < byRole[paid[0]!]!) parts.push(cardFen === 0 ? '开通省钱月卡期间免费' : `开通省钱月卡期间每份${yuan(cardFen)}`);
  parts.push(report === 0 ? '签署报告免费' : `签署报告每份${yuan(report)}${reportCard < report ? `（省钱月卡期间${yuan(reportCard)}）` : ''}`);

  return {
    /** What the default role's initiation lists at, before quota, card and coupon. */
    initiationFen: byRole[first]!,
    /** Per initiator role: the receipt's payer issues at no fee (R3). */
    initiationFenByRole: byRole,
    /** Free initiations per China month this kind draws on (U4); null when it is always paid. */
    monthlyFreeQuota: perMonth,
    saverCardInitiationFen: cardFen,
    evidenceReportFen: report,
    saverCardEvidenceReportFen: reportCard,
    summary: `${parts.join('；')}。`,
  };
};

// ── entries ──────────────────────────────────────────────────────────────────────────────────

/** The role pair as the tabs show it, the default (T2: 默认房东) first. */
export const roleViews = (spec: KindSpec) =>
  spec.roleSpecs.map((r, i) => ({ key: r.key, label: r.label, labelEn: r.labelEn, designation: r.designation, default: i === 0 }));

export const catalogueEntry = (fees: FeeConfig, spec: KindSpec) => ({
  kind: spec.kind,
  order: spec.order,
  name: spec.name,
  title: spec.title,
  titleEn: spec.titleEn,
  summary: spec.summary,
  version: spec.version,
  roles: roleViews(spec),
  ageRange: spec.ageRange,
  fee: feeRule(fees, spec),
});

// ── the form, field by field ─────────────────────────────────────────────────────────────────

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface FieldView {
  /** JSON Pointer into the form; an array's elements as '*': '/house/furniture/*\/name'. */
  pointer: string;
  /** The Chinese label (the schema's description). */
  label: string;
  type: string;
  required: boolean;
  /** Money fields hold integer fen (show yuan, send fen). */
  money?: true;
  enum?: unknown[];
  default?: unknown;
  examples?: unknown[];
  format?: string;
  minimum?: number;
  /** The value must be greater than this (a floor area > 0). */
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

const typeOf = (node: Obj): string => (typeof node.type === 'string' ? node.type : Array.isArray(node.enum) ? 'enum' : 'unknown');

const BOUNDS = ['format', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;

/** Every field of a form schema in the order written, nested objects and array elements included. */
export const formFields = (schema: object): FieldView[] => {
  const out: FieldView[] = [];
  const walk = (node: Obj, base: string) => {
    const props = isObj(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    for (const [key, raw] of Object.entries(props)) {
      if (!isObj(raw)) continue;
      const pointer = `${base}/${key}`;
      const f: FieldView = { pointer, label: typeof raw.description === 'string' ? raw.description : key, type: typeOf(raw), required: required.includes(key) };
      if (/Fen$/.test(key) && raw.type === 'integer') f.money = true;
      if (Array.isArray(raw.enum)) f.enum = raw.enum;
      if (raw.default !== undefined) f.default = raw.default;
      if (Array.isArray(raw.examples)) f.examples = raw.examples;
      for (const b of BOUNDS) if (raw[b] !== undefined) (f as unknown as Obj)[b] = raw[b];
      if (typeof raw.exclusiveMinimum === 'number') f.exclusiveMinimum = raw.exclusiveMinimum;
      out.push(f);
      if (raw.type === 'object') walk(raw, pointer);
      if (raw.type === 'array' && isObj(raw.items)) {
        if (raw.items.type === 'object') walk(raw.items, `${pointer}/*`);
        else out.push({ pointer: `${pointer}/*`, label: typeof raw.items.description === 'string' ? raw.items.description : f.label, type: typeOf(raw.items), required: true, ...(Array.isArray(raw.items.enum) ? { enum: raw.items.enum } : {}) });
      }
    }
  };
  walk(schema as Obj, '');
  return out;
};

/**
 * The form's starting values: every `default` of the schema, nested objects gathered (an
 * object's own default merged under its fields' defaults) — what contract-create would fill in
 * for a field left out.
 */
export const formDefaults = (schema: object): Obj => {
  const collect = (node: Obj): Obj => {
    const props = isObj(node.properties) ? node.properties : {};
    const out: Obj = {};
    for (const [key, raw] of Object.entries(props)) {
      if (!isObj(raw)) continue;
      if (raw.type === 'object') {
        const inner = { ...(isObj(raw.default) ? raw.default : {}), ...collect(raw) };
        if (Object.keys(inner).length > 0 || raw.default !== undefined) out[key] = inner;
      } else if (raw.default !== undefined) out[key] = raw.default;
    }
    return out;
  };
  return collect(schema as Obj);
};
