import fc from 'fast-check';
import { formatYuan, parseYuan, toCapital } from '../../shared/rules';
import { expectCode } from './helpers';

/**
 * An independent reader of capital amounts, back to fen: digits set a pending value, 拾/佰/仟
 * multiply it into the current section, 万 multiplies the section, 亿 closes everything above.
 * 零 and 整 carry no value. Used to check that toCapital(fen) reads back as fen.
 */
const DIGIT: Record<string, number> = { 零: 0, 壹: 1, 贰: 2, 叁: 3, 肆: 4, 伍: 5, 陆: 6, 柒: 7, 捌: 8, 玖: 9 };
const SMALL: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
const readInteger = (s: string): number => {
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in DIGIT) digit = DIGIT[ch]!;
    else if (ch in SMALL) {
      section += digit * SMALL[ch]!;
      digit = 0;
    } else if (ch === '万') {
      section = (section + digit) * 10000;
      digit = 0;
    } else if (ch === '亿') {
      total = (total + section + digit) * 100000000;
      section = 0;
      digit = 0;
    } else throw new Error(`unexpected ${ch} in ${s}`);
  }
  return total + section + digit;
};
const capitalToFen = (cap: string): number => {
  const body = cap.replace(/整$/, '');
  const [intPart, rest] = body.includes('元') ? (body.split('元') as [string, string]) : ['', body];
  const jiao = /([壹贰叁肆伍陆柒捌玖])角/.exec(rest);
  const fen = /([壹贰叁肆伍陆柒捌玖])分/.exec(rest);
  return readInteger(intPart) * 100 + (jiao ? DIGIT[jiao[1]!]! * 10 : 0) + (fen ? DIGIT[fen[1]!]! : 0);
};

describe('I2 money: parseYuan (strict decimal yuan → integer fen)', () => {
  it.each([
    ['100000', 10_000_000],
    ['100000.5', 10_000_050],
    ['100000.50', 10_000_050],
    ['500000.00', 50_000_000],
    ['500000.01', 50_000_001],
    ['0', 0],
    ['0.01', 1],
    ['0.29', 29], // 0.29 * 100 is 28.999… in floating point
    ['1.1', 110],
    ['19.99', 1999],
    [' 12.34 ', 1234],
    ['9999999999999.99', 999_999_999_999_999],
  ])('parseYuan(%p) = %i', (s, fen) => {
    expect(parseYuan(s)).toBe(fen);
  });

  it.each([
    ['', 'empty'],
    ['  ', 'blank'],
    ['1.234', 'three decimals'],
    ['100000.001', 'three decimals'],
    ['-1', 'negative'],
    ['-0.01', 'negative'],
    ['+1', 'plus sign'],
    ['1e5', 'exponent'],
    ['1E5', 'exponent'],
    ['100,000.00', 'thousands separator'],
    ['.5', 'no integer part'],
    ['5.', 'no decimals after the point'],
    ['007', 'leading zeros'],
    ['1 000', 'inner space'],
    ['１００', 'fullwidth digits'],
    ['0x10', 'hex'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['¥100', 'currency sign'],
    ['10000000000000', 'beyond 13 integer digits'],
  ])('parseYuan(%p) refuses (%s) with INVALID_AMOUNT', (s) => {
    expectCode(() => parseYuan(s), 'INVALID_AMOUNT');
  });

  it.each([[undefined], [null], [100]])('parseYuan refuses a non-string %p', (s) => {
    expectCode(() => parseYuan(s), 'INVALID_AMOUNT');
  });

  it('round-trips with formatYuan for any amount up to 1e13 fen', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10_000_000_000_000n }).map(Number), (fen) => {
        expect(parseYuan(formatYuan(fen).replace(/,/g, ''))).toBe(fen);
      }),
    );
  });
});

describe('I2 money: formatYuan', () => {
  it.each([
    [10_000_000, '100,000.00'],
    [50_000_001, '500,000.01'],
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [99_999, '999.99'],
    [100_000, '1,000.00'],
    [100_000_000_000, '1,000,000,000.00'],
    [-12_345, '-123.45'],
  ])('formatYuan(%i) = %s', (fen, s) => {
    expect(formatYuan(fen)).toBe(s);
  });

  it.each([[1.5], [NaN], [Infinity], [2 ** 53]])('refuses %p with INVALID_AMOUNT', (fen) => {
    expectCode(() => formatYuan(fen), 'INVALID_AMOUNT');
  });
});

