/**
 * The SMS templates, as data: one per N1 event, each with the text registered at the Tencent
 * Cloud SMS console, its parameters in order with each parameter's kind, and the pure functions
 * that turn contract facts into parameter values that pass Tencent's rules (./sms-rules.ts).
 * Imports the typed-text rules, the SMS rules and the Sms port's template names only.
 *
 * Why the texts look the way they do:
 * - A variable holds at most 6 characters (sms-rules.ts). So a name or a contract title is
 *   shortened (`smsName`, `smsTitle`: 5 characters and "…"), a date is "12月31日", and amounts
 *   and e-mail addresses are not in any SMS (the mini-program shows them; Tencent also refuses
 *   payment-demanding, 催款-like wording).
 * - No user-typed text is ever a parameter: a reason is its picked label when the user picked one
 *   (`PICKED_REASONS`), else "详见小程序"; a title is shown only when SMS-safe (else the kind's
 *   name); Tencent's review bans relaying users' messages (传话/传信) and links in variables.
 * - Links are constant (39023: 链接只能是已 ICP 备案的网址，且必须为常量): `$LINK` is the
 *   deployment's fixed, ICP-filed page that opens the mini-program (config/messages.json
 *   `sms.openLink`), where the recipient finds the contract under 待我处理 — the invited person's
 *   phone and ID number are on it (P2 我来填), so no per-contract link is needed in an SMS. The
 *   per-contract URL Link and 小程序码 come from `contract-share` for the initiator to pass on.
 * - `$APP` is the mini-program's name. Both are fixed per deployment and part of the text that is
 *   registered (`registeredText`), so the approved template and what we send cannot drift.
 * - Variables are numbered by order of appearance and never adjacent (sms-rules.ts checks).
 *
 * Template ids: the console numbers each approved template; the deployment maps our ids to them
 * in ESIGN_SMS_TEMPLATE_IDS (a JSON object keyed by the ids below, read by runtime/config.ts).
 */
import type { SmsTemplate } from '../ports/sms';
import { charCount, normalizeTypedText, smsSafety } from '../rules/typed-text';
import { TENCENT_SMS_RULES, checkVariableValue } from './sms-rules';

/** One per N1 event (ports/sms.ts). */
export type SmsTemplateId = SmsTemplate;

/**
 * What a parameter holds; each kind has one builder below, and nothing else produces values.
 * - name: a party's verified real name (`smsName`)
 * - title: a contract's title (`smsTitle`)
 * - label: one of a fixed list in this file (`labels`)
 * - date: a China calendar day (`smsDate`)
 * - code: a verification code, 1–6 digits
 */
export type SmsParamKind = 'name' | 'title' | 'label' | 'date' | 'code';

export interface SmsParamSpec {
  readonly key: string;
  readonly kind: SmsParamKind;
  /** For kind 'label': every value it can take. */
  readonly labels?: readonly string[];
  /** A realistic value, for the console's 模板备注 (reviewers ask for a filled-in example). */
  readonly example: string;
}

export interface SmsTemplateDef {
  readonly id: SmsTemplateId;
  readonly type: 'notification' | 'verification';
  /** The N1 event, in words. */
  readonly event: string;
  /** The text with {1}…{n}, `$APP` and `$LINK` (see registeredText). */
  readonly text: string;
  /** In the order of {1}…{n}. */
  readonly params: readonly SmsParamSpec[];
}

/** What the mini-program offers to pick as a reason; a picked one is named in the SMS. */
export const PICKED_REASONS = Object.freeze({
  reject: ['信息有误', '金额不符', '暂不签署', '条款有异议'],
  receipt_refuse: ['未收到款项', '金额不符', '信息有误'],
  rescind_request: ['协商一致', '信息有误', '需重新签署', '已履行完毕'],
  rescind_refuse: ['仍需履行', '未协商一致'],
  settle_request: ['已全部还清', '协商结清', '已线下结清'],
  settle_refuse: ['款项未结清', '未协商一致'],
} satisfies Record<string, readonly string[]>);
export type ReasonAction = keyof typeof PICKED_REASONS;

/** Said instead of a reason that was typed rather than picked. */
export const REASON_IN_APP = '详见小程序';

/** What the other party is asked to do (催办, R4), by their status. */
export const ASK_LABELS = Object.freeze({ to_fill: '补充信息', to_sign: '签署', to_accept: '确认领取' });
/** How a rescind/settle request was answered. */
export const ANSWER_LABELS = Object.freeze({ confirm: '同意', refuse: '拒绝' });

