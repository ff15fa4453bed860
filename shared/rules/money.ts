/**
 * Money (I2, R1, F). Every amount in the system is an integer number of fen (分, 0.01 CNY): no
 * floating-point yuan is ever stored or summed, so a repayment plan adds up exactly and the
 * WeChat Pay `amount.total` (fen) is the stored number itself. Yuan strings exist only at the
 * edges: parsing what a person typed (`parseYuan`) and showing amounts (`formatYuan`,
 * `toCapital`).
 */
import { fail } from '../errors';

/**
 * A decimal yuan amount as typed: digits, no leading zeros (except '0'), optionally '.' and one or
 * two decimals. At most 13 integer digits so that the fen value stays a safe integer.
 */
const YUAN_RE = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/**
 * '100000' → 10000000, '100000.5' → 10000050, '100000.50' → 10000050.
 * Strict on purpose — an amount on a contract must mean one thing: refuses more than two
 * decimals (no silent rounding), signs, exponents ('1e5'), thousands separators, '.5', '5.',
 * fullwidth digits and the empty string, with INVALID_AMOUNT. Only surrounding whitespace is
 * ignored. Zero parses to 0; whether 0 is allowed is the caller's rule (I2 refuses it).
 */
export const parseYuan = (s: unknown): number => {
  if (typeof s !== 'string') return fail('INVALID_AMOUNT');
  const m = YUAN_RE.exec(s.trim());
  if (!m) return fail('INVALID_AMOUNT');
  const frac = (m[2] ?? '').padEnd(2, '0');
  // Integer arithmetic on both parts: Number('0.29') * 100 would be 28.999999999999996.
  return Number(m[1]) * 100 + Number(frac);
};

const assertFen = (fen: number): void => {
  if (!Number.isSafeInteger(fen)) fail('INVALID_AMOUNT');
};

/** 10000000 → '100,000.00'; negative amounts (refunds) get a leading '-'. */
export const formatYuan = (fen: number): string => {
  assertFen(fen);
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}${yuan}.${String(abs % 100).padStart(2, '0')}`;
};

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const IN_SECTION = ['', '拾', '佰', '仟'] as const;
/** Units of the 4-digit sections, lowest first. 9,007,199,254,740,991 fen fits in 万亿. */
const SECTIONS = ['', '万', '亿', '万亿'] as const;

/** 1..9999 → e.g. 6007 → '陆仟零柒', 10 → '壹拾'. Inner zeros collapse to one 零; trailing zeros vanish. */
const sectionText = (n: number): string => {
  let out = '';
  let zero = false;
  for (let p = 3; p >= 0; p--) {
    const d = Math.floor(n / 10 ** p) % 10;
    if (d === 0) {
      if (out) zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += DIGITS[d]! + IN_SECTION[p]!;
  }
  return out;
};

/**
 * A positive whole yuan amount in capitals, without '元'. Between sections one 零 is written when
 * the lower non-zero section does not fill its thousands place or whole sections were skipped:
 * 10000010 → '壹仟万零壹拾', 100001000 → '壹亿零壹仟', 107000 → '壹拾万柒仟'.
 */
const integerText = (yuan: number): string => {
  const sections: number[] = [];
  for (let v = yuan; v > 0; v = Math.floor(v / 10000)) sections.push(v % 10000);
  let out = '';
  let skipped = false;
  for (let i = sections.length - 1; i >= 0; i--) {
    const s = sections[i]!;
    if (s === 0) {
      if (out) skipped = true;
      continue;
    }
    if (out && (skipped || s < 1000)) out += '零';
    skipped = false;
    out += sectionText(s) + SECTIONS[i]!;
  }
  return out;
};

/**
 * The Chinese capital amount (中文大写金额) printed next to the figures on IOUs and receipts (I2),
 * following the PBoC 《支付结算办法》(银发〔1997〕393号) 附件一《正确填写票据和结算凭证的基本规定》:
 *  - '整' is written after '元' when the amount is whole yuan; after '角' the rules allow either,
 *    and we write none ('壹佰元伍角'); never after '分'.
 *  - a zero inside the number is written '零', several consecutive zeros as one '零'
 *    ('陆仟零柒元壹角肆分' for 6,007.14);
 *  - when the 元 (or 万) place is zero but the next place is not, the rules allow one '零' or none;
 *    we write none: 1,680.32 → '壹仟陆佰捌拾元叁角贰分', 107,000.53 → '壹拾万柒仟元伍角叁分';
 *  - when 角 is zero and 分 is not, '零' is required after '元': 16,409.02 → '壹万陆仟肆佰零玖元零贰分'.
 * '拾' is always preceded by a digit ('壹拾万', not '拾万') so nothing can be prepended, as on
 * cheques. The '人民币' prefix is left to the document template. Amounts below one yuan have no
 * '元' part ('伍角', '壹分'); 0 is '零元整'. Throws INVALID_AMOUNT for negative or non-integer fen.
 */
export const toCapital = (fen: number): string => {
  assertFen(fen);
  if (fen < 0) fail('INVALID_AMOUNT');
  if (fen === 0) return '零元整';
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const fen1 = fen % 10;
  let out = yuan > 0 ? `${integerText(yuan)}元` : '';
  if (jiao === 0 && fen1 === 0) return `${out}整`;
  if (jiao > 0) out += `${DIGITS[jiao]!}角`;
  else if (yuan > 0) out += '零';
  if (fen1 > 0) out += `${DIGITS[fen1]!}分`;
  return out;
};
