/**
 * N1 channel order (subscription message first, then SMS): WeChat's field rules as data, the
 * subscription message of every N1 event, and the consent mirror — one accepted template, one
 * send; refused by WeChat → cleared; not delivered → restored.
 */
import {
  SUBSCRIBE_FIELD_RULES,
  SUBSCRIBE_SLOTS,
  chinaTime,
  checkSubscribeData,
  fieldKindOf,
  subscribeMessageFor,
  type EventFacts,
} from '../../shared/messages/subscribe-templates';
import { SMS_TEMPLATE_IDS } from '../../shared/messages/sms-templates';
import {
  MAX_CREDITS_PER_TEMPLATE,
  clearCredits,
  creditsFor,
  firstChannel,
  parseSubscribeResults,
  recordAcceptance,
  restoreCredit,
  subscriptionId,
  subscriptionWrite,
  takeCredit,
  type SubscriptionDoc,
} from '../../shared/messages/subscriptions';
import { AppError } from '../../shared/errors';

const AT = new Date('2026-11-29T02:05:00.000Z');

describe('WeChat subscription message field rules', () => {
  it.each([
    ['thing', '上门喂养宠物服务合同', true],
    ['thing', '一二三四五六七八九十一二三四五六七八九十', true],
    ['thing', '一二三四五六七八九十一二三四五六七八九十一', false], // 21
    ['phrase', '已生效', true],
    ['phrase', '已经生效了吧', false], // 6
    ['phrase', '已生效1', false], // not pure Han
    ['name', '张三', true],
    ['name', '阿卜杜热合曼·阿卜杜', true], // mixed counts as Chinese, 10
    ['name', '阿卜杜热合曼·阿卜杜拉', false], // 11
    ['name', 'Maria Garcia', true],
    ['time', '2026年11月29日 10:05', true],
    ['time', '15:01', true],
    ['time', '2026年11月29日', false],
    ['date', '2026年11月29日', true],
    ['date', '2026-11-29 10:05~2026-11-30 10:05', true],
    ['amount', '¥500000.00', true],
    ['amount', '500000.00元', true],
    ['amount', '¥12345678901', false], // 11 digits
    ['character_string', 'ct_0123456789abcdef', true],
    ['character_string', 'x'.repeat(33), false],
    ['number', '3.14', true],
    ['letter', 'abc', true],
    ['symbol', '!#', true],
    ['phone_number', '+86-0766-66888866', true],
    ['car_number', '粤A8Z888挂', true],
  ] as const)('%s %j → %s', (kind, value, ok) => {
    expect(SUBSCRIBE_FIELD_RULES[kind].test(value)).toBe(ok);
  });

  it('a key names its kind; data is checked per key, control characters refused', () => {
    expect(fieldKindOf('thing12')).toBe('thing');
    expect(fieldKindOf('character_string3')).toBe('character_string');
    expect(fieldKindOf('bogus1')).toBeNull();
    expect(checkSubscribeData({ thing1: '借条', phrase2: '已生效' })).toEqual([]);
    expect(checkSubscribeData({ thing1: '两行\n标题' })).toHaveLength(1);
    expect(checkSubscribeData({ bogus1: 'x' })).toEqual(['bogus1: unknown field kind']);
  });

  it('chinaTime writes the China wall clock', () => {
    expect(chinaTime(new Date('2026-12-31T16:30:00Z'))).toBe('2027年1月1日 00:30');
  });
});

