/**
 * M3 typed text (reasons, contract names, purposes): trimmed, whitespace-only refused, invisible
 * and control characters removed, a maximum length — and the check that keeps links, contact
 * numbers and fake signatures out of anything sent as SMS or subscription message.
 */
import fc from 'fast-check';
import {
  TYPED_TEXT_RULES,
  charCount,
  cleanFormText,
  cleanOptionalTypedText,
  cleanTypedText,
  isSmsSafe,
  normalizeTypedText,
  requireSmsSafe,
  smsSafety,
} from '../../shared/rules/typed-text';
import { appErrorOf } from './helpers';

const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\uFEFF', '\u2060', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u00AD', '\u{E0041}'];
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u001B', '\u007F', '\u0085', '\u009B'];

describe('M3 cleanTypedText', () => {
  it.each([
    ['  不想借了  ', 'reason', '不想借了'],
    ['\u3000\u3000金额有误\u3000', 'reason', '金额有误'], // ideographic spaces typed by an IME
    ['第一行\r\n第二行\r第三行', 'reason', '第一行\n第二行\n第三行'],
    ['a\n\n\n\n\nb', 'reason', 'a\n\nb'],
    ['行尾空格   \n下一行', 'reason', '行尾空格\n下一行'],
    ['房屋\n租赁\t合同', 'contractTitle', '房屋 租赁 合同'],
    ['张\u00A0 三', 'personName', '张 三'],
    ['《借\u200B条》', 'contractTitle', '《借条》'],
    ['\u202E条借\u202C', 'contractTitle', '条借'], // a right-to-left override that would show "借条"
    ['e\u0301', 'purpose', '\u00E9'], // NFC: the same text typed two ways compares equal
  ] as const)('%j (%s) is stored as %j', (raw, kind, out) => {
    expect(cleanTypedText(raw, kind, 'f')).toBe(out);
  });

  it.each(['', ' ', '   ', '\u3000', '\t\n ', '\u200B\u200B', '\u202E \u202C', '\u0000\u0007'])('whitespace-only or invisible-only %j is VALIDATION_FAILED naming the field (C4/C6/I9 reasons)', (raw) => {
    const e = appErrorOf(() => cleanTypedText(raw, 'reason', 'reason'));
    expect([e.code, e.details]).toEqual(['VALIDATION_FAILED', { fields: [{ field: 'reason', rule: 'required' }] }]);
  });

  it('a non-string is VALIDATION_FAILED, not a crash', () => {
    expect(appErrorOf(() => cleanTypedText(42, 'reason', 'reason')).details).toEqual({ fields: [{ field: 'reason', rule: 'type' }] });
  });

  it('refuses over the maximum, counting code points as a person counts characters', () => {
    const max = TYPED_TEXT_RULES.reason.max;
    expect(cleanTypedText('借'.repeat(max), 'reason', 'reason')).toHaveLength(max);
    expect(cleanTypedText('𠮷'.repeat(max), 'reason', 'reason')).toHaveLength(max * 2); // UTF-16 length doubles, characters do not
    const e = appErrorOf(() => cleanTypedText('借'.repeat(max + 1), 'reason', 'reason'));
    expect([e.code, e.details]).toEqual(['VALIDATION_FAILED', { fields: [{ field: 'reason', rule: 'maxLength', max }] }]);
    // Removed characters do not count: a padded value within the maximum is accepted.
    expect(cleanTypedText(`  ${'借'.repeat(max)}\u200B\u200B  `, 'reason', 'reason')).toBe('借'.repeat(max));
  });

  it('optional inputs stay absent', () => {
    expect(cleanOptionalTypedText(undefined, 'purpose', 'purpose')).toBeUndefined();
    expect(appErrorOf(() => cleanOptionalTypedText('  ', 'purpose', 'purpose')).details).toMatchObject({ fields: [{ rule: 'required' }] });
  });

  const typed = fc.string({ unit: fc.constantFrom('借', '条', 'a', ' ', '\u3000', '\n', '\t', '\r', ...INVISIBLES, ...CONTROLS, '\uD800', '\uDC00', '😀'), maxLength: 80 });

  it('property: the result has no invisible, control or unpaired-surrogate character, no outer whitespace, and cleaning is idempotent', () => {
    fc.assert(
      fc.property(typed, fc.constantFrom(...(Object.keys(TYPED_TEXT_RULES) as Array<keyof typeof TYPED_TEXT_RULES>)), (raw, kind) => {
        let out: string;
        try {
          out = cleanTypedText(raw, kind, 'f');
        } catch (e) {
          // Only ever the two refusals, and only when they are right.
          const details = (e as { details?: { fields?: Array<{ rule?: string }> } }).details;
          const cleaned = normalizeTypedText(raw, TYPED_TEXT_RULES[kind].multiline);
          expect(details?.fields?.[0]?.rule).toBe(cleaned === '' ? 'required' : 'maxLength');
          return;
        }
        for (const ch of [...INVISIBLES, ...CONTROLS, '\r']) expect(out.includes(ch)).toBe(false);
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)).toBe(false); // a pair (𐀀) is a character, half of one is not
        if (!TYPED_TEXT_RULES[kind].multiline) expect(/[\n\t]| {2}/.test(out)).toBe(false);
        expect(out).toBe(out.trim());
        expect(out).not.toBe('');
        expect(charCount(out)).toBeLessThanOrEqual(TYPED_TEXT_RULES[kind].max);
        expect(cleanTypedText(out, kind, 'f')).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it('property: visible text survives cleaning unchanged (nothing a user meant is lost)', () => {
    const visible = fc.string({ unit: fc.constantFrom('借', '条', '还', '款', 'a', 'B', '1', '，', '。', '《', '》', '😀', '𠮷'), minLength: 1, maxLength: 50 });
    fc.assert(fc.property(visible, (s) => expect(cleanTypedText(s, 'contractTitle', 'title')).toBe(s)));
  });
});

describe('M3 cleanFormText: every string of a form, nested, cleaned; other values untouched', () => {
  it('cleans strings at any depth, keeps a multi-line value\'s lines, leaves numbers and booleans', () => {
    expect(cleanFormText({ purpose: ' 装修\u202E周转 ', amountFen: 100, plan: [{ note: 'a\u200Bb', ok: true }], other: '第一条\r\n第二条  ' })).toEqual({
      purpose: '装修周转', amountFen: 100, plan: [{ note: 'ab', ok: true }], other: '第一条\n第二条',
    });
  });
});

describe('M3 smsSafety: what may ever appear in an SMS or subscription message', () => {
  it.each([
    '个人借条',
    '房屋租赁合同',
    '上门喂养宠物服务合同',
    '2026-03-01 租房合同', // a date is not a phone number
    '2026年3月1日借款',
    '借款3.5万元',
    '合同.pdf',
    'v2.0 补充协议',
    '阿卜杜热合曼·阿卜杜拉',
    'No.1 装修合同',
    '金额500000.00元',
  ])('%j is SMS-safe', (s) => {
    expect(smsSafety(s)).toEqual({ ok: true });
  });

  it.each([
    ['https://evil.example/pay', 'link'],
    ['访问 http://x.cn', 'link'],
    ['www.baidu.com', 'link'],
    ['ｗｗｗ．ｅｖｉｌ．ｃｏｍ', 'link'], // full-width, folded by NFKC
    ['打开evil.com领取', 'link'],
    ['evil。com', 'link'],
    ['evil 点 com', 'link'],
    ['t.cn/A6abc', 'link'],
    ['百度.com', 'link'],
    ['链接：bit.ly/3xyz', 'link'],
    ['192.168.1.10', 'link'],
    ['weixin://dl/business', 'link'],
    ['加我13812345678', 'contact'],
    ['QQ 123 456 789', 'contact'],
    ['138-1234-5678', 'contact'],
    ['【银行】通知', 'forbiddenChar'],
    ['¥100', 'forbiddenChar'],
    ['{1}', 'forbiddenChar'],
    ['借\u200B条', 'invisible'],
    ['两行\n标题', 'invisible'],
  ] as const)('%j is not (%s)', (s, reason) => {
    const r = smsSafety(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons).toContain(reason);
    expect(isSmsSafe(s)).toBe(false);
  });

  it('requireSmsSafe refuses with VALIDATION_FAILED naming the field and why', () => {
    expect(requireSmsSafe('个人借条', 'title')).toBe('个人借条');
    const e = appErrorOf(() => requireSmsSafe('点击 evil.com 领取', 'title'));
    expect([e.code, e.details]).toEqual(['VALIDATION_FAILED', { fields: [{ field: 'title', rule: 'smsUnsafe', reasons: ['link'] }] }]);
  });

  it('property: any text with a scheme link or www. domain inside is never SMS-safe', () => {
    const around = fc.string({ unit: fc.constantFrom('借', '条', ' ', '，', '1'), maxLength: 10 });
    const host = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    fc.assert(
      fc.property(around, around, host, fc.constantFrom('http://', 'https://', 'www.'), fc.constantFrom('com', 'cn', 'top', 'xyz', 'io'), (a, b, h, prefix, tld) => {
        expect(isSmsSafe(`${a}${prefix}${h}.${tld}${b}`)).toBe(false);
      }),
    );
  });
});
