/**
 * A keyValue block with keepTogether (the evidence report's certificates, C9) starts on the next
 * page instead of splitting across two; without it the rows flow as before.
 */
import { layoutDocument } from '../../shared/documents/layout';
import type { Block, DocumentModel } from '../../shared/documents/model';
import { fontMetrics } from '../../shared/documents/render';

const ROWS = ['签署方', '证书主题', '颁发者', '序列号', '有效期', 'SHA-256 指纹', '签署时间'].map((key) => ({ key, value: `${key}的值` }));

/** Paragraphs that leave a little less room at the foot of page 1 than the seven rows need. */
const model = (keepTogether: boolean, filler: number): DocumentModel => ({
  contractNo: 'BG1',
  title: '报告',
  blocks: [
    ...Array.from({ length: filler }, (): Block => ({ kind: 'paragraph', text: '这是一段用于占位的正文。', indent: false })),
    { kind: 'keyValue', rows: ROWS, keepTogether },
  ],
});

/** The page each row's key is drawn on. */
const pagesOfRows = (m: DocumentModel) => {
  const laid = layoutDocument(m, fontMetrics);
  return ROWS.map((r) => laid.pages.findIndex((ops) => ops.some((o) => o.op === 'text' && o.text === r.key)));
};

test('C9 a kept-together record moves whole to the next page where a plain one splits', () => {
  // Find a filler length at which the plain block splits.
  const filler = Array.from({ length: 60 }, (_, i) => i + 1).find((n) => new Set(pagesOfRows(model(false, n))).size > 1)!;
  expect(filler).toBeDefined();
  expect(new Set(pagesOfRows(model(false, filler)))).toEqual(new Set([0, 1]));
  expect(pagesOfRows(model(true, filler))).toEqual(ROWS.map(() => 1));
  // Where it fits, keeping together changes nothing.
  expect(pagesOfRows(model(true, 1))).toEqual(pagesOfRows(model(false, 1)));
});
