/**
 * Places a DocumentModel on A4 pages as plain drawing operations (pure: text metrics are
 * injected). Laying out before drawing is what lets every footer say "共 N 页" and lets the
 * caller know where each party signs before any PDF exists.
 */
import type { FontWeight } from './fonts';
import type { Block, Clause, DocumentModel, SignatureArea, SignatureParty } from './model';
import { wrapText, WrappedLine } from './wrap';

export interface TextMetrics {
  /** Advance width of `text` at font size 1. */
  width(weight: FontWeight, text: string): number;
  /** Number of glyphs drawn for `text` (character spacing applies per glyph). */
  glyphs(weight: FontWeight, text: string): number;
}

export type DrawOp =
  | {
      op: 'text';
      x: number;
      y: number;
      text: string;
      size: number;
      weight: FontWeight;
      gray: number;
      /** Extra space after each glyph (PDF Tc), used to justify full lines. */
      charSpacing?: number;
    }
  | { op: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; gray: number; dash?: number[] }
  | { op: 'rect'; x: number; y: number; w: number; h: number; fillGray?: number; strokeGray?: number; lineWidth?: number; dash?: number[] };

export interface LaidOutDocument {
  pageSize: { width: number; height: number };
  pages: DrawOp[][];
  signatureAreas: SignatureArea[];
  /**
   * A band across the text width that nothing is drawn in, where a later revision (the parties'
   * rescind/settle signatures and the platform's stamp, contracts/pdf.ts) can go without covering
   * any text: below the last drawing on the signatures' page, else on the last page; absent when
   * no page has room.
   */
  actsArea?: { pageIndex: number; rect: { x: number; y: number; width: number; height: number } };
}

/** The height a later revision's signatures need (a seal box with its date caption). */
export const ACTS_AREA_MIN_HEIGHT = 72;

/** Lowest point any drawing on the page reaches (text: its baseline minus the descender). */
const lowestInk = (ops: readonly DrawOp[]): number =>
  Math.min(
    A4.height,
    ...ops.map((o) => (o.op === 'text' ? o.y - 0.25 * o.size : o.op === 'line' ? Math.min(o.y1, o.y2) - o.width : o.y)),
  );

const freeBand = (pages: readonly DrawOp[][], pageIndex: number): LaidOutDocument['actsArea'] => {
  const top = lowestInk(pages[pageIndex]!) - 8;
  const bottom = FOOTER.rule + 8;
  if (top - bottom < ACTS_AREA_MIN_HEIGHT) return undefined;
  // No more than a seal's height: the band sits right under the text, where a reader looks for it.
  const height = Math.min(top - bottom, 110);
  return { pageIndex, rect: { x: MARGIN.left, y: top - height, width: A4.width - MARGIN.left - MARGIN.right, height } };
};

export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 60, bottom: 70, left: 62, right: 62 } as const;
const BODY = { size: 11, leading: 19.5 } as const;
const SMALL = { size: 9, leading: 14 } as const;
const TITLE = { size: 20, leading: 30 } as const;
const HEADING = { size: 12.5, leading: 21, before: 10, after: 3 } as const;
const CELL = { size: 10.5, leading: 16, padX: 5, padY: 4 } as const;
const FOOTER = { size: 8.5, baseline: 36, rule: 50, gray: 0.35 } as const;
const SIGNATURE_BOX = { width: 190, height: 76 } as const;
const TEXT_GRAY = 0;
const BORDER_GRAY = 0.25;
const FILL_GRAY = 0.93;
/** Lines whose justification would open gaps wider than this share of the line stay ragged. */
const MAX_JUSTIFY_SLACK = 0.12;

const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (clause and item numbering). */
export const chineseNumber = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new Error(`cannot number ${n}`);
  if (n < 10) return CHINESE_DIGITS[n]!;
  if (n < 20) return `十${n % 10 ? CHINESE_DIGITS[n % 10] : ''}`;
  if (n < 100) return `${CHINESE_DIGITS[Math.floor(n / 10)]}十${n % 10 ? CHINESE_DIGITS[n % 10] : ''}`;
  const rest = n % 100;
  const tail = rest === 0 ? '' : rest < 10 ? `零${CHINESE_DIGITS[rest]}` : rest < 20 ? `一${chineseNumber(rest)}` : chineseNumber(rest);
  return `${CHINESE_DIGITS[Math.floor(n / 100)]}百${tail}`;
};

/** Baseline that centres CJK glyphs (ideographic box ≈ -0.12..0.88 em) in a line box. */
const baseline = (lineTop: number, leading: number, size: number) => lineTop - leading / 2 - 0.38 * size;