describe('the subscription message of every N1 event', () => {
  const worst: EventFacts[] = [
    { title: '上门喂养宠物服务合同', otherName: '阿卜杜热合曼·阿卜杜拉', at: AT, ask: 'to_accept', answer: 'refuse', day: '2026-12-31', amountFen: 50_000_000 },
    { title: '一份名字非常非常非常非常非常非常长的自有合同文件', otherName: 'Maria Garcia', at: AT, ask: 'to_fill', answer: 'confirm', day: '2026-01-01', amountFen: 1 },
    { title: '点击 evil.cn 领取补贴', kindName: '个人借条', otherName: null, at: AT, day: '2026-06-30', amountFen: 1_234_567 },
    { title: '【银行】通知\u202E', otherName: '加我13812345678', at: AT },
  ];

  it.each(SMS_TEMPLATE_IDS.filter((id) => id !== 'verification_code' && id !== 'phone_changed'))('%s: every field passes WeChat\'s rule for its kind, and the slot has exactly those fields', (id) => {
    for (const f of worst) {
      const m = subscribeMessageFor(id, f);
      expect(m).not.toBeNull();
      expect(Object.keys(m!.data).sort()).toEqual(Object.keys(SUBSCRIBE_SLOTS[m!.slot].fields).sort());
      expect([id, checkSubscribeData(m!.data)]).toEqual([id, []]);
      const text = Object.values(m!.data).join(' ');
      expect(text).not.toMatch(/evil|13812345678|【/);
    }
  });

  it('verification codes go by SMS only', () => {
    expect(subscribeMessageFor('verification_code', worst[0]!)).toBeNull();
    expect(subscribeMessageFor('phone_changed', worst[0]!)).toBeNull();
  });

  it('names the contract, the other party and what happened — never a typed reason', () => {
    expect(subscribeMessageFor('rejected', { title: '房屋租赁合同', otherName: '张三', at: AT })).toEqual({
      slot: 'contract_result',
      data: { thing1: '房屋租赁合同', phrase2: '已拒签', name3: '张三', time4: '2026年11月29日 10:05', thing5: '原因详见小程序' },
    });
    expect(subscribeMessageFor('repayment_due', { title: '个人借条', at: AT, day: '2026-12-31', amountFen: 123_456 })?.data).toMatchObject({ date2: '2026年12月31日', amount3: '¥1234.56' });
    expect(subscribeMessageFor('settle_cancelled', { title: '个人借条', otherName: '李四', at: AT })?.data).toMatchObject({ phrase2: '结清申请', phrase3: '已撤回' });
  });
});

describe('consent: one accepted template allows one send', () => {
  const T = ['TPL_a', 'TPL_b', 'TPL_c'];
  const now = new Date('2026-11-29T02:00:00.000Z');

  it('parses wx.requestSubscribeMessage answers: 1–3 ids, known answers only', () => {
    expect(parseSubscribeResults({ TPL_a: 'accept', TPL_b: 'reject' })).toEqual({ TPL_a: 'accept', TPL_b: 'reject' });
    for (const bad of [null, [], {}, { a: 'accept', b: 'accept', c: 'accept', d: 'accept' }, { TPL_a: 'yes' }, { 'bad id!': 'accept' }]) {
      expect(() => parseSubscribeResults(bad)).toThrow(AppError);
    }
  });

  it('accepts add up per configured template (capped); other answers and unknown ids change nothing', () => {
    let doc: SubscriptionDoc | null = null;
    const r1 = recordAcceptance(doc, 'o1', { TPL_a: 'accept', TPL_b: 'reject', TPL_x: 'accept' }, T, now);
    expect([r1.accepted, r1.ignored, r1.nextDoc]).toEqual([['TPL_a'], ['TPL_x'], { _id: subscriptionId('o1'), openid: 'o1', credits: { TPL_a: 1 }, updatedAt: now.toISOString() }]);
    doc = { ...r1.nextDoc, version: 1 };
    doc = { ...recordAcceptance(doc, 'o1', { TPL_a: 'accept', TPL_c: 'ban' }, T, now).nextDoc, version: 2 };
    expect(doc.credits).toEqual({ TPL_a: 2 });
    for (let i = 0; i < 50; i++) doc = { ...recordAcceptance(doc, 'o1', { TPL_a: 'accept' }, T, now).nextDoc, version: 3 };
    expect(creditsFor(doc, 'TPL_a')).toBe(MAX_CREDITS_PER_TEMPLATE);
  });

  it('a send spends one; none left → SMS; WeChat\'s 43101 clears; a failed delivery restores', () => {
    const doc: SubscriptionDoc = { _id: subscriptionId('o1'), openid: 'o1', credits: { TPL_a: 1 }, updatedAt: now.toISOString(), version: 4 };
    expect(firstChannel(doc, 'TPL_a')).toBe('subscribe');
    expect(firstChannel(doc, 'TPL_b')).toBe('sms');
    expect(firstChannel(null, 'TPL_a')).toBe('sms');
    expect(firstChannel(doc, null)).toBe('sms');
    const taken = takeCredit(doc, 'TPL_a', now);
    if (!taken.ok) throw new Error('expected a credit');
    expect(taken.nextDoc.credits).toEqual({});
    expect(subscriptionWrite(doc, taken.nextDoc)).toEqual({ collection: 'subscriptions', doc: taken.nextDoc, expectedVersion: 4 });
    expect(subscriptionWrite(null, taken.nextDoc).expectedVersion).toBe(0);
    expect(takeCredit({ ...taken.nextDoc, version: 5 }, 'TPL_a', now)).toEqual({ ok: false });
    expect(restoreCredit(taken.nextDoc, 'o1', 'TPL_a', now).credits).toEqual({ TPL_a: 1 });
    expect(clearCredits({ ...doc, credits: { TPL_a: 3, TPL_b: 1 } }, 'TPL_a', now).credits).toEqual({ TPL_b: 1 });
  });
});
