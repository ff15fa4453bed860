/**
 * A parsed contract text (template-text.ts) + a form + the parties → the generic DocumentModel
 * that render.ts draws (T4). The receipt and every template contract go through here; only the
 * IOU keeps its bespoke builder (iou-document.ts).
 *
 * Parties arrive pre-masked (ID numbers and phones as the product shows them) or as null while a
 * 对方填 party has not filled in: the preview then reads PENDING in their place. Clauses are
 * numbered 第一条, 第二条 … through the whole document, so a clause left out by a condition
 * renumbers the rest, as an edited paper contract would.
 */
import { signatureFieldName, type Block, type Clause, type DocumentModel, type SignatureParty } from './model';
import { formatValue, MISSING, type FormatContext } from './template-format';
import { getAt, truthy } from '../rules/json-pointer';
import type { Condition, Expr, Inline, TemplateText, TextNode } from './template-text';

/** What a party's unknown details print as before they fill in (预览). */
export const PENDING = '（待填写）';

export interface TemplateParty {
  name: string;
  maskedIdNumber: string;
  maskedPhone: string;
}

export interface TemplateRole {
  key: string;
  /** 房东 */
  label: string;
  /** 出租方（甲方） — how the contract designates the party. */
  designation: string;
  party: TemplateParty | null;
}

export interface TemplateDocumentData {
  contractNo: string;
  title?: string;
  form: Record<string, unknown>;
  /** In the template's order: the first is 甲方. */
  roles: readonly TemplateRole[];
  /** Document metadata (keeps re-renders byte-identical). */
  createdAt?: Date;
  keywords?: readonly string[];
}

interface Scope {
  item?: unknown;
  index?: number;
}

/** One evaluated line before grouping into blocks. */
type Out =
  | { kind: 'block'; block: Block }
  | { kind: 'clause'; text: string; line: number }
  | { kind: 'item'; text: string; line: number }
  | { kind: 'kv'; key: string; value: string };

export class TemplateRenderError extends Error {}

class Evaluator {
  readonly fmt: FormatContext;

  constructor(
    private readonly text: TemplateText,
    private readonly data: TemplateDocumentData,
  ) {
    this.fmt = { roleLabel: (key) => data.roles.find((r) => r.key === key)?.label };
  }

  role(key: string): TemplateRole {
    const r = this.data.roles.find((x) => x.key === key);
    if (!r) throw new TemplateRenderError(`unknown role "${key}" in "${this.text.title}"`);
    return r;
  }

  value(e: Expr, scope: Scope): unknown {
    switch (e.kind) {
      case 'form':
        return e.relative ? getAt(scope.item, e.pointer) : getAt(this.data.form, e.pointer);
      case 'self':
        return scope.item;
      case 'index':
        return scope.index === undefined ? undefined : scope.index + 1;
      case 'meta':
        return e.name === 'contractNo' ? this.data.contractNo : this.data.title ?? this.text.title;
      case 'party': {
        const r = this.role(e.role);
        if (e.field === 'label') return r.label;
        if (e.field === 'designation') return r.designation;
        if (!r.party) return PENDING;
        return e.field === 'name' ? r.party.name : e.field === 'idNumber' ? r.party.maskedIdNumber : r.party.maskedPhone;
      }
    }
  }

  inline(text: Inline, scope: Scope): string {
    return text
      .map((seg) => (typeof seg === 'string' ? seg : formatValue(this.value(seg.expr, scope), seg.formatters, this.fmt) ?? MISSING))
      .join('');
  }

  holds(c: Condition, scope: Scope): boolean {
    const v = this.value(c.expr, scope);
    if (c.equals !== undefined) return (String(v) === c.equals) !== c.negate;
    return truthy(v) !== c.negate;
  }

  list(e: Expr, scope: Scope): unknown[] {
    const v = this.value(e, scope);
    return Array.isArray(v) ? v : [];
  }

  nodes(nodes: readonly TextNode[], scope: Scope, out: Out[]): void {
    for (const node of nodes) this.node(node, scope, out);
  }

