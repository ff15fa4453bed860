/**
 * The contract-text markup of templates/<kind>/text.md (SPEC T4), parsed into a small tree that
 * template-document.ts evaluates against a form. The format is documented for template authors in
 * templates/README.md; in short, one line is one thing:
 *
 *   % comment                      ignored
 *   # 房屋租赁合同                  the title (first line)
 *   ## 一、房屋基本情况             a section heading
 *   + 甲方应于{{/startDate|date}}…  a numbered clause 第N条 (numbering runs through the document)
 *     - …                          a sub-item （一）（二）… of the clause above (indented "- ")
 *   | 房屋地址 | {{/address}} |     a key-value row (consecutive rows form one table)
 *   [table /items] … [/table]      a table: a header row (cells "标题", "标题:宽度", "标题:宽度:right"),
 *                                  then one row template repeated per element of /items
 *   [if /furnished] … [else] … [/if]   conditions: /p, !/p, /p=值, /p!=值
 *   [each /promises] … [/each]     repeat lines per element
 *   [parties]                      the parties table (身份, 姓名, 身份证号码, 手机号码)
 *   [signatures] / [signatures payee]   signature areas for all roles / the listed ones
 *   [note] … / [center] … / [right] … / [bold] …   a paragraph styled so
 *   anything else                  a paragraph
 *
 * Placeholders: {{/json/pointer|formatter:arg|…}} into the form; inside [each]/[table] a pointer
 * without the leading '/' is relative to the element, {{.}} is the element and {{#}} its number;
 * {{@role.name}} (also .idNumber, .phone — masked — .label, .designation) a party; {{$contractNo}}.
 *
 * Parsing is pure and done once per template per process; errors name the line, so a broken
 * template fails its tests and every call that asks for its kind, never a user's contract.
 */

export type Expr =
  | { kind: 'form'; pointer: string; relative: boolean }
  | { kind: 'self' }
  | { kind: 'index' }
  | { kind: 'party'; role: string; field: PartyField }
  | { kind: 'meta'; name: MetaName };

export const PARTY_FIELDS = ['name', 'idNumber', 'phone', 'label', 'designation'] as const;
export type PartyField = (typeof PARTY_FIELDS)[number];
export const META_NAMES = ['contractNo', 'title'] as const;
export type MetaName = (typeof META_NAMES)[number];

export interface Formatter {
  name: FormatterName;
  args: string[];
}

/** Formatter names and how many arguments each accepts [min, max]. Their behaviour: template-format.ts. */
export const FORMATTER_ARITY = {
  yuan: [0, 0],
  capital: [0, 0],
  money: [0, 0],
  date: [0, 0],
  bool: [0, 2],
  list: [0, 1],
  pluck: [1, 1],
  count: [0, 0],
  role: [0, 0],
  percent: [0, 0],
  or: [1, 1],
} as const;
export type FormatterName = keyof typeof FORMATTER_ARITY;

export interface Placeholder {
  expr: Expr;
  formatters: Formatter[];
  /** The source, for error messages and tests. */
  source: string;
}

export type Segment = string | Placeholder;
export type Inline = Segment[];

export interface Condition {
  expr: Expr;
  negate: boolean;
  /** Compared with the value as text ('true', '3', '房东'). */
  equals?: string;
}

export type ParagraphStyle = 'note' | 'center' | 'right' | 'bold';

export interface TableColumnSpec {
  title: string;
  width?: number;
  align?: 'left' | 'center' | 'right';
}

export type TextNode =
  | { type: 'heading'; text: Inline; line: number }
  | { type: 'paragraph'; text: Inline; style?: ParagraphStyle; line: number }
  | { type: 'clause'; text: Inline; line: number }
  | { type: 'item'; text: Inline; line: number }
  | { type: 'kv'; key: Inline; value: Inline; line: number }
  | { type: 'table'; source: Expr | null; columns: TableColumnSpec[]; rows: Inline[][]; line: number }
  | { type: 'parties'; line: number }
  | { type: 'signatures'; roles: string[] | null; line: number }
  | { type: 'if'; cond: Condition; then: TextNode[]; otherwise: TextNode[]; line: number }
  | { type: 'each'; source: Expr; body: TextNode[]; line: number };

export interface TemplateText {
  title: string;
  nodes: TextNode[];
}

