/**
 * Line breaking for Chinese text mixed with Latin words and numbers (pure; the caller supplies
 * the measure function).
 *
 * - Every CJK character is a break opportunity on both sides; runs of other non-space
 *   characters (words, amounts like ¥100,000.00, dates, masked phone numbers) are never split
 *   unless a single run is wider than the whole line.
 * - Kinsoku (禁则, GB/T 15834 and common typesetting practice): no line starts with closing
 *   punctuation and no line ends with opening punctuation. When a break would violate it, the
 *   character before the punctuation moves down with it (推出), which the caller's
 *   justification then evens out.
 * - '——' and '……' are never split across lines.
 * - Spaces are break opportunities and vanish at line ends; '\n' forces a break.
 */

/** Must not begin a line. */
export const NO_LINE_START = new Set([
  ...'，。、；：？！）」』】》〉〕］｝…％‰℃·～”’',
  ...',.;:?!)]}%',
]);

/** Must not end a line. */
export const NO_LINE_END = new Set([...'（「『【《〈〔［｛“‘', ...'([{', '¥', '￥', '$']);

/** Pairs written as two characters that must stay together. */
const INSEPARABLE = new Set(['—', '…']);

const isCjkUnit = (ch: string): boolean => {
  const cp = ch.codePointAt(0) ?? 0;
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) || // radicals, CJK symbols and punctuation, kana, ideographs
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef) || // full-width forms
    (cp >= 0x20000 && cp <= 0x3ffff) || // extension ideographs
    (cp >= 0x2010 && cp <= 0x206f) // general punctuation: dashes, quotes, ellipsis
  );
};

type Token = { kind: 'text'; text: string } | { kind: 'space' } | { kind: 'newline' };

/** Splits text into CJK characters, non-CJK runs, spaces and newlines. */
export const tokenize = (text: string): Token[] => {
  const out: Token[] = [];
  let run = '';
  const flush = () => {
    if (run) out.push({ kind: 'text', text: run });
    run = '';
  };
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    if (ch === '\n') {
      flush();
      out.push({ kind: 'newline' });
    } else if (ch === ' ' || ch === '\t') {
      flush();
      if (out[out.length - 1]?.kind !== 'space') out.push({ kind: 'space' });
    } else if (isCjkUnit(ch)) {
      flush();
      out.push({ kind: 'text', text: ch });
    } else {
      run += ch;
    }
  }
  flush();
  return out;
};

const canBreakBetween = (a: string, b: string): boolean => {
  const last = [...a].pop() ?? '';
  const first = [...b][0] ?? '';
  if (NO_LINE_START.has(first) || NO_LINE_END.has(last)) return false;
  if (INSEPARABLE.has(first) && first === last) return false;
  return true;
};

export interface WrappedLine {
  text: string;
  width: number;
  /** True when the line ended because it was full (so it may be justified), false at a paragraph or '\n' end. */
  full: boolean;
}

export interface WrapOptions {
  /** Available width of every line. */
  width: number;
  /** Available width of the first line, if different (first-line indent or a clause number). */
  firstLineWidth?: number;
  measure: (text: string) => number;
}

type Cluster = { kind: 'text'; text: string } | { kind: 'space' } | { kind: 'newline' };

/** Glues tokens that must not be separated into clusters; spaces and newlines stay separate. */
const clusterize = (tokens: Token[]): Cluster[] => {
  const out: Cluster[] = [];
  for (const t of tokens) {
    const prev = out[out.length - 1];
    if (t.kind === 'text' && prev?.kind === 'text' && !canBreakBetween(prev.text, t.text)) {
      prev.text += t.text;
    } else {
      out.push(t.kind === 'text' ? { kind: 'text', text: t.text } : t);
    }
  }
  return out;
};

/** Breaks a cluster that cannot fit on an empty line at the last character that fits. */
const forceSplit = (text: string, width: number, measure: (s: string) => number): [string, string] => {
  const chars = [...text];
  let fit = 1;
  while (fit < chars.length && measure(chars.slice(0, fit + 1).join('')) <= width) fit++;
  return [chars.slice(0, fit).join(''), chars.slice(fit).join('')];
};

export const wrapText = (text: string, opts: WrapOptions): WrappedLine[] => {
  const { measure } = opts;
  const lines: WrappedLine[] = [];
  const clusters = clusterize(tokenize(text));
  let parts: string[] = [];
  let width = 0;
  let pendingSpace = false;
  const available = () => (lines.length === 0 ? (opts.firstLineWidth ?? opts.width) : opts.width);
  const spaceWidth = measure(' ');
  const flush = (full: boolean) => {
    lines.push({ text: parts.join(''), width, full });
    parts = [];
    width = 0;
    pendingSpace = false;
  };

  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i]!;
    if (c.kind === 'newline') {
      flush(false);
      continue;
    }
    if (c.kind === 'space') {
      if (parts.length) pendingSpace = true;
      continue;
    }
    let rest = c.text;
    while (rest) {
      const w = measure(rest);
      const gap = pendingSpace ? spaceWidth : 0;
      if (width + gap + w <= available() + 1e-6) {
        if (pendingSpace) parts.push(' ');
        parts.push(rest);
        width += gap + w;
        pendingSpace = false;
        rest = '';
      } else if (parts.length) {
        flush(true);
      } else {
        const [head, tail] = forceSplit(rest, available(), measure);
        parts.push(head);
        width = measure(head);
        rest = tail;
        if (rest) flush(true);
      }
    }
  }
  if (parts.length || lines.length === 0) flush(false);
  return lines;
};
