/**
 * N1 / M3: every SMS template and every value we would really put in it, held against Tencent
 * Cloud SMS's published rules (shared/messages/sms-rules.ts cites them): variables ≤ 6 characters
 * (verification codes ≤ 6 digits), no link or contact in a variable, no 【】 or other refused
 * character, variables numbered in order and never adjacent, a constant link only, ≤ 500
 * characters — and our own budget of two billed SMS per message.
 */
import fs from 'node:fs';
import path from 'node:path';
import messagesConfig from '../../config/messages.json';
import {
  MAX_SMS_PARTS,
  TENCENT_SMS_RULES,
  checkSignature,
  checkTemplateText,
  checkVariableValue,
  placeholdersOf,
  signedText,
  smsParts,
} from '../../shared/messages/sms-rules';
import {
  ANSWER_LABELS,
  ASK_LABELS,
  PICKED_REASONS,
  REASON_IN_APP,
  SMS_TEMPLATES,
  SMS_TEMPLATE_IDS,
  SmsParamError,
  checkParam,
  consoleRemark,
  registeredText,
  renderSms,
  shorten,
  smsDate,
  smsName,
  smsParams,
  smsReason,
  smsTitle,
  type SmsBrand,
  type SmsParamSpec,
  type SmsTemplateId,
} from '../../shared/messages/sms-templates';
import { charCount, isSmsSafe } from '../../shared/rules/typed-text';

const deployed: SmsBrand = messagesConfig.sms;
/** The longest constants a deployment could choose: a 12-character signature, a long name and link. */
const longest: SmsBrand = { signature: '某某某某科技电子签约平台', miniProgramName: '某某电子合同签约助手', openLink: 'https://sign.example-company.com.cn/open' };

/** Every contract title the catalogue has (templates/<kind>/template.json), read from the files. */
const catalogueTitles: string[] = fs
  .readdirSync(path.join(__dirname, '../../templates'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(__dirname, '../../templates', d.name, 'template.json')))
  .map((d) => (JSON.parse(fs.readFileSync(path.join(__dirname, '../../templates', d.name, 'template.json'), 'utf8')) as { title: string }).title);

/** Names people really have: short, long Han names, minority names with the middle dot, Latin names. */
const NAMES = ['王五', '张三', '欧阳娜娜', '司马相如', '爱新觉罗·溥仪', '阿卜杜热合曼·阿卜杜拉', '买买提·艾力', 'Maria Garcia', '李'];
/** Own-file contract names as typed (U2), including ones that must never reach an SMS as typed. */
const TYPED_TITLES = ['2026年度房屋租赁补充协议', '车辆买卖合同（二手车）', '合同', '点击 evil.cn 领取补贴', '加微信13812345678办理', '【银行】还款通知', '借条\u202E反转'];
const DAYS = ['2026-01-01', '2026-09-09', '2026-12-31', '2027-02-28'];

/** Every value each parameter kind can take, from the builders the operations use. */
const valuesFor = (p: SmsParamSpec): string[] => {
  switch (p.kind) {
    case 'name':
      return [...NAMES.map(smsName), smsName(null)];
    case 'title':
      return [...catalogueTitles, ...TYPED_TITLES].map((t) => smsTitle(t));
    case 'label':
      return [...(p.labels ?? [])];
    case 'date':
      return DAYS.map(smsDate);
    case 'code':
      return ['000000', '482913', '999999'];
  }
};

/** The longest value of each parameter: the worst case for length. */
const longestValue = (p: SmsParamSpec): string => valuesFor(p).reduce((a, b) => (charCount(b) > charCount(a) ? b : a));

describe('Tencent Cloud SMS rules as data', () => {
  it('encode the published numbers', () => {
    expect(TENCENT_SMS_RULES).toMatchObject({ maxMessageChars: 500, singleSmsChars: 70, longSmsPartChars: 67, verificationCodeMaxDigits: 6, variableMaxChars: 6 });
    expect(TENCENT_SMS_RULES.signature).toMatchObject({ minChars: 2, maxChars: 12 });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [150, 3], // 67 + 67 + 16, the docs' own example
  ])('a message of %i characters is %i billed SMS', (chars, parts) => {
    expect(smsParts(chars)).toBe(parts);
  });

  it('the template checks refuse what the review refuses', () => {
    expect(checkTemplateText('{1}邀请您签署《{2}》', 'notification')).toEqual([]);
    expect(checkTemplateText('{2}邀请您签署《{1}》', 'notification')[0]).toMatch(/in order of appearance/);
    expect(checkTemplateText('{1}{2}', 'notification')).toEqual(expect.arrayContaining(['two variables are adjacent', 'the template is only variables']));
    expect(checkTemplateText('【通知】{1}', 'notification')).toEqual(expect.arrayContaining(['forbidden character 【', 'forbidden character 】']));
    expect(checkTemplateText('您的代码为{1}', 'verification')).toEqual(['a verification template names 验证码 (or 注册码/校验码/动态码)']);
    expect(checkVariableValue('1234567', 'verification')).toHaveLength(1);
    expect(checkVariableValue('12a456', 'verification')).toHaveLength(1);
    expect(checkVariableValue('欧阳娜娜娜娜娜', 'notification')[0]).toMatch(/has 7 characters, allowed 6/);
    expect(checkVariableValue('x.cn', 'notification')[0]).toMatch(/not SMS-safe: link/);
    expect(checkSignature('电子签')).toEqual([]);
    expect(checkSignature('签')).toHaveLength(1);
    expect(checkSignature('【电子签】')).toHaveLength(1);
    expect(checkSignature(longest.signature)).toEqual([]);
  });
});