class Layout {
  readonly pages: DrawOp[][] = [];
  readonly areas: SignatureArea[] = [];
  y = 0;
  readonly left = MARGIN.left;
  readonly right = A4.width - MARGIN.right;
  readonly textWidth = A4.width - MARGIN.left - MARGIN.right;

  constructor(readonly m: TextMetrics) {
    this.newPage();
  }

  get ops(): DrawOp[] {
    return this.pages[this.pages.length - 1]!;
  }

  newPage() {
    this.pages.push([]);
    this.y = A4.height - MARGIN.top;
  }

  /** Starts a new page unless `height` fits below the cursor (or the page is still empty). */
  ensure(height: number) {
    const pageEmpty = this.y >= A4.height - MARGIN.top - 0.01;
    if (!pageEmpty && this.y - height < MARGIN.bottom) this.newPage();
  }

  width(weight: FontWeight, text: string, size: number) {
    return this.m.width(weight, text) * size;
  }

  wrap(text: string, weight: FontWeight, size: number, width: number, firstLineWidth?: number): WrappedLine[] {
    return wrapText(text, { width, firstLineWidth, measure: (s) => this.width(weight, s, size) });
  }

  /** Draws one wrapped line: justified when it was broken for width, else aligned. */
  textLine(
    line: WrappedLine,
    x: number,
    available: number,
    lineTop: number,
    style: { size: number; leading: number; weight: FontWeight; gray?: number; align?: 'left' | 'center' | 'right' },
  ) {
    const { size, leading, weight } = style;
    let dx = 0;
    let charSpacing: number | undefined;
    const slack = available - line.width;
    if (style.align === 'center') dx = slack / 2;
    else if (style.align === 'right') dx = slack;
    else if (line.full && slack > 0.01 && slack < available * MAX_JUSTIFY_SLACK) {
      const n = this.m.glyphs(weight, line.text);
      if (n > 1) charSpacing = slack / (n - 1);
    }
    if (!line.text) return;
    this.ops.push({
      op: 'text',
      x: x + dx,
      y: baseline(lineTop, leading, size),
      text: line.text,
      size,
      weight,
      gray: style.gray ?? TEXT_GRAY,
      ...(charSpacing ? { charSpacing } : {}),
    });
  }

  /** Flows wrapped lines down the page, breaking pages between lines. */
  flowLines(
    lines: WrappedLine[],
    style: { size: number; leading: number; weight: FontWeight; gray?: number; align?: 'left' | 'center' | 'right' },
    x: number,
    width: number,
    firstLine?: { indent: number; prefix?: { text: string; weight: FontWeight } },
  ) {
    lines.forEach((line, i) => {
      this.ensure(style.leading);
      const top = this.y;
      if (i === 0 && firstLine) {
        if (firstLine.prefix) {
          this.ops.push({
            op: 'text',
            x,
            y: baseline(top, style.leading, style.size),
            text: firstLine.prefix.text,
            size: style.size,
            weight: firstLine.prefix.weight,
            gray: style.gray ?? TEXT_GRAY,
          });
        }
        this.textLine(line, x + firstLine.indent, width - firstLine.indent, top, style);
      } else {
        this.textLine(line, x, width, top, style);
      }
      this.y -= style.leading;
    });
  }

  title(text: string, label: string, contractNo: string) {
    const lines = this.wrap(text, 'bold', TITLE.size, this.textWidth);
    this.flowLines(lines, { ...TITLE, weight: 'bold', align: 'center' }, this.left, this.textWidth);
    const no = { full: false, text: `${label}：${contractNo}`, width: this.width('regular', `${label}：${contractNo}`, SMALL.size) };
    this.textLine(no, this.left, this.textWidth, this.y, { ...SMALL, weight: 'regular', gray: FOOTER.gray, align: 'right' });
    this.y -= SMALL.leading + 8;
  }