  node(node: TextNode, scope: Scope, out: Out[]): void {
    switch (node.type) {
      case 'heading':
        out.push({ kind: 'block', block: { kind: 'heading', text: this.inline(node.text, scope) } });
        return;
      case 'paragraph': {
        const text = this.inline(node.text, scope);
        const style = node.style;
        out.push({
          kind: 'block',
          block: {
            kind: 'paragraph',
            text,
            ...(style === 'note' ? { small: true, indent: false } : {}),
            ...(style === 'center' || style === 'right' ? { align: style } : {}),
            ...(style === 'bold' ? { bold: true } : {}),
          },
        });
        return;
      }
      case 'clause':
        out.push({ kind: 'clause', text: this.inline(node.text, scope), line: node.line });
        return;
      case 'item':
        out.push({ kind: 'item', text: this.inline(node.text, scope), line: node.line });
        return;
      case 'kv':
        out.push({ kind: 'kv', key: this.inline(node.key, scope), value: this.inline(node.value, scope) });
        return;
      case 'table': {
        const rows = node.source
          ? this.list(node.source, scope).map((item, index) => node.rows[0]!.map((cell) => this.inline(cell, { item, index })))
          : node.rows.map((row) => row.map((cell) => this.inline(cell, scope)));
        out.push({ kind: 'block', block: { kind: 'table', columns: node.columns, rows } });
        return;
      }
      case 'parties':
        out.push({
          kind: 'block',
          block: {
            kind: 'table',
            columns: [
              { title: '身份', width: 1.8, align: 'center' },
              { title: '姓名', width: 1.2, align: 'center' },
              { title: '身份证号码', width: 2.2, align: 'center' },
              { title: '手机号码', width: 1.5, align: 'center' },
            ],
            rows: this.data.roles.map((r) => [r.designation, r.party?.name ?? PENDING, r.party?.maskedIdNumber ?? PENDING, r.party?.maskedPhone ?? PENDING]),
          },
        });
        return;
      case 'signatures': {
        const roles = node.roles ? node.roles.map((k) => this.role(k)) : this.data.roles;
        const parties: SignatureParty[] = roles.map((r) => ({
          role: r.designation,
          name: r.party?.name ?? PENDING,
          ...(r.party ? { maskedId: r.party.maskedIdNumber } : {}),
          fieldName: signatureFieldName(r.key),
        }));
        out.push({ kind: 'block', block: { kind: 'signatureAreas', parties } });
        return;
      }
      case 'if':
        this.nodes(this.holds(node.cond, scope) ? node.then : node.otherwise, scope, out);
        return;
      case 'each':
        this.list(node.source, scope).forEach((item, index) => this.nodes(node.body, { item, index }, out));
        return;
    }
  }
}

/** Groups evaluated lines: clauses with their items into numbered blocks, key-value rows into tables. */
const group = (out: readonly Out[]): Block[] => {
  const blocks: Block[] = [];
  let clauses: Clause[] | null = null;
  let kv: Array<{ key: string; value: string }> | null = null;
  let clauseNo = 0;
  const flush = () => {
    if (clauses) blocks.push({ kind: 'clauses', clauses, startAt: clauseNo - clauses.length + 1 });
    if (kv) blocks.push({ kind: 'keyValue', rows: kv });
    clauses = null;
    kv = null;
  };
  for (const o of out) {
    if (o.kind === 'clause') {
      if (kv) flush();
      clauses ??= [];
      clauses.push({ text: o.text, items: [] });
      clauseNo += 1;
    } else if (o.kind === 'item') {
      const last: Clause | undefined = clauses?.[clauses.length - 1];
      if (!last) throw new TemplateRenderError(`line ${o.line}: an item "- …" must follow a clause "+ …"`);
      (last.items as string[]).push(o.text);
    } else if (o.kind === 'kv') {
      if (clauses) flush();
      kv ??= [];
      kv.push({ key: o.key, value: o.value });
    } else {
      flush();
      blocks.push(o.block);
    }
  }
  flush();
  return blocks.map((b) => (b.kind === 'clauses' ? { ...b, clauses: b.clauses.map((c) => (typeof c !== 'string' && c.items?.length === 0 ? { text: c.text } : c)) } : b));
};

export const buildTemplateDocument = (text: TemplateText, data: TemplateDocumentData): DocumentModel => {
  const ev = new Evaluator(text, data);
  const out: Out[] = [];
  ev.nodes(text.nodes, {}, out);
  const title = data.title ?? text.title;
  return {
    contractNo: data.contractNo,
    title,
    blocks: group(out),
    metadata: { subject: `${title.replace(/\s|\u3000/g, '')} ${data.contractNo}`, keywords: [...(data.keywords ?? [])], ...(data.createdAt ? { createdAt: data.createdAt } : {}) },
  };
};
