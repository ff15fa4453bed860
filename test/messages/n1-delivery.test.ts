/**
 * N1: each event sent through the production adapters to local servers speaking the providers'
 * protocols — Tencent Cloud SMS SendSms (TC3-signed, the approved texts of sms-templates.ts) and
 * WeChat subscribeMessage.send (the slots of subscribe-templates.ts, values checked by the fake's
 * own rules) — with the values the builders make from real facts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixedClock } from '../../shared/adapters/local/clock';
import { RandomIds } from '../../shared/adapters/local/ids';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { TencentSms } from '../../shared/adapters/tencentcloud/sms';
import { WechatApi } from '../../shared/adapters/wechat';
import { ASK_LABELS, SMS_TEMPLATES, SMS_TEMPLATE_IDS, registeredText, renderSms, smsDate, smsName, smsParams, smsReason, smsTitle, type SmsBrand, type SmsTemplateId } from '../../shared/messages/sms-templates';
import { SUBSCRIBE_SLOTS, fieldKindOf, subscribeMessageFor, type SubscribeSlot } from '../../shared/messages/subscribe-templates';
import type { SmsTemplate } from '../../shared/ports/sms';
import type { Store } from '../../shared/ports/store';
import { startTencentApiFake, type TencentApiFake } from '../fakes/tencentcloud/server';
import { SmsFake } from '../fakes/tencentcloud/sms';
import { WechatFake } from '../fakes/wechat/server';

const brand: SmsBrand = { signature: '电子签', miniProgramName: '电子签', openLink: 'https://esign.example.cn/open' };
const APP_ID = '1400000009';
const TEMPLATE_IDS = Object.fromEntries(SMS_TEMPLATE_IDS.map((id, i) => [id, String(3_000_001 + i)])) as Record<SmsTemplateId, string>;
const WX_APPID = 'wx00000000000000aa';
const WX_SECRET = 'wechat-secret-for-tests';
const OPENID = 'oRecipient_0000000000000000';
const SUB_IDS = Object.fromEntries(Object.keys(SUBSCRIBE_SLOTS).map((s) => [s, `TPL_${s}_${randomBytes(6).toString('hex')}`])) as Record<SubscribeSlot, string>;

/** The named values an operation would pass for each event, from real facts via the builders. */
const FACTS = { otherName: '阿卜杜热合曼·阿卜杜拉', title: '上门喂养宠物服务合同', typedReason: '点这里 https://evil.example/refund 退款' };
const valuesOf = (id: SmsTemplateId): Record<string, string> => {
  const v: Record<string, string> = {};
  for (const p of SMS_TEMPLATES[id].params) {
    if (p.kind === 'name') v[p.key] = smsName(FACTS.otherName);
    else if (p.kind === 'title') v[p.key] = smsTitle(FACTS.title);
    else if (p.kind === 'date') v[p.key] = smsDate('2026-12-31');
    else if (p.kind === 'code') v[p.key] = '482913';
    else if (p.key === 'reason') v[p.key] = smsReason(FACTS.typedReason, id === 'rejected' ? 'reject' : id === 'receipt_refused' ? 'receipt_refuse' : id === 'settle_requested' ? 'settle_request' : 'rescind_request');
    else if (p.key === 'ask') v[p.key] = ASK_LABELS.to_sign;
    else if (p.key === 'answer') v[p.key] = '拒绝';
  }
  return v;
};

let dir: string;
let store: Store;
let api: TencentApiFake;
let smsFake: SmsFake;
let wxFake: WechatFake;
const secretId = `AKID${randomBytes(8).toString('hex')}`;
const secretKey = randomBytes(16).toString('base64url');
const clock = new FixedClock(new Date());

beforeAll(async () => {
  process.env.TENCENTCLOUD ??= 'true'; // the SDK would probe metadata.tencentyun.com otherwise
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esign-n1-'));
  store = openSqliteStore(path.join(dir, 'db.sqlite'));
  smsFake = new SmsFake(APP_ID, new Set([brand.signature]), new Map(SMS_TEMPLATE_IDS.map((id) => [TEMPLATE_IDS[id], registeredText(id, brand)])));
  api = await startTencentApiFake(new Map([[secretId, { secretId, secretKey }]]), { sms: smsFake.service() });
  wxFake = await new WechatFake(
    WX_APPID,
    WX_SECRET,
    new Set(['pages/contract/index']),
    new Map(Object.entries(SUBSCRIBE_SLOTS).map(([slot, def]) => [SUB_IDS[slot as SubscribeSlot], { fields: Object.fromEntries(Object.keys(def.fields).map((k) => [k, fieldKindOf(k)!])) }])),
    new Set([OPENID]),
  ).start();
});
afterAll(async () => {
  await Promise.all([api.close(), wxFake.close()]);
  await store.close();
});

/** Every N1 event, the cancelled requests included, through the production SMS adapter. */

describe('N1 through Tencent Cloud SMS (SendSms) to a local TC3 server', () => {
  const sms = () => new TencentSms({ region: 'ap-shanghai', credentials: () => ({ secretId, secretKey }), timeoutSeconds: 5, gateway: api.url }, { sdkAppId: APP_ID, signName: brand.signature, templateIds: TEMPLATE_IDS }, store, clock, new RandomIds());

  it.each(SMS_TEMPLATE_IDS)('%s is accepted by the approved template and reads as registered, with no typed text or path', async (id) => {
    const params = smsParams(id, valuesOf(id));
    const r = await sms().send({ phone: '13800138000', template: id as SmsTemplate, params });
    expect(r).toMatchObject({ ok: true });
    const sent = smsFake.sent.at(-1)!;
    expect([sent.phone, sent.templateId, sent.params]).toEqual(['+8613800138000', TEMPLATE_IDS[id], params]);
    expect(sent.text).toBe(`【${brand.signature}】${renderSms(id, params, brand)}`);
    expect(sent.text).not.toMatch(/evil|pages\/|token=|退款/);
  });
});

describe('N1 through WeChat subscribeMessage.send to a local server', () => {
  const wx = () => new WechatApi({ baseUrl: wxFake.url, appId: WX_APPID, secret: async () => WX_SECRET, timeoutMs: 5000, envVersion: 'release' }, clock);

  it.each(SMS_TEMPLATE_IDS.filter((id) => id !== 'verification_code' && id !== 'phone_changed'))('%s is delivered to a user who accepted its template', async (id) => {
    const m = subscribeMessageFor(id, { title: FACTS.title, otherName: FACTS.otherName, at: clock.now(), ask: 'to_sign', answer: 'refuse', day: '2026-12-31', amountFen: 50_000_000 })!;
    const templateId = SUB_IDS[m.slot];
    wxFake.grant(OPENID, templateId);
    const r = await wx().sendSubscribeMessage({ toOpenid: OPENID, templateId, page: 'pages/contract/index?id=ct_0000000001', data: m.data });
    expect(r).toEqual({ ok: true });
    expect(wxFake.sent.at(-1)).toMatchObject({ touser: OPENID, templateId, data: m.data, state: 'formal' });
    expect(wxFake.creditsOf(OPENID, templateId)).toBe(0);
  });
});