export class TemplateSyntaxError extends Error {
  constructor(where: string, line: number, problem: string) {
    super(`${where}:${line}: ${problem}`);
    this.name = 'TemplateSyntaxError';
  }
}

const ROLE_KEY = /^[a-z][a-z0-9_]*$/;
const RELATIVE = /^[A-Za-z][A-Za-z0-9]*(\/[A-Za-z0-9]+)*$/;

/** Parses an expression; `inScope` says whether element-relative forms are allowed here. */
const parseExpr = (src: string, inScope: boolean, fail: (p: string) => never): Expr => {
  const s = src.trim();
  if (s.startsWith('/')) {
    if (!/^(\/[^/\s|{}]+)+$/.test(s)) fail(`bad pointer "${s}"`);
    return { kind: 'form', pointer: s, relative: false };
  }
  if (s === '.' || s === '#') {
    if (!inScope) fail(`{{${s}}} is only meaningful inside [each] or [table]`);
    return s === '.' ? { kind: 'self' } : { kind: 'index' };
  }
  if (s.startsWith('@')) {
    const m = /^@([a-z][a-z0-9_]*)\.([A-Za-z]+)$/.exec(s);
    if (!m || !(PARTY_FIELDS as readonly string[]).includes(m[2]!)) fail(`bad party reference "${s}" (use @role.${PARTY_FIELDS.join('|')})`);
    return { kind: 'party', role: m![1]!, field: m![2] as PartyField };
  }
  if (s.startsWith('$')) {
    const name = s.slice(1);
    if (!(META_NAMES as readonly string[]).includes(name)) fail(`unknown "${s}" (known: ${META_NAMES.map((n) => `$${n}`).join(', ')})`);
    return { kind: 'meta', name: name as MetaName };
  }
  if (RELATIVE.test(s)) {
    if (!inScope) fail(`"${s}" needs a leading "/" outside [each] and [table]`);
    return { kind: 'form', pointer: `/${s}`, relative: true };
  }
  return fail(`cannot read "${s}"`);
};

const parseInline = (text: string, inScope: boolean, fail: (p: string) => never): Inline => {
  const out: Inline = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) break;
    const close = rest.indexOf('}}', open);
    if (close < 0) fail('"{{" without "}}"');
    if (open > 0) out.push(rest.slice(0, open));
    const body = rest.slice(open + 2, close);
    const [exprSrc, ...fmts] = body.split('|');
    const formatters = fmts.map((f): Formatter => {
      const [name, ...args] = f.split(':');
      const arity = FORMATTER_ARITY[name as FormatterName] as readonly [number, number] | undefined;
      if (!arity) fail(`unknown formatter "${name}" (known: ${Object.keys(FORMATTER_ARITY).join(', ')})`);
      if (args.length < arity![0] || args.length > arity![1]) fail(`formatter "${name}" takes ${arity![0]}–${arity![1]} arguments`);
      return { name: name as FormatterName, args };
    });
    out.push({ expr: parseExpr(exprSrc ?? '', inScope, fail), formatters, source: `{{${body}}}` });
    rest = rest.slice(close + 2);
  }
  if (rest.includes('}}')) fail('"}}" without "{{"');
  if (rest) out.push(rest);
  return out;
};

const parseCondition = (src: string, inScope: boolean, fail: (p: string) => never): Condition => {
  let s = src.trim();
  let negate = false;
  if (s.startsWith('!')) {
    negate = true;
    s = s.slice(1);
  }
  const m = /^([^=!]+?)\s*(!?=)\s*(.+)$/.exec(s);
  if (m) {
    if (negate) fail('write either !/p or /p!=value, not both');
    return { expr: parseExpr(m[1]!, inScope, fail), negate: m[2] === '!=', equals: m[3]!.trim() };
  }
  return { expr: parseExpr(s, inScope, fail), negate };
};

/** '| a | b |' → ['a', 'b']; null when the line is not a row. A '|' inside {{…}} is a formatter, not a cell border. */
const cellsOf = (line: string): string[] | null => {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|') || t.length < 2) return null;
  const cells: string[] = [];
  let cell = '';
  let depth = 0;
  const body = t.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('{{', i)) depth += 1;
    if (body.startsWith('}}', i)) depth = Math.max(0, depth - 1);
    if (body[i] === '|' && depth === 0) {
      cells.push(cell.trim());
      cell = '';
    } else cell += body[i];
  }
  cells.push(cell.trim());
  return cells;
};