const reasonLabels = (...actions: ReasonAction[]): readonly string[] => [...new Set([...actions.flatMap((a) => PICKED_REASONS[a]), REASON_IN_APP])];

const name = (key: string, example = '张三'): SmsParamSpec => ({ key, kind: 'name', example });
const title = (key = 'title', example = '房屋租赁合同'): SmsParamSpec => ({ key, kind: 'title', example });
const label = (key: string, labels: readonly string[]): SmsParamSpec => ({ key, kind: 'label', labels, example: labels[0] ?? '' });

const TEMPLATES: { readonly [K in SmsTemplateId]: SmsTemplateDef & { readonly id: K } } = {
  invite_fill: {
    id: 'invite_fill', type: 'notification', event: 'counterparty invited to fill in and sign (P2 对方填 with a phone, P3)',
    text: '{1}邀请您补充信息并签署《{2}》，请在微信小程序“$APP”处理：$LINK',
    params: [name('from'), title()],
  },
  invite_sign: {
    id: 'invite_sign', type: 'notification', event: 'counterparty invited to sign (I7, R3)',
    text: '{1}邀请您签署《{2}》，请在微信小程序“$APP”查看并签署：$LINK',
    params: [name('from'), title('title', '个人借条')],
  },
  invite_accept: {
    id: 'invite_accept', type: 'notification', event: 'payer asked to 确认领取 a payee-initiated receipt (R2)',
    text: '{1}向您开具了《{2}》，请在微信小程序“$APP”确认领取：$LINK',
    params: [name('from'), title('title', '收据')],
  },
  ready_to_sign: {
    id: 'ready_to_sign', type: 'notification', event: 'the other party confirmed their details: the initiator signs (C5)',
    text: '{1}已确认合同信息，《{2}》待您签署，请在微信小程序“$APP”处理：$LINK',
    params: [name('from'), title()],
  },
  urge: {
    id: 'urge', type: 'notification', event: '催办: the initiator reminds the other party (R4)',
    text: '{1}提醒您处理《{2}》（待您{3}），请在微信小程序“$APP”打开：$LINK',
    params: [name('from'), title(), label('ask', Object.values(ASK_LABELS))],
  },
  signed_by_other: {
    id: 'signed_by_other', type: 'notification', event: 'the other party signed; the recipient still has to sign',
    text: '{1}已签署《{2}》，请打开微信小程序“$APP”完成您的签署。',
    params: [name('from'), title()],
  },
  contract_signed: {
    id: 'contract_signed', type: 'notification', event: 'the last signature: the contract is in force (C1 signed)',
    text: '{1}已签署《{2}》，各方均已签署，合同已生效。',
    params: [name('from'), title()],
  },
  receipt_accepted: {
    id: 'receipt_accepted', type: 'notification', event: 'the payer accepted (确认领取) the receipt (R2)',
    text: '{1}已确认领取您开具的《{2}》，收据已生效。',
    params: [name('from'), title('title', '收据')],
  },
  receipt_refused: {
    id: 'receipt_refused', type: 'notification', event: 'the payer refused (拒绝领取) the receipt (R2)',
    text: '{1}拒绝领取您开具的《{2}》，原因：{3}，流程已终止。',
    params: [name('from'), title('title', '收据'), label('reason', reasonLabels('receipt_refuse'))],
  },
  receipt_signed: {
    id: 'receipt_signed', type: 'notification', event: 'the payee signed a receipt the payer issued (R3)',
    text: '{1}已签署您确认开具的《{2}》，收据已生效。',
    params: [name('from'), title('title', '收据')],
  },
  rejected: {
    id: 'rejected', type: 'notification', event: '拒签 (C4)',
    text: '{1}拒绝签署《{2}》，原因：{3}，签署流程已终止。',
    params: [name('from'), title(), label('reason', reasonLabels('reject'))],
  },
  expired: {
    id: 'expired', type: 'notification', event: 'the contract expired unsigned (C2)',
    text: '您参与的《{1}》未在{2}前完成签署，已过期失效。',
    params: [title(), { key: 'day', kind: 'date', example: '12月31日' }],
  },
  revoked: {
    id: 'revoked', type: 'notification', event: '撤销 by the initiator (C3)',
    text: '{1}已撤销《{2}》，您无需再处理。',
    params: [name('from'), title()],
  },
  invalidated: {
    id: 'invalidated', type: 'notification', event: 'a party renamed (A3): the unfinished contract ended',
    text: '您参与的《{1}》因一方办理个人更名已终止，无法继续签署，您无需再处理。',
    params: [title()],
  },
  rescind_requested: {
    id: 'rescind_requested', type: 'notification', event: '解除 requested (C6)',
    text: '{1}申请解除《{2}》，原因：{3}，请打开微信小程序“$APP”确认或拒绝。',
    params: [name('from'), title(), label('reason', reasonLabels('rescind_request'))],
  },
  rescind_answered: {
    id: 'rescind_answered', type: 'notification', event: 'the rescind request confirmed or refused (C6)',
    text: '{1}已{2}您解除《{3}》的申请。',
    params: [name('from'), label('answer', Object.values(ANSWER_LABELS)), title()],
  },
  rescind_cancelled: {
    id: 'rescind_cancelled', type: 'notification', event: 'the requester cancelled the rescind request (C6)',
    text: '{1}已撤回解除《{2}》的申请，合同继续有效。',
    params: [name('from'), title()],
  },
  settle_requested: {
    id: 'settle_requested', type: 'notification', event: '结清 requested (I9)',
    text: '{1}申请结清《{2}》，原因：{3}，请打开微信小程序“$APP”确认或拒绝。',
    params: [name('from'), title('title', '个人借条'), label('reason', reasonLabels('settle_request'))],
  },
  settle_answered: {
    id: 'settle_answered', type: 'notification', event: 'the settle request confirmed or refused (I9)',
    text: '{1}已{2}您结清《{3}》的申请。',
    params: [name('from'), label('answer', Object.values(ANSWER_LABELS)), title('title', '个人借条')],
  },
  settle_cancelled: {
    id: 'settle_cancelled', type: 'notification', event: 'the requester cancelled the settle request (I9)',
    text: '{1}已撤回结清《{2}》的申请，借条继续有效。',
    params: [name('from'), title('title', '个人借条')],
  },
  repayment_due: {
    id: 'repayment_due', type: 'notification', event: 'an instalment is due today; the borrower switched reminders on (I8)',
    text: '还款提醒：您在《{1}》中约定的一期还款于{2}到期，详情请打开微信小程序“$APP”查看。',
    params: [title('title', '个人借条'), { key: 'day', kind: 'date', example: '6月30日' }],
  },
  // The ledger's notices (L1, L3, L4): no amounts and no 催款 wording (Tencent refuses both);
  // the figures are in the mini-program.
  repayment_recorded: {
    id: 'repayment_recorded', type: 'notification', event: 'the borrower recorded a repayment for the lender to confirm (L1)',
    text: '{1}在《{2}》中登记了一笔还款，请打开微信小程序“$APP”核对确认。',
    params: [name('from'), title('title', '个人借条')],
  },
  extension_proposed: {
    id: 'extension_proposed', type: 'notification', event: 'a party proposed a new repayment plan (展期, L3)',
    text: '{1}就《{2}》提出了新的还款计划，请打开微信小程序“$APP”查看并处理。',
    params: [name('from'), title('title', '个人借条')],
  },
  demand_notice: {
    id: 'demand_notice', type: 'notification', event: 'the lender sent a formal demand notice (催告, L3)',
    text: '{1}就《{2}》向您发送了一份书面通知，请打开微信小程序“$APP”查看。',
    params: [name('from'), title('title', '个人借条')],
  },
  ledger_cleared: {
    id: 'ledger_cleared', type: 'notification', event: 'the ledger reached zero: settlement is proposed to both (L4)',
    text: '《{1}》约定的款项已登记还清，您可打开微信小程序“$APP”办理结清。',
    params: [title('title', '个人借条')],
  },
  report_sent: {
    id: 'report_sent', type: 'notification', event: 'the evidence report was e-mailed (C9)',
    text: '您申请的《{1}》出证报告已发送至您填写的邮箱，请注意查收。',
    params: [title()],
  },
  verification_code: {
    id: 'verification_code', type: 'verification', event: 'a verification code (A2 change phone)',
    text: '您的验证码为{1}，5分钟内有效，请勿泄露给他人。如非本人操作，请忽略本短信。',
    params: [{ key: 'code', kind: 'code', example: '482913' }],
  },
  phone_changed: {
    id: 'phone_changed', type: 'notification', event: 'security notice to the old number after a phone change (A2)',
    text: '您在“$APP”绑定的手机号已更换，本号码将不再接收合同通知。如非本人操作，请立即联系客服。',
    params: [],
  },
};

