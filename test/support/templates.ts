/**
 * What a template's form should put into its contract: every leaf value of the form, written the
 * way the contract writes it — money in yuan with thousands separators (the 大写 comes with it),
 * dates as 2026年3月10日, role keys as their labels (房东), basis points as per cent, other numbers
 * and text as typed. Booleans are not values of their own: they choose clauses. Used by the golden
 * tests (the preview text and the PDF's text layer) and the end-to-end tests (the signed PDF).
 */
import type { KindSpec } from '../../shared/kinds/kind';
import { chineseDate } from '../../shared/documents/template-format';
import { formatYuan } from '../../shared/rules/money';
import { pdftotext } from '../documents/tools';

export interface ExpectedValue {
  pointer: string;
  text: string;
}

const percentOfBp = (bp: number) => (bp / 100).toFixed(2).replace(/\.?0+$/, '') || '0';

export const formValues = (spec: KindSpec, form: unknown): ExpectedValue[] => {
  const out: ExpectedValue[] = [];
  const walk = (v: unknown, pointer: string, key: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${pointer}/${i}`, key));
    if (v !== null && typeof v === 'object') return Object.entries(v).forEach(([k, x]) => walk(x, `${pointer}/${k}`, k));
    if (typeof v === 'boolean' || v === null || v === undefined) return;
    let text: string;
    if (typeof v === 'number' && /Fen$/.test(key)) text = formatYuan(v);
    else if (typeof v === 'number' && /Bp$/.test(key)) text = `${percentOfBp(v)}%`;
    else if (typeof v === 'number') text = String(v);
    else if (/^\d{4}-\d{2}-\d{2}$/.test(v as string)) text = chineseDate(v as string);
    else if (spec.roles.includes(v as string)) text = spec.roleLabels[v as string]!;
    else text = String(v);
    out.push({ pointer, text: squash(text) });
  };
  walk(form, '', '');
  return out;
};

/** Whitespace is where a line or a cell wrapped: it carries no meaning in Chinese text. */
export const squash = (s: string): string => s.replace(/\s+/g, '');

/** The values `text` lacks, as "pointer: value" lines (empty when every value is there). */
export const missingValues = (values: readonly ExpectedValue[], text: string): string[] => {
  const body = squash(text);
  return values.filter((v) => !body.includes(v.text)).map((v) => `${v.pointer}: ${v.text}`);
};

/**
 * The body text of a contract PDF in reading order: pdftotext's raw mode (a wrapped table cell
 * stays one piece), without the page footers (合同编号：… 第 n 页 / 共 m 页) that would otherwise
 * split a value running over a page break, and without whitespace.
 */
export const pdfBodyText = (file: string): string =>
  squash(pdftotext(file, undefined, 'raw').replace(/合同编号：\S+\s*第\s*\d+\s*页\s*\/\s*共\s*\d+\s*页/g, ''));

/** Two people as a contract shows them once both filled in (masked in the document). */
export const SAMPLE_PARTIES = [
  { name: '王建国', idNumber: '110101199003071234', phone: '13912345678' },
  { name: '刘晓梅', idNumber: '310104198805162345', phone: '13698765432' },
] as const;

/** The model of a kind's example form, both parties filled in (or still to fill with `filled: false`). */
export const exampleModel = async (spec: KindSpec, filled = true) => {
  const { contractModel } = await import('../../shared/contracts/model');
  return contractModel(spec, {
    contractNo: `${spec.numberPrefix}20260301GOLDEN01`,
    form: structuredClone(spec.example),
    createdAt: '2026-03-01T02:00:00.000Z',
    parties: [
      { role: spec.roles[0], details: filled ? { ...SAMPLE_PARTIES[0] } : null },
      { role: spec.roles[1], details: filled ? { ...SAMPLE_PARTIES[1] } : null },
    ],
  });
};
