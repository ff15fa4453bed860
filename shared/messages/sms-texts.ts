/**
 * The text of each SMS template, as registered with the SMS provider (Tencent Cloud SMS templates
 * take positional parameters {1}, {2}…). The local outbox renders the same text so what a
 * developer reads is what a user would receive.
 */
import type { SmsTemplate } from '../ports/sms';

export const SMS_TEXTS: Record<SmsTemplate, string> = {
  invite_fill: '{1}邀请您补充并签署《{2}》，请在微信小程序“电子签”中打开：{3}',
  invite_sign: '{1}邀请您签署《{2}》，请在微信小程序“电子签”中查看并签署：{3}',
  invite_accept: '{1}向您开具了《{2}》，请在微信小程序“电子签”中查看并确认领取：{3}',
  receipt_accepted: '{1}已确认领取您开具的《{2}》，收据已生效。',
  receipt_refused: '{1}拒绝领取您开具的《{2}》，理由：{3}。收据流程已终止。',
  receipt_signed: '{1}已签署您确认开具的《{2}》，收据已生效。',
  ready_to_sign: '{1}已确认签署信息，请您尽快签署《{2}》：{3}',
  signed_by_other: '{1}已签署《{2}》，请您尽快完成签署。',
  contract_signed: '《{2}》已由{1}完成签署，合同已生效。',
  rejected: '{1}拒绝签署《{2}》，理由：{3}。流程已终止。',
  expired: '《{1}》在30天内未完成签署，已过期。',
  revoked: '{1}已撤销《{2}》。',
  rescind_requested: '{1}申请解除《{2}》，原因：{3}。请在小程序中确认或拒绝。',
  rescind_answered: '{1}已{3}您解除《{2}》的申请。',
  settle_requested: '{1}申请结清《{2}》，原因：{3}。请在小程序中确认或拒绝。',
  settle_answered: '{1}已{3}您结清《{2}》的申请。',
  repayment_due: '您的《{2}》今日（{3}）有一期还款{4}元到期，请按约定向{1}还款。',
  urge: '{1}提醒您尽快处理《{2}》：{3}，请在微信小程序“电子签”中打开：{4}',
  report_sent: '《{1}》的出证报告已发送至您的邮箱{2}。',
  verification_code: '您的验证码为{1}，5分钟内有效，请勿泄露给他人。',
  phone_changed: '您的电子签账号绑定的手机号已更换，本号码将不再接收合同通知。如非本人操作，请立即联系客服。',
};

/** How many parameters a template takes: the provider refuses a message with more or fewer. */
export const smsParamCount = (template: SmsTemplate): number => new Set(SMS_TEXTS[template].match(/\{\d+\}/g) ?? []).size;

export const renderSms = (template: SmsTemplate, params: readonly string[]): string =>
  SMS_TEXTS[template].replace(/\{(\d+)\}/g, (_, n: string) => params[Number(n) - 1] ?? '');
