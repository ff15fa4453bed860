/**
 * Personal data never reaches logs (DESIGN: ID numbers and phones masked in logs). Every log
 * record passes through `scrub`: fields whose names say what they hold are masked, and any string
 * that looks like a resident ID number or a mainland mobile is masked wherever it appears —
 * names of fields are not to be trusted alone (a phone can sit in a message or an error).
 */
const SECRET_KEY = /(secret|password|apiv3|privatekey|private_key|authorization|signature|token|biztoken|ticket)/i;
const PERSONAL_KEY = /(idnumber|idcard|id_card|phone|mobile)/i;
// 18-char ID (17 digits + digit/X) or 15-digit legacy ID; mobile 1[3-9]xxxxxxxxx. Word-ish boundaries so long ids in URLs are not eaten.
const ID_RE = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
// The country code is taken with it: the SMS provider's numbers are E.164 (+8613912345678), where no
// non-digit precedes the 1.
const PHONE_RE = /(?<!\d)(\+?86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

export const scrubText = (s: string): string => s.replace(ID_RE, '$1********$2').replace(PHONE_RE, '$1$2****$3');

export const scrub = (value: unknown, depth = 0): unknown => {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message), stack: scrubText(value.stack ?? '') };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k)) out[k] = '[redacted]';
      else if (PERSONAL_KEY.test(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = '[masked]';
      else out[k] = scrub(v, depth + 1);
    }
    return out;
  }
  return value;
};