const parseColumn = (cell: string, fail: (p: string) => never): TableColumnSpec => {
  const [title, width, align] = cell.split(':');
  const col: TableColumnSpec = { title: title ?? '' };
  if (width !== undefined && width !== '') {
    const w = Number(width);
    if (!(w > 0)) fail(`column width "${width}" must be a positive number`);
    col.width = w;
  }
  if (align !== undefined) {
    if (align !== 'left' && align !== 'center' && align !== 'right') fail(`column alignment "${align}" must be left, center or right`);
    col.align = align;
  }
  return col;
};

interface Frame {
  kind: 'root' | 'if' | 'each' | 'table';
  nodes: TextNode[];
  /** For [if]: the then-branch once [else] was seen. */
  then?: TextNode[];
  node?: TextNode;
  scoped: boolean;
  line: number;
}

/** Parses a template text. `where` names it in errors (e.g. 'templates/house_rental/text.md'). */
export const parseTemplateText = (source: string, where: string): TemplateText => {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let title: string | null = null;
  const stack: Frame[] = [{ kind: 'root', nodes: [], scoped: false, line: 0 }];
  const top = () => stack[stack.length - 1]!;

  lines.forEach((raw, i) => {
    const n = i + 1;
    const fail = (problem: string): never => {
      throw new TemplateSyntaxError(where, n, problem);
    };
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '' || line.startsWith('%')) return;
    const frame = top();
    const scoped = frame.scoped;
    const push = (node: TextNode) => frame.nodes.push(node);

    if (frame.kind === 'table') {
      const table = frame.node as Extract<TextNode, { type: 'table' }>;
      if (line.trim() === '[/table]') {
        if (table.columns.length === 0) fail('a table needs a header row');
        if (table.source && table.rows.length !== 1) fail('a table over a list takes exactly one row template');
        stack.pop();
        top().nodes.push(table);
        return;
      }
      const cells = cellsOf(line);
      if (!cells) return fail('inside [table] every line is a row "| … |" until [/table]');
      if (table.columns.length === 0) {
        table.columns = cells.map((c) => parseColumn(c, fail));
        return;
      }
      if (cells.length !== table.columns.length) fail(`row has ${cells.length} cells, the header ${table.columns.length}`);
      table.rows.push(cells.map((c) => parseInline(c, scoped || table.source !== null, fail)));
      return;
    }

    if (line.startsWith('# ')) {
      if (title !== null) fail('only one title ("# …") per template');
      if (stack.length > 1 || frame.nodes.length > 0) fail('the title comes first');
      title = line.slice(2).trim();
      return;
    }
    if (title === null) fail('a template starts with its title ("# …")');

    const directive = /^\[(\/?[a-z]+)(?:\s+(.*?))?\]\s*(.*)$/.exec(line.trim());
    if (directive) {
      const [, name, arg = '', tail = ''] = directive;
      switch (name) {
        case 'if':
          if (!arg) fail('[if] needs a condition');
          stack.push({ kind: 'if', nodes: [], scoped, line: n, node: { type: 'if', cond: parseCondition(arg, scoped, fail), then: [], otherwise: [], line: n } });
          return;
        case 'else':
          if (frame.kind !== 'if' || frame.then) fail('[else] without [if]');
          frame.then = frame.nodes;
          frame.nodes = [];
          return;
        case '/if': {
          if (frame.kind !== 'if') fail('[/if] without [if]');
          stack.pop();
          const node = frame.node as Extract<TextNode, { type: 'if' }>;
          node.then = frame.then ?? frame.nodes;
          node.otherwise = frame.then ? frame.nodes : [];
          top().nodes.push(node);
          return;
        }
        case 'each':
          if (!arg) fail('[each] needs a list, e.g. [each /items]');
          stack.push({ kind: 'each', nodes: [], scoped: true, line: n, node: { type: 'each', source: parseExpr(arg, scoped, fail), body: [], line: n } });
          return;
        case '/each': {
          if (frame.kind !== 'each') fail('[/each] without [each]');
          stack.pop();
          const node = frame.node as Extract<TextNode, { type: 'each' }>;
          node.body = frame.nodes;
          top().nodes.push(node);
          return;
        }
        case 'table':
          stack.push({ kind: 'table', nodes: [], scoped, line: n, node: { type: 'table', source: arg ? parseExpr(arg, scoped, fail) : null, columns: [], rows: [], line: n } });
          return;
        case 'parties':
          return push({ type: 'parties', line: n });
        case 'signatures': {
          const roles = arg ? arg.split(/\s+/) : null;
          if (roles?.some((r) => !ROLE_KEY.test(r))) fail(`bad role list "${arg}"`);
          return push({ type: 'signatures', roles, line: n });
        }
        case 'note':
        case 'center':
        case 'right':
        case 'bold': {
          const text = [arg, tail].filter(Boolean).join(' ');
          if (!text) fail(`[${name}] needs text after it`);
          return push({ type: 'paragraph', text: parseInline(text, scoped, fail), style: name, line: n });
        }
        default:
          if (name === '/table') fail('[/table] without [table]');
          // Not a directive we know: a paragraph that happens to start with '[' would be rare in a
          // contract, so treat it as the typo it almost certainly is.
          return fail(`unknown directive "[${name}]"`);
      }
    }

    if (line.startsWith('## ')) return push({ type: 'heading', text: parseInline(line.slice(3).trim(), scoped, fail), line: n });
    if (line.startsWith('+ ')) return push({ type: 'clause', text: parseInline(line.slice(2).trim(), scoped, fail), line: n });
    if (/^\s+- /.test(line)) return push({ type: 'item', text: parseInline(line.replace(/^\s+- /, '').trim(), scoped, fail), line: n });
    const cells = cellsOf(line);
    if (cells) {
      if (cells.length !== 2) fail('outside [table] a row is a key and a value: "| 键 | 值 |"');
      return push({ type: 'kv', key: parseInline(cells[0]!, scoped, fail), value: parseInline(cells[1]!, scoped, fail), line: n });
    }
    if (/^#/.test(line)) fail('headings are "## …" (the title "# …" comes once, first)');
    return push({ type: 'paragraph', text: parseInline(line.trim(), scoped, fail), line: n });
  });

  if (stack.length > 1) throw new TemplateSyntaxError(where, top().line, `[${top().kind}] is not closed`);
  if (title === null) throw new TemplateSyntaxError(where, 1, 'empty template');
  return { title, nodes: stack[0]!.nodes };
};

