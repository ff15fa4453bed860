/**
 * The text of each SMS template exactly as registered with Tencent Cloud SMS (positional
 * parameters {1}, {2}…): ./sms-templates.ts's texts with this deployment's constants
 * (config/messages.json `sms`). The adapters read it (the local outbox renders what a user would
 * receive; the Tencent adapter logs it), so it holds no product rule of its own.
 */
import messages from '../../config/messages.json';
import type { SmsTemplate } from '../ports/sms';
import { SMS_TEMPLATE_IDS, registeredText } from './sms-templates';

export const SMS_TEXTS: Record<SmsTemplate, string> = Object.fromEntries(SMS_TEMPLATE_IDS.map((id) => [id, registeredText(id, messages.sms)])) as Record<SmsTemplate, string>;

/** How many parameters a template takes: the provider refuses a message with more or fewer. */
export const smsParamCount = (template: SmsTemplate): number => new Set(SMS_TEXTS[template].match(/\{\d+\}/g) ?? []).size;

export const renderSms = (template: SmsTemplate, params: readonly string[]): string =>
  SMS_TEXTS[template].replace(/\{(\d+)\}/g, (_, n: string) => params[Number(n) - 1] ?? '');
