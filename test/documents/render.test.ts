import { createHash } from 'node:crypto';
import { buildIouDocument, formatChineseDate, renderIou } from '../../shared/documents/iou-document';
import { A4 } from '../../shared/documents/layout';
import { renderDocument, RenderedDocument } from '../../shared/documents/render';
import { NO_LINE_END, NO_LINE_START } from '../../shared/documents/wrap';
import { sampleIou } from './fixtures';
import { pdftotext, qpdfCheck, run, tempDir, writeTemp } from './tools';

jest.setTimeout(60_000);

let iou: RenderedDocument;
let file: string;

beforeAll(async () => {
  iou = await renderIou(sampleIou());
  file = writeTemp(tempDir(), 'iou.pdf', iou.bytes);
});

describe('IOU rendering', () => {
  test('three A4 pages, each footer with the contract number and "第 i 页 / 共 3 页"', () => {
    expect(iou.pageCount).toBe(3);
    const info = run('pdfinfo', [file]).stdout;
    expect(info).toMatch(/Pages:\s+3/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    for (let p = 1; p <= 3; p++) {
      const text = pdftotext(file, p).replace(/\s+/g, '');
      expect(text).toContain('合同编号：JT20240501000123');
      expect(text).toContain(`第${p}页/共3页`);
    }
  });

  test('states the parties, the money in both forms, the dates, the plan and the clauses', () => {
    const text = pdftotext(file).replace(/[ \t]+/g, '');
    for (const s of [
      '借条',
      '张三',
      '李小明',
      '110105********002X',
      '138****5678',
      '人民币壹拾贰万元整（¥120,000.00）',
      '借款事由',
      '个人装修房屋',
      '2024年5月1日',
      '2025年4月30日',
      '3.85%（单利）',
      '5.775%',
      '第12期',
      '第一条',
      '第十条',
      '五、补充条款',
      '第十二条',
      '出借人（甲方）：',
      '借款人（乙方）：',
    ]) {
      expect(text).toContain(s);
    }
    expect(text.match(/¥10,000\.00/g)).toHaveLength(12);
  });

  test('a table split across pages repeats its header row', () => {
    const page2 = pdftotext(file, 2);
    expect(page2).toMatch(/期数\s+还款日期\s+还款金额/);
    expect(page2).toContain('第12期');
  });

  test('no rendered line starts with closing or ends with opening punctuation', () => {
    const lines = pdftotext(file)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(lines.length).toBeGreaterThan(60);
    for (const l of lines) {
      expect(NO_LINE_START.has([...l][0]!)).toBe(false);
      expect(NO_LINE_END.has([...l].pop()!)).toBe(false);
    }
  });

  test('signature areas: one per party, on the page, clear of each other and of the footer', () => {
    expect(iou.signatureAreas.map((a) => [a.fieldName, a.role, a.name])).toEqual([
      ['Sig_lender', '出借人（甲方）', '张三'],
      ['Sig_borrower', '借款人（乙方）', '李小明'],
    ]);
    const [a, b] = iou.signatureAreas.map((s) => s.rect) as [typeof iou.signatureAreas[0]['rect'], typeof iou.signatureAreas[0]['rect']];
    for (const s of iou.signatureAreas) {
      expect(s.pageIndex).toBe(iou.pageCount - 1);
      expect(s.rect.x).toBeGreaterThanOrEqual(40);
      expect(s.rect.x + s.rect.width).toBeLessThanOrEqual(A4.width - 40);
      expect(s.rect.y).toBeGreaterThan(60); // above the footer rule
      expect(s.rect.y + s.rect.height).toBeLessThan(A4.height - 40);
      expect(s.rect.width).toBeGreaterThan(100);
      expect(s.rect.height).toBeGreaterThan(50);
    }
    expect(a.x + a.width <= b.x || b.x + b.width <= a.x).toBe(true);
  });

  test('small, subset-embedded, structurally clean and byte-for-byte reproducible', async () => {
    expect(iou.bytes.length).toBeLessThan(200 * 1024);
    expect(iou.sha256).toBe(createHash('sha256').update(iou.bytes).digest('hex'));
    const fonts = run('pdffonts', [file]).stdout;
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSerifSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSerifSC-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    const check = qpdfCheck(file);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors found');
    const again = await renderIou(sampleIou());
    expect(Buffer.from(again.bytes).equals(Buffer.from(iou.bytes))).toBe(true);
    expect(iou.missingCharacters).toEqual([]);
  });

  test('interest-free IOU without supplementary terms says so and has no 补充条款', async () => {
    const model = buildIouDocument(sampleIou({ annualRatePercent: '0', supplementary: undefined }));
    const r = await renderDocument(model);
    const text = pdftotext(writeTemp(tempDir(), 'free.pdf', r.bytes)).replace(/\s+/g, '');
    expect(text).toContain('本借款不计利息');
    expect(text).toContain('一年期贷款市场报价利率标准计算的利息');
    expect(text).not.toContain('补充条款');
  });
});

describe('generic documents', () => {
  test('characters the font lacks are reported, not silently printed as boxes', async () => {
    const r = await renderDocument({ contractNo: 'X1', title: '测试', blocks: [{ kind: 'paragraph', text: '备注😀' }] });
    expect(r.missingCharacters).toEqual(['😀']);
  });

  test('signature field names must be unique and PDF-safe', async () => {
    const party = { role: '甲方', name: '王五', fieldName: 'Sig_a' };
    await expect(
      renderDocument({ contractNo: 'X', title: 'T', blocks: [{ kind: 'signatureAreas', parties: [party, party] }] }),
    ).rejects.toThrow(/duplicate/);
    await expect(
      renderDocument({ contractNo: 'X', title: 'T', blocks: [{ kind: 'signatureAreas', parties: [{ ...party, fieldName: '签名 1' }] }] }),
    ).rejects.toThrow(/bad signature field name/);
  });

  test('long content flows onto as many pages as needed, each numbered', async () => {
    const r = await renderDocument({
      contractNo: 'LONG-1',
      title: '长文档',
      blocks: [{ kind: 'clauses', clauses: Array.from({ length: 60 }, (_, i) => `第${i + 1}项约定：${'双方应当诚实守信，'.repeat(8)}`) }],
    });
    expect(r.pageCount).toBeGreaterThan(3);
    const f = writeTemp(tempDir(), 'long.pdf', r.bytes);
    expect(pdftotext(f, r.pageCount).replace(/\s+/g, '')).toContain(`第${r.pageCount}页/共${r.pageCount}页`);
    expect(pdftotext(f).replace(/\s+/g, '')).toContain('第六十条');
  });

  test('dates are written the Chinese way', () => {
    expect(formatChineseDate('2024-05-01')).toBe('2024年5月1日');
    expect(() => formatChineseDate('2024/05/01')).toThrow();
  });
});