// ── what a template refers to (checked against its schema and roles when it is loaded) ──────

export interface TextReferences {
  /** Schema paths of form values, arrays' elements as '*': '/items/*\/amountFen'. */
  paths: string[];
  roles: string[];
}

const exprPath = (e: Expr, scope: string | null): string | null => {
  if (e.kind !== 'form') return e.kind === 'self' ? scope : null;
  if (!e.relative) return e.pointer;
  return scope === null ? null : `${scope}/*${e.pointer}`;
};

export const textReferences = (t: TemplateText): TextReferences => {
  const paths = new Set<string>();
  const roles = new Set<string>();
  const inline = (text: Inline, scope: string | null) => {
    for (const seg of text) {
      if (typeof seg === 'string') continue;
      if (seg.expr.kind === 'party') roles.add(seg.expr.role);
      const p = exprPath(seg.expr, scope);
      if (p !== null && seg.expr.kind === 'form') paths.add(p);
    }
  };
  const walk = (nodes: TextNode[], scope: string | null) => {
    for (const node of nodes) {
      switch (node.type) {
        case 'heading':
        case 'paragraph':
        case 'clause':
        case 'item':
          inline(node.text, scope);
          break;
        case 'kv':
          inline(node.key, scope);
          inline(node.value, scope);
          break;
        case 'table': {
          const src = node.source ? exprPath(node.source, scope) : null;
          if (src) paths.add(src);
          node.rows.forEach((row) => row.forEach((cell) => inline(cell, src ?? scope)));
          break;
        }
        case 'signatures':
          node.roles?.forEach((r) => roles.add(r));
          break;
        case 'if': {
          const p = exprPath(node.cond.expr, scope);
          if (p !== null && node.cond.expr.kind === 'form') paths.add(p);
          if (node.cond.expr.kind === 'party') roles.add(node.cond.expr.role);
          walk(node.then, scope);
          walk(node.otherwise, scope);
          break;
        }
        case 'each': {
          const src = exprPath(node.source, scope);
          if (src) paths.add(src);
          walk(node.body, src);
          break;
        }
        case 'parties':
          break;
      }
    }
  };
  walk(t.nodes, null);
  return { paths: [...paths], roles: [...roles] };
};
