/**
 * WeChat subscription messages (订阅消息), the first channel of N1 when the user accepted one
 * (./subscriptions.ts): the field-value rules WeChat enforces, as data; the templates we pick from
 * WeChat's public library ("slots"); and the pure builder from an N1 event's facts to a message's
 * data. Imports the typed-text rules and the SMS templates' label builders only.
 *
 * Field rules: 订阅消息参数值内容限制说明 on
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html
 * (send answers 47003 "argument invalid! data.<key>.value invalid" when one is broken). The kind
 * of a field is the letters of its key: thing1 → thing, character_string2 → character_string.
 *
 * Slots: a mini-program adds templates from the public library in the MP console; each gets a
 * template id (config ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS: slot → id) and its own field keys. The keys
 * below are the ones of the library templates we intend ("合同签署提醒" …); when the console shows
 * other numbers for the picked template, change them here — the test holds every value against
 * the kind its key names.
 *
 * As in SMS, no typed text: titles are cleaned and SMS-safe (else the kind's name), reasons never
 * appear (the status says what happened; "原因详见小程序").
 */
import { normalizeTypedText, smsSafety } from '../rules/typed-text';
import { SUBSCRIBE_FIELD_RULES, checkSubscribeData, fieldKindOf, type SubscribeFieldKind, type SubscribeFieldRule } from '../ports/wechat-protocol';
import { ANSWER_LABELS, ASK_LABELS, shorten, type SmsTemplateId } from './sms-templates';


export type SubscribeSlot = 'sign_todo' | 'contract_result' | 'request_notice' | 'repayment' | 'report';

export interface SubscribeSlotDef {
  /** The library template's title as the MP console lists it. */
  readonly libraryTitle: string;
  /** Field key → what it holds (the console's 关键词). */
  readonly fields: Readonly<Record<string, string>>;
}

export const SUBSCRIBE_SLOTS: Readonly<Record<SubscribeSlot, SubscribeSlotDef>> = Object.freeze({
  sign_todo: { libraryTitle: '合同签署提醒', fields: { thing1: '合同名称', name2: '发起人', thing3: '待办事项', time4: '发起时间' } },
  contract_result: { libraryTitle: '合同状态变更通知', fields: { thing1: '合同名称', phrase2: '合同状态', name3: '操作人', time4: '变更时间', thing5: '备注' } },
  request_notice: { libraryTitle: '申请处理通知', fields: { thing1: '合同名称', phrase2: '申请类型', phrase3: '处理状态', name4: '申请人', time5: '申请时间' } },
  repayment: { libraryTitle: '还款提醒', fields: { thing1: '借条名称', date2: '还款日期', amount3: '本期金额', thing4: '温馨提示' } },
  report: { libraryTitle: '报告发送通知', fields: { thing1: '合同名称', phrase2: '发送状态', time3: '发送时间', thing4: '备注' } },
});

/** What an N1 event is about, as the notifier knows it. */
export interface EventFacts {
  title: string;
  /** The kind's name, said when the title is not safe to send ('个人借条'). */
  kindName?: string;
  /** The other party's verified name. */
  otherName?: string | null;
  /** When it happened. */
  at: Date;
  /** urge / invite: what the recipient is asked to do (keys of ASK_LABELS). */
  ask?: keyof typeof ASK_LABELS;
  /** *_answered: how the request was answered. */
  answer?: keyof typeof ANSWER_LABELS;
  /** repayment_due: the instalment's China day and amount. */
  day?: string;
  amountFen?: number;
}