describe('I2 money: toCapital (中文大写, PBoC 《支付结算办法》 rules)', () => {
  it.each([
    // examples of the brief
    [10_000_000, '壹拾万元整'],
    [600_714, '陆仟零柒元壹角肆分'],
    [10_005, '壹佰元零伍分'],
    [10_050, '壹佰元伍角'],
    [0, '零元整'],
    [1, '壹分'],
    [100_000_000_000, '壹拾亿元整'],
    [1_000_001_000, '壹仟万零壹拾元整'],
    // examples of 《正确填写票据和结算凭证的基本规定》 (choosing "no 零" where either is allowed)
    [140_950, '壹仟肆佰零玖元伍角'],
    [168_032, '壹仟陆佰捌拾元叁角贰分'],
    [10_700_053, '壹拾万柒仟元伍角叁分'],
    [1_640_902, '壹万陆仟肆佰零玖元零贰分'],
    [32_504, '叁佰贰拾伍元零肆分'],
    // more zeros and section boundaries
    [10, '壹角'],
    [11, '壹角壹分'],
    [100, '壹元整'],
    [105, '壹元零伍分'],
    [1_000, '壹拾元整'],
    [1_100, '壹拾壹元整'],
    [10_100, '壹佰零壹元整'],
    [100_100, '壹仟零壹元整'],
    [1_000_000, '壹万元整'],
    [1_000_100, '壹万零壹元整'],
    [1_010_000, '壹万零壹佰元整'],
    [1_100_000, '壹万壹仟元整'],
    [2_000_000_000, '贰仟万元整'],
    [10_000_000_000, '壹亿元整'],
    [10_000_000_100, '壹亿零壹元整'],
    [10_000_100_000, '壹亿零壹仟元整'],
    [10_010_000_000, '壹亿零壹拾万元整'],
    [11_000_000_000, '壹亿壹仟万元整'],
    [50_000_000, '伍拾万元整'],
    [50_000_001, '伍拾万元零壹分'],
    [12_345_678_901, '壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分'],
    [99_999_999_999, '玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    [100_000_000_000_000, '壹万亿元整'],
    [100_000_000_000_100, '壹万亿零壹元整'],
    [Number.MAX_SAFE_INTEGER, '玖拾万亿零柒佰壹拾玖亿玖仟贰佰伍拾肆万柒仟肆佰零玖元玖角壹分'] // 90,0719,9254,7409.91,
  ])('toCapital(%i) = %s', (fen, cap) => {
    expect(toCapital(fen)).toBe(cap);
  });

  it.each([[-1], [1.5], [NaN], [2 ** 53]])('refuses %p with INVALID_AMOUNT', (fen) => {
    expectCode(() => toCapital(fen), 'INVALID_AMOUNT');
  });

  /** Checks toCapital's output reads back as the same fen and has the canonical shape. */
  const checkCanonical = (fen: number): void => {
    const cap = toCapital(fen);
    expect(capitalToFen(cap)).toBe(fen);
    if (fen === 0) return;
    expect(cap).not.toMatch(/零零/); // consecutive zeros are one 零
    expect(cap).not.toMatch(/^零/); // never starts with 零
    expect(cap).not.toMatch(/零[元万亿整角]/); // no 零 before a unit of its own
    expect(cap).not.toMatch(/(^|[^壹贰叁肆伍陆柒捌玖])拾/); // 拾 always has its digit (壹拾)
    // 整 exactly when there are no 角/分; no 整 after 角 (our choice); never after 分
    expect(cap.endsWith('整')).toBe(fen % 100 === 0);
    expect(cap.endsWith('分')).toBe(fen % 10 !== 0);
    expect(cap.endsWith('角')).toBe(fen % 10 === 0 && fen % 100 !== 0);
    // PBoC rule (四): 角 zero and 分 not → 零 after 元
    if (fen >= 100 && Math.floor(fen / 10) % 10 === 0 && fen % 10 !== 0) expect(cap).toMatch(/元零[壹贰叁肆伍陆柒捌玖]分$/);
    expect(cap.includes('元')).toBe(fen >= 100);
  };

  it('reads back to the same fen, canonically, for any amount 0..1e11 fen', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 100_000_000_000n }).map(Number), checkCanonical), { numRuns: 5000 });
  });

  it('reads back for zero-heavy amounts (where the 零 rules matter)', () => {
    const digits = fc.array(fc.constantFrom(0, 0, 0, 0, 1, 5, 9), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(digits, (ds) => checkCanonical(Number(ds.join('')) % 100_000_000_001)),
      { numRuns: 5000 },
    );
  });

  it('reads back for every amount 0..200,000 fen (exhaustive)', () => {
    const wrong: number[] = [];
    for (let fen = 0; fen <= 200_000; fen++) if (capitalToFen(toCapital(fen)) !== fen) wrong.push(fen);
    expect(wrong).toEqual([]);
  });
});