export const SMS_TEMPLATES: { readonly [K in SmsTemplateId]: SmsTemplateDef } = Object.freeze(TEMPLATES);
export const SMS_TEMPLATE_IDS = Object.keys(TEMPLATES) as SmsTemplateId[];

/** The per-deployment constants of the texts (config/messages.json `sms`). */
export interface SmsBrand {
  /** The approved signature, without 【】. */
  signature: string;
  /** The mini-program's name as users search for it. */
  miniProgramName: string;
  /** The fixed, ICP-filed https page that opens the mini-program. */
  openLink: string;
}

/** The text exactly as it is registered at the console (and as SendSms renders it). */
export const registeredText = (id: SmsTemplateId, brand: SmsBrand): string =>
  SMS_TEMPLATES[id].text.replace(/\$APP/g, brand.miniProgramName).replace(/\$LINK/g, brand.openLink);

/** The message with `params` in place (what the recipient reads after the signature). */
export const renderSms = (id: SmsTemplateId, params: readonly string[], brand: SmsBrand): string =>
  registeredText(id, brand).replace(/\{(\d+)\}/g, (_, n: string) => params[Number(n) - 1] ?? '');

/** The 模板备注 for the console: the event and the text with example values. */
export const consoleRemark = (id: SmsTemplateId, brand: SmsBrand): string =>
  `${SMS_TEMPLATES[id].event}。示例：${renderSms(id, SMS_TEMPLATES[id].params.map((p) => p.example), brand)}`;