  block(b: Block, next: Block | undefined) {
    switch (b.kind) {
      case 'heading': {
        // Keep the heading with the first lines of what follows it.
        const keep = HEADING.before + HEADING.leading + HEADING.after + (next ? 2 * BODY.leading : 0);
        this.ensure(keep);
        if (this.y < A4.height - MARGIN.top - 0.01) this.y -= HEADING.before;
        const lines = this.wrap(b.text, 'bold', HEADING.size, this.textWidth);
        this.flowLines(lines, { ...HEADING, weight: 'bold' }, this.left, this.textWidth);
        this.y -= HEADING.after;
        return;
      }
      case 'paragraph': {
        const style = b.small ? SMALL : BODY;
        const weight: FontWeight = b.bold ? 'bold' : 'regular';
        const indent = b.indent === false || b.align === 'center' || b.align === 'right' ? 0 : 2 * style.size;
        const lines = this.wrap(b.text, weight, style.size, this.textWidth, this.textWidth - indent);
        this.flowLines(
          lines,
          { ...style, weight, gray: b.small ? FOOTER.gray : TEXT_GRAY, align: b.align },
          this.left,
          this.textWidth,
          { indent },
        );
        this.y -= 4;
        return;
      }
      case 'keyValue': {
        const keyW = this.textWidth * (b.keyWidth ?? 0.28);
        this.table(
          [
            { width: keyW, align: 'left' as const, fill: true, weight: 'regular' as const },
            { width: this.textWidth - keyW, align: 'left' as const, fill: false, weight: 'regular' as const },
          ],
          b.rows.map((r) => [r.key, r.value]),
          undefined,
          b.keepTogether === true,
        );
        return;
      }
      case 'table': {
        const total = b.columns.reduce((s, c) => s + (c.width ?? 1), 0);
        const cols = b.columns.map((c) => ({
          width: (this.textWidth * (c.width ?? 1)) / total,
          align: c.align ?? ('left' as const),
          fill: false,
          weight: 'regular' as const,
        }));
        this.table(cols, b.rows, b.columns.map((c) => c.title));
        return;
      }
      case 'clauses':
        b.clauses.forEach((c, i) => this.clause(typeof c === 'string' ? { text: c } : c, (b.startAt ?? 1) + i));
        this.y -= 2;
        return;
      case 'signatureAreas':
        this.signatureAreas(b.parties);
        return;
      case 'spacer':
        this.y -= b.height;
        return;
    }
  }

  clause(c: Clause, n: number) {
    const prefix = `第${chineseNumber(n)}条\u3000`;
    const indent = this.width('bold', prefix, BODY.size);
    const lines = this.wrap(c.text, 'regular', BODY.size, this.textWidth, this.textWidth - indent);
    this.flowLines(lines, { ...BODY, weight: 'regular' }, this.left, this.textWidth, {
      indent,
      prefix: { text: prefix, weight: 'bold' },
    });
    (c.items ?? []).forEach((item, i) => {
      const label = `（${chineseNumber(i + 1)}）`;
      const x = this.left + 2 * BODY.size;
      const w = this.textWidth - 2 * BODY.size;
      const labelW = this.width('regular', label, BODY.size);
      const itemLines = this.wrap(item, 'regular', BODY.size, w, w - labelW);
      this.flowLines(itemLines, { ...BODY, weight: 'regular' }, x, w, {
        indent: labelW,
        prefix: { text: label, weight: 'regular' },
      });
    });
    this.y -= 3;
  }

  table(
    cols: Array<{ width: number; align: 'left' | 'center' | 'right'; fill: boolean; weight: FontWeight }>,
    rows: ReadonlyArray<readonly string[]>,
    header: readonly string[] | undefined,
    keepTogether = false,
  ) {
    const layoutRow = (cells: readonly string[], headerRow: boolean) => {
      const wrapped = cols.map((c, i) =>
        this.wrap(cells[i] ?? '', headerRow ? 'bold' : c.weight, CELL.size, c.width - 2 * CELL.padX),
      );
      const height = Math.max(...wrapped.map((l) => l.length)) * CELL.leading + 2 * CELL.padY;
      return { wrapped, height };
    };
    const drawRow = (row: ReturnType<typeof layoutRow>, headerRow: boolean) => {
      let x = this.left;
      const top = this.y;
      cols.forEach((c, i) => {
        this.ops.push({
          op: 'rect',
          x,
          y: top - row.height,
          w: c.width,
          h: row.height,
          ...(headerRow || c.fill ? { fillGray: FILL_GRAY } : {}),
          strokeGray: BORDER_GRAY,
          lineWidth: 0.6,
        });
        const weight: FontWeight = headerRow ? 'bold' : c.weight;
        const align = headerRow ? 'center' : c.align;
        (row.wrapped[i] ?? []).forEach((line, li) => {
          this.textLine(line, x + CELL.padX, c.width - 2 * CELL.padX, top - CELL.padY - li * CELL.leading, {
            size: CELL.size,
            leading: CELL.leading,
            weight,
            align,
          });
        });
        x += c.width;
      });
      this.y -= row.height;
    };
    const head = header ? layoutRow(header, true) : undefined;
    // A short record (one certificate) starts on the next page rather than split across two.
    if (keepTogether) this.ensure(rows.reduce((h, cells) => h + layoutRow(cells, false).height, head?.height ?? 0));
    let needHeader = true;
    rows.forEach((cells) => {
      const row = layoutRow(cells, false);
      const pagesBefore = this.pages.length;
      // A table never starts with its header alone at the foot of a page.
      this.ensure(row.height + (needHeader && head ? head.height : 0));
      if (this.pages.length !== pagesBefore) needHeader = true;
      if (head && needHeader) drawRow(head, true);
      needHeader = false;
      drawRow(row, false);
    });
    if (rows.length === 0 && head) {
      this.ensure(head.height);
      drawRow(head, true);
    }
    this.y -= 8;
  }

