/**
 * Text people type (M3): reasons (拒签/解除/结清/拒绝领取), contract names of own files, the IOU's
 * purpose (借款事由), names entered for another party. Pure: no I/O, imports only the error table.
 *
 * `cleanTypedText(raw, kind, field)` is what every operation applies before storing typed text:
 * - Unicode NFC (so the same name typed on two phones compares equal) — not NFKC, which would
 *   rewrite what the user wrote (full-width punctuation, ①…).
 * - Invisible and direction-changing characters removed: zero-width space/joiners U+200B–U+200D,
 *   BOM U+FEFF, word joiner U+2060 and the invisible operators U+2061–U+2064, LRM/RLM/ALM
 *   U+200E/U+200F/U+061C, the bidi embeddings and overrides U+202A–U+202E and isolates
 *   U+2066–U+2069 (they make "《借条》" display as something else: "Trojan Source"), Unicode tag
 *   characters U+E0000–U+E007F, soft hyphen U+00AD, and unpaired surrogates.
 * - Control characters (C0, DEL, C1) removed, except that multi-line kinds keep line breaks
 *   (CR LF / CR / U+2028 / U+2029 become LF, at most one empty line in a row); in one-line kinds
 *   every line break or tab becomes a space and runs of spaces become one.
 * - Trimmed (String.prototype.trim also removes U+3000, the ideographic space an IME types).
 * - Empty or whitespace-only → VALIDATION_FAILED {fields:[{field, rule:'required'}]} ("理由：   " never again).
 * - Longer than the kind's maximum, counted in code points as a person counts characters →
 *   VALIDATION_FAILED {fields:[{field, rule:'maxLength', max}]}. Refused, never silently cut: a reason cut
 *   in the middle may say the opposite of what was meant.
 *
 * `smsSafety(value)` says whether a value may ever appear in an SMS or subscription message:
 * no link or domain (Tencent Cloud SMS refuses links in variables, and a link in someone else's
 * SMS is a phishing channel), no contact number (a run of 7+ digits: phone/QQ), none of the
 * characters the SMS rules forbid (【】 would fake a signature). Typed reasons never go out at all
 * (shared/messages/sms-templates.ts renders a picked label or "详见小程序"); contract names do,
 * shortened, so operations refuse a name that is not SMS-safe where it is typed (`requireSmsSafe`).
 */
import { fail } from '../errors';

export type TypedTextKind = 'reason' | 'purpose' | 'contractTitle' | 'personName';

export interface TypedTextRule {
  /** Maximum length in code points after cleaning. */
  readonly max: number;
  /** Line breaks kept (a reason typed in a textarea), else folded into spaces. */
  readonly multiline: boolean;
}

/**
 * The maxima match the functions' JSON Schemas (reason 200 in contract-reject / rescind-* /
 * settle-*, purpose 100 in templates/iou, name 30 in contract-create) so a schema-valid value is
 * refused here only for what cleaning cannot fix.
 */
export const TYPED_TEXT_RULES: Readonly<Record<TypedTextKind, TypedTextRule>> = Object.freeze({
  reason: { max: 200, multiline: true },
  purpose: { max: 100, multiline: false },
  contractTitle: { max: 50, multiline: false },
  personName: { max: 30, multiline: false },
});