describe('N1 SMS templates', () => {
  it('cover every N1 event, the old template names included', () => {
    expect(SMS_TEMPLATE_IDS.sort()).toEqual(
      [
        'invite_fill', 'invite_sign', 'invite_accept', 'receipt_accepted', 'receipt_refused', 'receipt_signed', 'ready_to_sign',
        'signed_by_other', 'contract_signed', 'rejected', 'expired', 'revoked', 'rescind_requested', 'rescind_answered',
        'rescind_cancelled', 'settle_requested', 'settle_answered', 'settle_cancelled', 'repayment_due', 'urge', 'report_sent',
        'verification_code', 'repayment_recorded', 'extension_proposed', 'demand_notice', 'ledger_cleared', 'phone_changed', 'invalidated',
      ].sort(),
    );
  });

  it.each(SMS_TEMPLATE_IDS)('%s passes the template review rules and has one parameter per variable', (id) => {
    const def = SMS_TEMPLATES[id];
    expect(def.id).toBe(id);
    for (const brand of [deployed, longest]) {
      const text = registeredText(id, brand);
      expect(checkTemplateText(text, def.type)).toEqual([]);
      expect(placeholdersOf(text)).toEqual(def.params.map((_, i) => i + 1));
      expect(text).not.toMatch(/\$APP|\$LINK/);
      // The only link is the deployment's constant one (no variable link, no mini-program path).
      expect(text.replace(brand.openLink, '')).not.toMatch(/https?:|pages\//);
    }
    expect(new Set(def.params.map((p) => p.key)).size).toBe(def.params.length);
  });

  it.each(SMS_TEMPLATE_IDS)('%s: every realistic value of every parameter passes, and the longest message is at most %s billed SMS', (id) => {
    const def = SMS_TEMPLATES[id];
    for (const p of def.params) {
      for (const v of valuesFor(p)) expect([p.key, v, checkParam(p, v)]).toEqual([p.key, v, []]);
      expect(checkParam(p, p.example)).toEqual([]);
    }
    for (const brand of [deployed, longest]) {
      const worst = signedText(brand.signature, renderSms(id, def.params.map(longestValue), brand));
      expect(charCount(worst)).toBeLessThanOrEqual(TENCENT_SMS_RULES.maxMessageChars);
      expect([id, brand.signature, smsParts(charCount(worst))]).toEqual([id, brand.signature, expect.any(Number)]);
      expect(smsParts(charCount(worst))).toBeLessThanOrEqual(MAX_SMS_PARTS);
    }
  });

  it('a verification code SMS is a single SMS even with the longest signature', () => {
    const text = signedText(longest.signature, renderSms('verification_code', ['482913'], longest));
    expect(smsParts(charCount(text))).toBe(1);
  });

  it('the deployed signature passes the signature rules', () => {
    expect(checkSignature(deployed.signature)).toEqual([]);
    expect(deployed.openLink).toMatch(/^https:\/\/[^/{}]+\//);
  });

  it('the console remark shows a filled-in example of the exact registered text', () => {
    expect(consoleRemark('rejected', deployed)).toBe('拒签 (C4)。示例：张三拒绝签署《房屋租赁合同》，原因：信息有误，签署流程已终止。');
  });
});

describe('parameter values (no user-typed text, shortened to the limit)', () => {
  it.each([
    ['借条', '借条'],
    ['房屋租赁合同', '房屋租赁合同'],
    ['交通事故和解协议', '交通事故和…'],
    ['上门喂养宠物服务合同', '上门喂养宠…'],
    ['  图片许可\u200B使用合同 ', '图片许可使…'],
    ['点击 evil.cn 领取补贴', '合同'], // not SMS-safe: the kind's name instead
    ['加微信13812345678办理', '合同'],
    ['【银行】还款通知', '合同'],
    ['', '合同'],
  ])('smsTitle(%j) = %j', (t, out) => {
    expect(smsTitle(t)).toBe(out);
  });

  it('smsTitle falls back to the given kind name, shortened too', () => {
    expect(smsTitle('www.x.com', '个人借条')).toBe('个人借条');
    expect(smsTitle(null, '上门喂养宠物服务合同')).toBe('上门喂养宠…');
  });

  it.each([
    ['张三', '张三'],
    ['阿卜杜热合曼·阿卜杜拉', '阿卜杜热合…'],
    ['Maria Garcia', 'Maria…'],
    [null, '对方'],
    ['加我13812345678', '对方'],
  ])('smsName(%j) = %j', (n, out) => {
    expect(smsName(n)).toBe(out);
  });

  it('shorten counts code points and never exceeds the limit', () => {
    expect(shorten('𠮷𠮷𠮷𠮷𠮷𠮷')).toBe('𠮷𠮷𠮷𠮷𠮷𠮷');
    expect(shorten('𠮷𠮷𠮷𠮷𠮷𠮷𠮷')).toBe('𠮷𠮷𠮷𠮷𠮷…');
    for (const t of [...catalogueTitles, ...TYPED_TITLES]) expect(charCount(smsTitle(t))).toBeLessThanOrEqual(6);
  });

  it.each([
    ['2026-01-01', '1月1日'],
    ['2026-12-31', '12月31日'],
  ])('smsDate(%s) = %s', (d, out) => {
    expect(smsDate(d)).toBe(out);
  });

  it('smsDate refuses what is not a day', () => {
    expect(() => smsDate('2026-1-1')).toThrow(RangeError);
  });

  it('a picked reason is named; a typed one — spaces, links, anything — is "详见小程序"', () => {
    expect(smsReason('信息有误', 'reject')).toBe('信息有误');
    expect(smsReason(' 信息有误 ', 'reject')).toBe('信息有误');
    expect(smsReason('协商一致', 'rescind_request')).toBe('协商一致');
    expect(smsReason('协商一致', 'reject')).toBe(REASON_IN_APP); // not one of 拒签's labels
    expect(smsReason('   ', 'reject')).toBe(REASON_IN_APP);
    expect(smsReason('点这里 https://evil.example/pay 退款', 'rescind_request')).toBe(REASON_IN_APP);
    expect(smsReason('我不想签了，因为对方一直没有把钱打给我', 'reject')).toBe(REASON_IN_APP);
    expect(smsReason(undefined, 'settle_request')).toBe(REASON_IN_APP);
  });

  it('every label the SMS can carry is short and SMS-safe', () => {
    const labels = [...Object.values(PICKED_REASONS).flat(), REASON_IN_APP, ...Object.values(ASK_LABELS), ...Object.values(ANSWER_LABELS)];
    for (const l of labels) expect([l, checkVariableValue(l, 'notification'), isSmsSafe(l)]).toEqual([l, [], true]);
  });

  it('smsParams orders named values by the template and refuses a bad one as a bug', () => {
    expect(smsParams('rescind_answered', { from: '张三', answer: '同意', title: '个人借条' })).toEqual(['张三', '同意', '个人借条']);
    expect(renderSms('rescind_answered', ['张三', '同意', '个人借条'], deployed)).toBe('张三已同意您解除《个人借条》的申请。');
    const bad = (id: SmsTemplateId, values: Record<string, string>) => {
      try {
        smsParams(id, values);
      } catch (e) {
        expect(e).toBeInstanceOf(SmsParamError);
        return (e as SmsParamError).problems;
      }
      throw new Error('expected SmsParamError');
    };
    expect(bad('rejected', { from: '张三', title: '借条', reason: '我就是不想签' })).toEqual(['reason: "我就是不想签" is not one of the labels of reason']);
    expect(bad('rejected', { from: '张三', title: '借条', reason: '我就是不想签字' })).toEqual(['reason: "我就是不想签字" has 7 characters, allowed 6', 'reason: "我就是不想签字" is not one of the labels of reason']);
    expect(bad('rejected', { from: '张三', title: '借条', reason: '信息有误', extra: 'x' })).toEqual(['no parameter extra']);
    expect(bad('invite_sign', { from: '张三' })).toEqual(['missing title']);
    expect(bad('invite_sign', { from: '张三', title: 'x.cn' })[0]).toMatch(/title: .*not SMS-safe: link/);
    expect(bad('verification_code', { code: '1234567' })[0]).toMatch(/1–6 digits/);
  });

  it('the invitation a typed-in number receives holds no path, no typed text and only the constant link', () => {
    const params = smsParams('invite_sign', { from: smsName('张三'), title: smsTitle('点击 evil.cn 领取补贴') });
    const text = renderSms('invite_sign', params, deployed);
    expect(text).toBe(`张三邀请您签署《合同》，请在微信小程序“${deployed.miniProgramName}”查看并签署：${deployed.openLink}`);
    expect(text).not.toMatch(/pages\/|token=|evil/);
  });
});
