/**
 * WeChat's own protocol facts that both the WeChat adapters and the product's message builders
 * need: the value rules of subscription-message fields (订阅消息参数值内容限制说明 on
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html;
 * send answers 47003 when one is broken), and what the local stand-in's QR code and URL Links
 * carry. Facts about the provider, not product rules, so they sit beside the port that adapters
 * may import. Imports nothing.
 */
export type SubscribeFieldKind =
  | 'thing' | 'number' | 'letter' | 'symbol' | 'character_string' | 'time' | 'date'
  | 'amount' | 'phone_number' | 'car_number' | 'name' | 'phrase';

const HAN = String.raw`\u3400-\u4DBF\u4E00-\u9FFF`;
const DATE = String.raw`(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})`;
const TIME = String.raw`\d{1,2}:\d{2}(?::\d{2})?`;
const cps = (v: string): number => [...v].length;
/** "不能带有换行等控制字符" — no value may hold a control or line-break character. */
const noControl = (v: string): boolean => !/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/.test(v);
const range = (one: string): RegExp => new RegExp(`^${one}(?:~${one})?$`);

export interface SubscribeFieldRule {
  /** WeChat's wording. */
  readonly rule: string;
  readonly test: (value: string) => boolean;
}

/** 订阅消息参数值内容限制说明, one rule per kind. */
export const SUBSCRIBE_FIELD_RULES: Readonly<Record<SubscribeFieldKind, SubscribeFieldRule>> = Object.freeze({
  thing: { rule: '20个以内字符，可汉字、数字、字母或符号组合', test: (v) => cps(v) >= 1 && cps(v) <= 20 },
  number: { rule: '32位以内数字，只能数字，可带小数', test: (v) => /^\d+(?:\.\d+)?$/.test(v) && v.replace('.', '').length <= 32 },
  letter: { rule: '32位以内字母', test: (v) => /^[A-Za-z]{1,32}$/.test(v) },
  symbol: { rule: '5位以内符号', test: (v) => cps(v) >= 1 && cps(v) <= 5 && !new RegExp(`[0-9A-Za-z${HAN}\\s]`).test(v) },
  character_string: { rule: '32位以内数字、字母或符号', test: (v) => /^[\x21-\x7E]{1,32}$/.test(v) },
  time: { rule: '24小时制时间格式（支持+年月日），支持填时间段，两个时间点之间用“~”符号连接', test: (v) => range(`(?:${DATE} )?${TIME}`).test(v) },
  date: { rule: '年月日格式（支持+24小时制时间），支持填时间段，两个时间点之间用“~”符号连接', test: (v) => range(`${DATE}(?: ${TIME})?`).test(v) },
  amount: { rule: '1个币种符号+10位以内纯数字，可带小数，结尾可带“元”', test: (v) => /^[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?$/.test(v) },
  phone_number: { rule: '17位以内，数字、符号', test: (v) => /^[\d+\-() ]{1,17}$/.test(v) },
  car_number: { rule: '8位以内，第一位与最后一位可为汉字，其余为字母或数字', test: (v) => new RegExp(`^[${HAN}A-Za-z0-9][A-Za-z0-9]{0,6}[${HAN}A-Za-z0-9]?$`).test(v) && cps(v) <= 8 },
  name: {
    rule: '10个以内纯汉字或20个以内纯字母或符号；中文和字母混合按中文名算，10个字内',
    test: (v) => (new RegExp(`[${HAN}]`).test(v) ? cps(v) <= 10 : cps(v) <= 20) && cps(v) >= 1 && !/\d/.test(v),
  },
  phrase: { rule: '5个以内纯汉字', test: (v) => new RegExp(`^[${HAN}]{1,5}$`).test(v) },
});

/** The kind a field key names: 'character_string12' → 'character_string'; null for an unknown one. */
export const fieldKindOf = (key: string): SubscribeFieldKind | null => {
  const m = /^([a-z_]+?)(\d+)$/.exec(key);
  return m && m[1]! in SUBSCRIBE_FIELD_RULES ? (m[1] as SubscribeFieldKind) : null;
};

/** Problems with a message's data ([] = WeChat would accept it). */
export const checkSubscribeData = (data: Readonly<Record<string, string>>): string[] => {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    const kind = fieldKindOf(key);
    if (!kind) problems.push(`${key}: unknown field kind`);
    else if (!noControl(value) || !SUBSCRIBE_FIELD_RULES[kind].test(value)) problems.push(`${key}: ${JSON.stringify(value)} breaks ${kind} (${SUBSCRIBE_FIELD_RULES[kind].rule})`);
  }
  return problems;
};

/**
 * What the local adapter's QR code encodes: what the mini-program page receives, `page?scene=…`
 * (a real 小程序码 is WeChat's proprietary round code that only WeChat reads).
 */
export const localCodeContent = (page: string, scene: string): string => `${page}?scene=${encodeURIComponent(scene)}`;

/** The inverse of localCodeContent: {page, scene}, or null for anything else. */
export const parseLocalCodeContent = (text: string): { page: string; scene: string } | null => {
  const m = /^([A-Za-z0-9_/-]+)\?scene=([^&]*)$/.exec(text);
  if (!m) return null;
  try {
    return { page: m[1]!, scene: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
};

/** The local adapter's URL Link, stored so the emulator can answer /_emulator/urllink/<id>. */
export interface LocalUrlLinkDoc {
  _id: string;
  path: string;
  query: string;
  createdAt: string;
  expiresAt: string;
  version?: number;
  [k: string]: unknown;
}

/** The address the emulator serves a local URL Link at. */
export const localUrlLinkUrl = (baseUrl: string, id: string): string => `${baseUrl.replace(/\/+$/, '')}/_emulator/urllink/${encodeURIComponent(id)}`;

/** The id in a local URL Link's address, or null when the address is not one. */
export const localUrlLinkId = (url: string): string | null => {
  const m = /\/_emulator\/urllink\/([A-Za-z0-9_-]{8,64})$/.exec(url);
  return m ? m[1]! : null;
};

