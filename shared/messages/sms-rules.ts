/**
 * Tencent Cloud SMS rules for mainland messages, as data, and the checks that apply them. What a
 * template may say and what its variables may hold is decided by Tencent's review and enforced by
 * SendSms; keeping the rules here lets a test hold every template and every value we would send
 * against them, instead of learning about a violation from a refused message in production.
 * Pure: imports only the typed-text rules.
 *
 * Sources (read 2025; the numbers change with carriers' rules — re-check when a review fails):
 * - 正文模板审核标准 https://cloud.tencent.com/document/product/382/39023 (updated 2025-06-17):
 *   total length incl. signature and variable values ≤ 500; no 【】; no ¥ ★ ^_^ & ☞ ✓ ※; links only
 *   ICP-filed and constant; variables {1}{2}… numbered from 1 without gaps; no template that is
 *   only variables; two variables never adjacent; no link (incl. short links) passed in a
 *   variable; verification-code variables at most 6 digits; other variables "as the console's
 *   template page says". The banned-content list names 催款, 金融, 传话/传信 and 联系个人手机号 —
 *   which is why our texts never relay what a user typed and never demand payment.
 * - 模板相关问题 https://cloud.tencent.com/document/product/382/13301: "非验证码短信：每个变量取值
 *   最多支持6个字符" (汉字、字母、数字、标点、空格 each count 1); SendSms answers a longer one with
 *   InvalidParameterValue.TemplateParameterLengthLimit. The older rule (382/40659, 2024: 12 for
 *   personally verified accounts, none for enterprises) no longer holds.
 * - 计费概述 https://cloud.tencent.com/document/product/382/18052 and 382/34671: a message of at
 *   most 70 characters is one billed SMS, a longer one is split into 67-character parts; every
 *   character (CJK, letter, digit, punctuation, space) counts 1, and the signature with its 【】
 *   counts too.
 * - 签名审核标准 (same 审核标准 section of the SMS docs; URL not verified here): the signature is
 *   2–12 characters of Chinese, letters or digits, shown as 【签名】 before the text.
 */
import { SMS_FORBIDDEN_CHARS, charCount, smsSafety } from '../rules/typed-text';

export const TENCENT_SMS_RULES = Object.freeze({
  /** 39023: 短信总长度(含签名和变量的实际取值)最长不超过500字. */
  maxMessageChars: 500,
  /** 18052: ≤ 70 characters is one SMS … */
  singleSmsChars: 70,
  /** … a longer one is billed in parts of 67. */
  longSmsPartChars: 67,
  /** 39023: 验证码短信 每个变量取值最多支持6位纯数字. */
  verificationCodeMaxDigits: 6,
  /** 13301: 非验证码短信 每个变量取值最多支持6个字符. */
  variableMaxChars: 6,
  /** 签名审核标准: 签名内容 2–12 个字, Chinese, letters, digits. */
  signature: { minChars: 2, maxChars: 12, pattern: /^[\u4E00-\u9FFFA-Za-z0-9]+$/ },
  /** 39023: characters refused anywhere in a template or a value. */
  forbiddenChars: SMS_FORBIDDEN_CHARS,
});

/** Our own budget on top of Tencent's: no message we send costs more than two SMS. */
export const MAX_SMS_PARTS = 2;

/** How many billed SMS a message of `chars` characters is. */
export const smsParts = (chars: number): number =>
  chars <= TENCENT_SMS_RULES.singleSmsChars ? 1 : Math.ceil(chars / TENCENT_SMS_RULES.longSmsPartChars);

/** The message as the phone shows it: 【signature】 + text. */
export const signedText = (signature: string, text: string): string => `【${signature}】${text}`;

export const checkSignature = (signature: string): string[] => {
  const { minChars, maxChars, pattern } = TENCENT_SMS_RULES.signature;
  const n = charCount(signature);
  const problems: string[] = [];
  if (n < minChars || n > maxChars) problems.push(`signature has ${n} characters, allowed ${minChars}–${maxChars}`);
  if (!pattern.test(signature)) problems.push('signature may hold only Chinese characters, letters and digits');
  return problems;
};

/** Placeholders of a template text in order of appearance: '{2}…{1}' → [2, 1]. */
export const placeholdersOf = (text: string): number[] => [...text.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));

/**
 * What Tencent's review would refuse in a template text (fixed part), as readable problems; [] is
 * a pass. Checked: numbering {1}…{n} in order of appearance, each once; no two variables adjacent;
 * not only variables; no forbidden character in the fixed text; at most the allowed length with
 * every variable at its maximum (`maxCharsOf(n)`).
 */
export const checkTemplateText = (text: string, kind: 'notification' | 'verification'): string[] => {
  const problems: string[] = [];
  const order = placeholdersOf(text);
  if (order.some((n, i) => n !== i + 1)) problems.push(`variables must be numbered {1}…{${order.length}} in order of appearance, got ${order.map((n) => `{${n}}`).join('')}`);
  if (/\}\s*\{/.test(text)) problems.push('two variables are adjacent');
  const fixed = text.replace(/\{\d+\}/g, '');
  if (fixed.trim() === '') problems.push('the template is only variables');
  for (const c of TENCENT_SMS_RULES.forbiddenChars) if (fixed.includes(c)) problems.push(`forbidden character ${c}`);
  if (kind === 'verification' && !/验证码|注册码|校验码|动态码/.test(fixed)) problems.push('a verification template names 验证码 (or 注册码/校验码/动态码)');
  if (kind === 'verification' && order.length !== 1) problems.push('a verification template has exactly one variable, the code');
  return problems;
};

/**
 * What SendSms or the review would refuse in one variable's value: over the length, a link, a
 * contact number, a forbidden or invisible character, empty. `kind` 'verification' allows 1–6
 * digits and nothing else.
 */
export const checkVariableValue = (value: string, kind: 'notification' | 'verification', maxChars = TENCENT_SMS_RULES.variableMaxChars): string[] => {
  if (kind === 'verification') {
    const max = TENCENT_SMS_RULES.verificationCodeMaxDigits;
    return new RegExp(`^\\d{1,${max}}$`).test(value) ? [] : [`a verification code is 1–${max} digits, got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  if (value === '') problems.push('empty value');
  const n = charCount(value);
  if (n > Math.min(maxChars, TENCENT_SMS_RULES.variableMaxChars)) problems.push(`${JSON.stringify(value)} has ${n} characters, allowed ${Math.min(maxChars, TENCENT_SMS_RULES.variableMaxChars)}`);
  const safety = smsSafety(value);
  if (!safety.ok) problems.push(`${JSON.stringify(value)} is not SMS-safe: ${safety.reasons.join(', ')}`);
  return problems;
};