/** '2026年11月29日 10:05' in China time. */
export const chinaTime = (at: Date): string => {
  const d = new Date(at.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
};

const thingTitle = (f: EventFacts): string => {
  const s = normalizeTypedText(f.title, false);
  return shorten(s !== '' && smsSafety(s).ok ? s : f.kindName ?? '合同', 20);
};
const personName = (n: string | null | undefined): string => {
  const s = normalizeTypedText(n ?? '', false).replace(/\d/g, '');
  return s === '' || !smsSafety(s).ok ? '对方' : shorten(s, 10);
};
const yuan = (fen: number): string => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const day = (d: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) throw new RangeError(`not a day: ${d}`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
};

const TODO: Readonly<Record<keyof typeof ASK_LABELS, string>> = { to_fill: '请补充信息并签署', to_sign: '请查看并签署', to_accept: '请确认领取收据' };

/**
 * The subscription message for an N1 event, or null where there is none (verification codes go
 * by SMS only). Every value passes SUBSCRIBE_FIELD_RULES for realistic facts (the test holds them).
 */
export const subscribeMessageFor = (event: SmsTemplateId, f: EventFacts): { slot: SubscribeSlot; data: Record<string, string> } | null => {
  const title = thingTitle(f);
  const who = personName(f.otherName);
  const at = chinaTime(f.at);
  const todo = (ask: keyof typeof ASK_LABELS) => ({ slot: 'sign_todo' as const, data: { thing1: title, name2: who, thing3: TODO[ask], time4: at } });
  const result = (state: string, note: string) => ({ slot: 'contract_result' as const, data: { thing1: title, phrase2: state, name3: who, time4: at, thing5: note } });
  const request = (type: '解除申请' | '结清申请', status: string) => ({ slot: 'request_notice' as const, data: { thing1: title, phrase2: type, phrase3: status, name4: who, time5: at } });
  const answered = (f.answer ?? 'confirm') === 'confirm' ? '已同意' : '已拒绝';
  switch (event) {
    case 'invite_fill':
      return todo('to_fill');
    case 'invite_sign':
    case 'ready_to_sign':
    case 'signed_by_other':
      return todo('to_sign');
    case 'invite_accept':
      return todo('to_accept');
    case 'urge':
      return todo(f.ask ?? 'to_sign');
    case 'contract_signed':
    case 'receipt_accepted':
    case 'receipt_signed':
      return result('已生效', '各方已签署完成');
    case 'receipt_refused':
      return result('已拒收', '原因详见小程序');
    case 'rejected':
      return result('已拒签', '原因详见小程序');
    case 'expired':
      return result('已过期', '未在期限内完成签署');
    case 'revoked':
      return result('已撤销', '发起人已撤销，无需处理');
    case 'invalidated':
      return result('已终止', '一方已更名，合同已终止');
    case 'rescind_requested':
      return request('解除申请', '待您确认');
    case 'rescind_answered':
      return request('解除申请', answered);
    case 'rescind_cancelled':
      return request('解除申请', '已撤回');
    case 'settle_requested':
      return request('结清申请', '待您确认');
    case 'settle_answered':
      return request('结清申请', answered);
    case 'settle_cancelled':
      return request('结清申请', '已撤回');
    case 'repayment_due':
      return { slot: 'repayment', data: { thing1: title, date2: day(f.day ?? '1970-01-01'), amount3: yuan(f.amountFen ?? 0), thing4: '请按约定按时还款' } };
    case 'report_sent':
      return { slot: 'report', data: { thing1: title, phrase2: '已发送', time3: at, thing4: '出证报告已发至您的邮箱' } };
    case 'repayment_recorded':
      return { slot: 'repayment', data: { thing1: title, date2: day(f.day ?? '1970-01-01'), amount3: yuan(f.amountFen ?? 0), thing4: '对方登记了还款，请核对确认' } };
    case 'extension_proposed':
      return result('展期待确认', '对方提出了新的还款计划');
    case 'demand_notice':
      return result('已催告', '出借人发送了书面通知');
    case 'ledger_cleared':
      return result('已还清', '可在小程序中办理结清');
    case 'verification_code':
    case 'phone_changed':
      // Account security: by SMS to the number itself, never a subscribe message to the mini-program.
      return null;
  }
};

export { SUBSCRIBE_FIELD_RULES, checkSubscribeData, fieldKindOf, type SubscribeFieldKind, type SubscribeFieldRule };
