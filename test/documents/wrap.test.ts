import fc from 'fast-check';
import { chineseNumber } from '../../shared/documents/layout';
import { NO_LINE_END, NO_LINE_START, tokenize, wrapText } from '../../shared/documents/wrap';

/** CJK characters are 1 wide, everything else 0.5: easy to reason about line widths. */
const measure = (s: string) => [...s].reduce((w, ch) => w + (/[\u2e80-\uffef]/.test(ch) ? 1 : 0.5), 0);
const wrap = (text: string, width: number, firstLineWidth?: number) =>
  wrapText(text, { width, firstLineWidth, measure }).map((l) => l.text);

describe('kinsoku line breaking', () => {
  test('closing punctuation never starts a line: the preceding character moves down with it', () => {
    // Width 4 would naturally break as 借款人已经|，…; the comma must not start line 2.
    expect(wrap('借款人已，收到款项。', 4)).toEqual(['借款人', '已，收到', '款项。']);
  });

  test.each([...'，。、；：？！）」』】》…%'])('"%s" is never at the start of a line', (p) => {
    const lines = wrap(`一二三四${p}五六七八九十`, 4);
    for (const l of lines) expect(l.startsWith(p)).toBe(false);
    expect(lines.join('')).toBe(`一二三四${p}五六七八九十`);
  });

  test.each([...'（「『【《'])('"%s" is never at the end of a line', (p) => {
    const lines = wrap(`一二三${p}四五六七八`, 4);
    for (const l of lines) expect(l.endsWith(p)).toBe(false);
    expect(lines).toEqual(['一二三', `${p}四五六`, '七八']);
  });

  test('amounts, dates, masked numbers and words are never split', () => {
    const lines = wrap('借款金额¥100,000.00元，手机138****5678，日期2024-05-01，见 Appendix A。', 8);
    for (const token of ['¥100,000.00', '138****5678', '2024-05-01', 'Appendix']) {
      expect(lines.some((l) => l.includes(token))).toBe(true);
    }
    for (const l of lines) expect(measure(l)).toBeLessThanOrEqual(8);
  });

  test('a run wider than the line is cut rather than overflowing', () => {
    const lines = wrap('见https://example.com/a/very/long/path', 6);
    for (const l of lines) expect(measure(l)).toBeLessThanOrEqual(6);
    expect(lines.join('')).toBe('见https://example.com/a/very/long/path');
  });

  test('ellipsis and dash pairs stay together', () => {
    for (let w = 2; w <= 6; w++) {
      for (const l of wrap('他说……然后——走了', w)) {
        expect([0, 2]).toContain(l.match(/…/g)?.length ?? 0);
        expect([0, 2]).toContain(l.match(/—/g)?.length ?? 0);
      }
    }
  });

  test('newlines force breaks, spaces vanish at line ends, the first line can be narrower', () => {
    expect(wrap('甲\n\n乙', 10)).toEqual(['甲', '', '乙']);
    expect(wrap('ab cd ef', 2.4)).toEqual(['ab', 'cd', 'ef']);
    expect(wrap('一二三四五六', 4, 2)).toEqual(['一二', '三四五六']);
  });

  test('lines broken for width are marked full (justifiable), paragraph ends are not', () => {
    const lines = wrapText('一二三四五六七', { width: 3, measure });
    expect(lines.map((l) => l.full)).toEqual([true, true, false]);
  });

  test('tokenizer keeps Latin runs whole and splits CJK per character', () => {
    expect(tokenize('签署v2.0版本')).toEqual([
      { kind: 'text', text: '签' },
      { kind: 'text', text: '署' },
      { kind: 'text', text: 'v2.0' },
      { kind: 'text', text: '版' },
      { kind: 'text', text: '本' },
    ]);
  });

  test('property: any mix of text wraps within the width and obeys kinsoku', () => {
    const han = fc.constantFrom(...'借款人出甲方乙日期金额还本息');
    const closing = fc.constantFrom(...'，。、；：？！）」』】》%');
    const opening = fc.constantFrom(...'（「『【《');
    const latin = fc.stringMatching(/^[A-Za-z0-9]{1,4}$/);
    const piece = fc.oneof(
      han,
      fc.tuple(han, closing).map(([a, b]) => a + b),
      fc.tuple(opening, han).map(([a, b]) => a + b),
      latin,
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 60 }), fc.integer({ min: 4, max: 20 }), (pieces, width) => {
        const text = pieces.join('');
        const lines = wrap(text, width);
        expect(lines.join('')).toBe(text);
        for (const l of lines) {
          expect(measure(l)).toBeLessThanOrEqual(width);
          expect(NO_LINE_START.has([...l][0] ?? '')).toBe(false);
          expect(NO_LINE_END.has([...l].pop() ?? '')).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('clause numbering', () => {
  test.each([
    [1, '一'],
    [10, '十'],
    [11, '十一'],
    [20, '二十'],
    [21, '二十一'],
    [99, '九十九'],
    [100, '一百'],
    [105, '一百零五'],
    [110, '一百一十'],
    [123, '一百二十三'],
  ])('%i → %s', (n, s) => expect(chineseNumber(n)).toBe(s));
});