/**
 * Problems with one value for one parameter ([] = fine): Tencent's rules for the value, plus, for
 * a label, that it is one of the parameter's labels.
 */
export const checkParam = (spec: SmsParamSpec, value: string): string[] => {
  const problems = checkVariableValue(value, spec.kind === 'code' ? 'verification' : 'notification');
  if (spec.kind === 'label' && !(spec.labels ?? []).includes(value)) problems.push(`${JSON.stringify(value)} is not one of the labels of ${spec.key}`);
  return problems;
};

export class SmsParamError extends Error {
  constructor(readonly template: SmsTemplateId, readonly problems: string[]) {
    super(`SMS ${template}: ${problems.join('; ')}`);
    this.name = 'SmsParamError';
  }
}

/**
 * The positional parameters of `id` from named values, each checked. A value that breaks a rule is
 * a bug in the caller (every value comes from a builder below), so it throws SmsParamError rather
 * than letting the provider refuse the message later.
 */
export const smsParams = (id: SmsTemplateId, values: Readonly<Record<string, string>>): string[] => {
  const def = SMS_TEMPLATES[id];
  const unknown = Object.keys(values).filter((k) => !def.params.some((p) => p.key === k));
  const problems = unknown.map((k) => `no parameter ${k}`);
  const params = def.params.map((p) => {
    const v = values[p.key];
    if (v === undefined) {
      problems.push(`missing ${p.key}`);
      return '';
    }
    problems.push(...checkParam(p, v).map((m) => `${p.key}: ${m}`));
    return v;
  });
  if (problems.length) throw new SmsParamError(id, problems);
  return params;
};

const ELLIPSIS = '…';

/** At most `max` characters; a longer text keeps its first max−1 and ends with "…". */
export const shorten = (s: string, max: number = TENCENT_SMS_RULES.variableMaxChars): string => {
  if (charCount(s) <= max) return s;
  return [...s].slice(0, max - 1).join('') + ELLIPSIS;
};

/** A party's name for an SMS: cleaned, shortened; '对方' when there is nothing sendable. */
export const smsName = (name: string | null | undefined): string => {
  const s = normalizeTypedText(name ?? '', false);
  if (s === '' || !smsSafety(s).ok) return '对方';
  return shorten(s);
};

/**
 * A contract's title for an SMS: cleaned and shortened; when the title is not SMS-safe (an own
 * file named with a link, a phone number, 【…】) the fallback — the kind's name, '合同' by default.
 */
export const smsTitle = (title: string | null | undefined, fallback = '合同'): string => {
  const s = normalizeTypedText(title ?? '', false);
  if (s === '' || !smsSafety(s).ok) return shorten(fallback);
  return shorten(s);
};

/** A China calendar day 'YYYY-MM-DD' as '12月31日' (the year is the current one in every use). */
export const smsDate = (day: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  return `${Number(m[2])}月${Number(m[3])}日`;
};

/**
 * The reason as an SMS may say it: the label when the user picked one of `action`'s labels (the
 * text equals it after cleaning), else "详见小程序". The typed text itself never leaves.
 */
export const smsReason = (reason: string | null | undefined, action: ReasonAction): string => {
  const s = normalizeTypedText(reason ?? '', false);
  return (PICKED_REASONS[action] as readonly string[]).includes(s) ? s : REASON_IN_APP;
};