/** Characters removed wherever they appear (see the header for why each group). */
const INVISIBLE_SRC = String.raw`[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]`;
/** C0 except TAB/LF/CR (handled as whitespace), DEL and C1. */
const CONTROL_SRC = String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]`;
const INVISIBLE_ALL = new RegExp(INVISIBLE_SRC, 'g');
const CONTROL_ALL = new RegExp(CONTROL_SRC, 'g');
const HAS_INVISIBLE = new RegExp(INVISIBLE_SRC);
const HAS_CONTROL = new RegExp(CONTROL_SRC);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAK = /\r\n|[\r\u2028\u2029]/g;

/** Length as a person counts it: code points (an emoji or a rare 𠮷 is one). */
export const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * The cleaning alone, without the required/maximum checks: what `cleanTypedText` stores. Also
 * used on text that is not typed but may have passed through a user (a verified name).
 */
export const normalizeTypedText = (raw: string, multiline: boolean): string => {
  let s = raw.replace(LONE_SURROGATE, '').normalize('NFC').replace(INVISIBLE_ALL, '').replace(LINE_BREAK, '\n').replace(CONTROL_ALL, '');
  if (multiline) {
    s = s
      .split('\n')
      .map((line) => line.replace(/\t/g, ' ').replace(/[^\S\n]+$/u, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n');
  } else {
    s = s.replace(/\s+/gu, ' ');
  }
  return s.trim();
};

/** Cleans typed text of `kind` and checks it; `field` names the input in the error's details. */
export const cleanTypedText = (raw: unknown, kind: TypedTextKind, field: string): string => {
  if (typeof raw !== 'string') return fail('VALIDATION_FAILED', undefined, { fields: [{ field, rule: 'type' }] });
  const rule = TYPED_TEXT_RULES[kind];
  const s = normalizeTypedText(raw, rule.multiline);
  if (s === '') return fail('VALIDATION_FAILED', '请填写内容，不能只有空格', { fields: [{ field, rule: 'required' }] });
  if (charCount(s) > rule.max) return fail('VALIDATION_FAILED', `内容不能超过${rule.max}个字`, { fields: [{ field, rule: 'maxLength', max: rule.max }] });
  return s;
};

/**
 * Every string in a contract's form (a template's fields: 借款事由, addresses, 其他约定…) cleaned as
 * typed text before the form's schema checks it, so what is rendered and signed carries no
 * invisible or direction-changing character; a value typed on several lines keeps its lines.
 */
export const cleanFormText = <T>(value: T): T => {
  if (typeof value === 'string') return normalizeTypedText(value, /[\r\n\u2028\u2029]/.test(value)) as T;
  if (Array.isArray(value)) return value.map(cleanFormText) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanFormText(v)])) as T;
  return value;
};

/** As cleanTypedText, but an absent value (undefined) stays absent: optional inputs. */
export const cleanOptionalTypedText = (raw: unknown, kind: TypedTextKind, field: string): string | undefined =>
  raw === undefined ? undefined : cleanTypedText(raw, kind, field);

export type SmsUnsafeReason = 'link' | 'contact' | 'forbiddenChar' | 'invisible';

/**
 * Characters Tencent Cloud SMS refuses anywhere in a message (正文模板审核标准,
 * https://cloud.tencent.com/document/product/382/39023: 不支持【】, 不支持¥、★ 以及 ^_^&、☞、✓、※),
 * plus the braces that delimit template variables. shared/messages/sms-rules.ts cites the same list.
 */
export const SMS_FORBIDDEN_CHARS: readonly string[] = Object.freeze(['【', '】', '¥', '￥', '★', '☞', '✓', '※', '&', '^', '{', '}']);

/** Dots as people type them to slip a domain past a filter: ． 。 ｡ ・ and a spelled-out "点"/"dot". */
const ANY_DOT = String.raw`\s*(?:[.．。｡・]|点|dot)\s*`;
/** Top-level domains: any two letters (country codes), or a generic one common in spam. */
const TLD = String.raw`(?:[a-z]{2}|com|net|org|info|biz|top|xyz|site|online|vip|shop|club|app|dev|link|live|pro|cloud|store|tech|fun|icu|ltd|work|wang|ren|mobi|asia|life|space|website|press|group|love|email|click|today|world|news|run|plus|red|kim|pub|ink|mom|cyou|bond|sbs|cfd|rest|中国|公司|网络)`;
const ASCII_LABEL = String.raw`[a-z0-9][a-z0-9-]*`;
/** An internationalised label (百度.com): only with a real dot, or "收到了。ok" would be a domain. */
const ANY_LABEL = String.raw`[\p{L}\p{N}][\p{L}\p{N}-]*`;
const LINK_PATTERNS: readonly RegExp[] = [
  /[a-z][a-z0-9+.-]*:\/\//i, // any scheme://
  /(?<![a-z0-9])(?:www|wap)\s*[.．。｡]/i,
  new RegExp(String.raw`${ASCII_LABEL}(?:${ANY_DOT}${ASCII_LABEL})*${ANY_DOT}${TLD}(?![a-z])`, 'i'),
  new RegExp(String.raw`${ANY_LABEL}(?:\.${ANY_LABEL})*\.${TLD}(?![a-z])`, 'iu'),
  /(?<!\d)\d{1,3}(?:\.\d{1,3}){3}(?!\d)/, // an IP address
];
/** Dates are digits in a row too; they are not a contact number. */
const DATE_LIKE = /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?/g;

/**
 * Whether `value` may appear in an SMS or a subscription message, and if not, why. Checked on the
 * NFKC form so full-width ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ and ① are caught as what they look like.
 * False positives (a title "node.js 开发合同") are acceptable: the user renames the contract;
 * a false negative is someone's phishing link in a message signed with our name.
 */
export const smsSafety = (value: string): { ok: true } | { ok: false; reasons: SmsUnsafeReason[] } => {
  const reasons = new Set<SmsUnsafeReason>();
  if (HAS_INVISIBLE.test(value) || HAS_CONTROL.test(value) || /[\n\r\t\u2028\u2029]/.test(value)) reasons.add('invisible');
  const folded = value.normalize('NFKC');
  if (LINK_PATTERNS.some((re) => re.test(folded))) reasons.add('link');
  if (/\d(?:[\s-]*\d){6,}/.test(folded.replace(DATE_LIKE, ' '))) reasons.add('contact');
  if (SMS_FORBIDDEN_CHARS.some((c) => value.includes(c) || folded.includes(c))) reasons.add('forbiddenChar');
  return reasons.size === 0 ? { ok: true } : { ok: false, reasons: [...reasons] };
};

export const isSmsSafe = (value: string): boolean => smsSafety(value).ok;

/**
 * For typed text that will be named in SMS or subscription messages (a contract's title):
 * refused where it is typed, VALIDATION_FAILED {fields:[{field, rule:'smsUnsafe', reasons}]}.
 */
export const requireSmsSafe = (value: string, field: string): string => {
  const r = smsSafety(value);
  if (!r.ok) return fail('VALIDATION_FAILED', '名称中不能包含网址、联系方式或特殊符号', { fields: [{ field, rule: 'smsUnsafe', reasons: r.reasons }] });
  return value;
};