  signatureAreas(parties: readonly SignatureParty[]) {
    const perRow = 2;
    const colW = this.textWidth / perRow;
    const partyHeight = (p: SignatureParty) => 2 * BODY.leading + (p.maskedId ? BODY.leading : 0) + SIGNATURE_BOX.height + 12;
    for (let start = 0; start < parties.length; start += perRow) {
      const group = parties.slice(start, start + perRow);
      const height = Math.max(...group.map(partyHeight)) + 12;
      this.ensure(height);
      this.y -= 12;
      const top = this.y;
      group.forEach((p, i) => {
        const x = this.left + i * colW;
        let y = top;
        const roleLabel = `${p.role}：`;
        const roleW = this.width('bold', roleLabel, BODY.size);
        this.ops.push({ op: 'text', x, y: baseline(y, BODY.leading, BODY.size), text: roleLabel, size: BODY.size, weight: 'bold', gray: 0 });
        const nameLine = this.wrap(p.name, 'regular', BODY.size, colW - roleW - 6)[0];
        if (nameLine) this.textLine({ ...nameLine, full: false }, x + roleW, colW - roleW, y, { ...BODY, weight: 'regular' });
        y -= BODY.leading;
        if (p.maskedId) {
          const idText = `身份证号：${p.maskedId}`;
          this.ops.push({ op: 'text', x, y: baseline(y, BODY.leading, BODY.size), text: idText, size: BODY.size, weight: 'regular', gray: 0 });
          y -= BODY.leading;
        }
        this.ops.push({ op: 'text', x, y: baseline(y, BODY.leading, BODY.size), text: '签章：', size: BODY.size, weight: 'regular', gray: 0 });
        y -= BODY.leading;
        const w = Math.min(SIGNATURE_BOX.width, colW - 12);
        const rect = { x, y: y - SIGNATURE_BOX.height, width: w, height: SIGNATURE_BOX.height };
        this.ops.push({ op: 'rect', x: rect.x, y: rect.y, w: rect.width, h: rect.height, strokeGray: 0.7, lineWidth: 0.5, dash: [3, 2] });
        this.areas.push({ fieldName: p.fieldName, role: p.role, name: p.name, pageIndex: this.pages.length - 1, rect });
      });
      this.y = top - Math.max(...group.map(partyHeight));
    }
  }

  footers(label: string, contractNo: string) {
    const total = this.pages.length;
    this.pages.forEach((ops, i) => {
      ops.push({ op: 'line', x1: this.left, y1: FOOTER.rule, x2: this.right, y2: FOOTER.rule, width: 0.5, gray: 0.6 });
      const left = `${label}：${contractNo}`;
      ops.push({ op: 'text', x: this.left, y: FOOTER.baseline, text: left, size: FOOTER.size, weight: 'regular', gray: FOOTER.gray });
      const right = `第 ${i + 1} 页 / 共 ${total} 页`;
      const w = this.width('regular', right, FOOTER.size);
      ops.push({ op: 'text', x: this.right - w, y: FOOTER.baseline, text: right, size: FOOTER.size, weight: 'regular', gray: FOOTER.gray });
    });
  }
}

export const layoutDocument = (model: DocumentModel, metrics: TextMetrics): LaidOutDocument => {
  const fieldNames = new Set<string>();
  for (const b of model.blocks) {
    if (b.kind !== 'signatureAreas') continue;
    for (const p of b.parties) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(p.fieldName)) throw new Error(`bad signature field name "${p.fieldName}"`);
      if (fieldNames.has(p.fieldName)) throw new Error(`duplicate signature field name "${p.fieldName}"`);
      fieldNames.add(p.fieldName);
    }
  }
  const l = new Layout(metrics);
  l.title(model.title, model.numberLabel ?? '合同编号', model.contractNo);
  model.blocks.forEach((b, i) => l.block(b, model.blocks[i + 1]));
  // Measured before the footers, which sit below the band's floor.
  const signaturesPage = l.areas.at(-1)?.pageIndex;
  const actsArea = (signaturesPage !== undefined ? freeBand(l.pages, signaturesPage) : undefined) ?? freeBand(l.pages, l.pages.length - 1);
  l.footers(model.numberLabel ?? '合同编号', model.contractNo);
  return { pageSize: { ...A4 }, pages: l.pages, signatureAreas: l.areas, ...(actsArea ? { actsArea } : {}) };
};
